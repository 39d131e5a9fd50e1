import twilio from "twilio";
import type { CredentialCheck } from "../../core/sdk/index.ts";
import { createTwilioRestClient } from "./twilio-rest.ts";
import type { TwilioConfig } from "./twilio.channel.ts";

/**
 * Asks Twilio for the account (`GET /2010-04-01/Accounts/{sid}.json`, with the SID and auth token as
 * HTTP Basic credentials) and for its numbers: the token is the one that signs every webhook, and a
 * number the account does not hold would never reach this bot.
 */
export async function checkTwilioCredentials(config: TwilioConfig, apiUrl: string): Promise<CredentialCheck> {
  const client = createTwilioRestClient(config, apiUrl);
  try {
    const account = await client.api.v2010.accounts(config.accountSid).fetch();
    if (account.status !== "active") {
      return { ok: false, code: "TWILIO_ACCOUNT_INACTIVE", reason: `Twilio says the account "${account.friendlyName}" is ${account.status}, not active.` };
    }
    const held = new Set((await client.incomingPhoneNumbers.list({ pageSize: 1000, limit: 1000 })).map((n) => n.phoneNumber));
    const missing = config.phoneNumbers.filter((number) => !held.has(number));
    if (missing.length > 0) {
      return { ok: false, code: "TWILIO_NUMBER_NOT_ON_ACCOUNT", reason: `The account "${account.friendlyName}" does not hold ${missing.join(", ")}: buy or port the number in Twilio's console, or remove it here.` };
    }
    return { ok: true, account: `${account.friendlyName} (${config.phoneNumbers.join(", ")})` };
  } catch (error) {
    return refused(error);
  }
}

/** Twilio's refusal (a RestException with its own code), named by what the admin has to change. */
function refused(error: unknown): CredentialCheck {
  if (!(error instanceof twilio.RestException)) {
    return { ok: false, code: "VENDOR_UNREACHABLE", reason: `Twilio could not be reached: ${error instanceof Error ? error.message : String(error)}` };
  }
  const said = `Twilio says: ${error.message}${error.code ? ` (error ${error.code})` : ""}`;
  if (error.status === 401) return { ok: false, code: "TWILIO_CREDENTIALS_INVALID", reason: `The Account SID and auth token were refused. ${said}` };
  if (error.status === 404) return { ok: false, code: "TWILIO_ACCOUNT_UNKNOWN", reason: `No such account. ${said}` };
  if (error.status === 429 || error.status >= 500) return { ok: false, code: "VENDOR_UNREACHABLE", reason: `Twilio is not answering right now; try again in a minute. ${said}` };
  return { ok: false, code: "TWILIO_API_ERROR", reason: `Twilio refused the check. ${said}` };
}
