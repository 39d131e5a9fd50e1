import { createHmac } from "node:crypto";
import { isPlatformError, type CredentialCheck } from "../../core/sdk/index.ts";
import { createWhatsAppClient, GRAPH_VERSION } from "./whatsapp-client.ts";
import type { WhatsAppConfig } from "./whatsapp.channel.ts";

type GraphError = { message?: string; type?: string; code?: number; error_subcode?: number };

/**
 * Asks the Graph API for the bot's phone number (`GET /{phone-number-id}`) with its access token and
 * an `appsecret_proof` (HMAC-SHA256 of the token with the app secret), which Meta checks whenever it
 * is sent: one read that proves the token, the number and the app secret that signs the webhooks.
 * The verify token is the admin's own choice; Meta never holds it to compare.
 */
export async function checkWhatsAppCredentials(config: WhatsAppConfig, graphUrl: string): Promise<CredentialCheck> {
  const client = createWhatsAppClient(config, graphUrl);
  const proof = createHmac("sha256", config.appSecret).update(config.accessToken).digest("hex");
  // The SDK has no call for a phone number's own fields; `$$apiFetch$$` is its documented way to
  // make one with the same token, version and fetch (so the same base URL and retries apply).
  const url = `https://graph.facebook.com/${GRAPH_VERSION}/${encodeURIComponent(config.phoneNumberId)}?fields=display_phone_number,verified_name&appsecret_proof=${proof}`;
  let body: { display_phone_number?: string; verified_name?: string; error?: GraphError };
  try {
    body = await (await client.$$apiFetch$$(url)).json() as typeof body;
  } catch (error) {
    const reason = isPlatformError(error) ? error.message : `The WhatsApp API could not be reached: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, code: "VENDOR_UNREACHABLE", reason };
  }
  if (body.error) return refused(body.error, config.phoneNumberId);
  const number = body.display_phone_number ?? config.phoneNumberId;
  return { ok: true, account: body.verified_name ? `${number} (${body.verified_name})` : number };
}

/** Meta's refusal, named by what the admin has to change. */
function refused(error: GraphError, phoneNumberId: string): CredentialCheck {
  const said = `Meta says: ${error.message ?? "no reason given"}${error.code !== undefined ? ` (code ${error.code})` : ""}`;
  if (error.code === 190) return { ok: false, code: "WHATSAPP_TOKEN_INVALID", reason: `The access token was refused. ${said}` };
  if (/appsecret_proof/i.test(error.message ?? "")) return { ok: false, code: "WHATSAPP_APP_SECRET_INVALID", reason: `The app secret does not belong to the access token's app. ${said}` };
  if (error.code === 100 || error.code === 803) return { ok: false, code: "WHATSAPP_PHONE_NUMBER_UNKNOWN", reason: `This token cannot read phone number id ${phoneNumberId}: check the number's id in the WhatsApp Manager. ${said}` };
  return { ok: false, code: "WHATSAPP_API_ERROR", reason: `The WhatsApp API refused the check. ${said}` };
}
