import twilio from "twilio";
import type { TwilioConfig } from "./twilio.channel.ts";

type RequestOptions<T> = Parameters<typeof twilio.RequestClient.prototype.request<T>>[0];

const TWILIO_API = "https://api.twilio.com";

/**
 * Twilio's own HTTP client, pointed at the channel's `apiUrl` setting (TWILIO_API_URL) (a proxy, or a fake in tests): the SDK
 * builds every URL on api.twilio.com, so the host is swapped just before the request goes out.
 * It retries 429 with backoff itself (`autoRetry`).
 */
class RebasedRequestClient extends twilio.RequestClient {
  readonly #base: string;
  constructor(base: string) {
    super({ autoRetry: true, maxRetries: 3, maxRetryDelay: 2000, timeout: 15_000 });
    this.#base = base;
  }
  override request<T>(opts: RequestOptions<T>) {
    return super.request<T>({ ...opts, uri: opts.uri.replace(TWILIO_API, this.#base) });
  }
}

export function createTwilioRestClient(config: TwilioConfig, apiUrl: string): twilio.Twilio {
  return twilio(config.accountSid, config.authToken, apiUrl === TWILIO_API ? {} : { httpClient: new RebasedRequestClient(apiUrl) });
}
