import type { RateLimiter } from "../../kernel/cache/rate-limiter.ts";
import { RateLimitedError } from "../../sdk/platform-error.ts";

const WINDOW_SECONDS = 15 * 60;

/**
 * Login throttling with the platform's rate limiter (Redis across nodes, memory embedded): failed
 * sign-ins are counted per email and per client address over 15 minutes; past either limit every
 * attempt answers 429 with Retry-After, before the password is even checked. Only failures count,
 * so a busy office behind one address is not locked out by its own successful sign-ins, and a
 * success clears the email's count.
 */
export function createSignInThrottle(limiter: RateLimiter, limits: { perEmail: number; perIp: number }) {
  const keys = (email: string, ip: string) => [
    { key: `signin:email:${email.toLowerCase()}`, points: limits.perEmail },
    { key: `signin:ip:${ip}`, points: limits.perIp },
  ];
  return {
    async assertAllowed(email: string, ip: string): Promise<void> {
      for (const { key, points } of keys(email, ip)) {
        const decision = await limiter.check(key, points, WINDOW_SECONDS);
        if (!decision.allowed) throw new RateLimitedError("SIGN_IN_THROTTLED", "Too many failed sign-ins; wait a while and try again", decision.retryAfterSeconds);
      }
    },
    async failed(email: string, ip: string): Promise<void> {
      for (const { key, points } of keys(email, ip)) await limiter.consume(key, points, WINDOW_SECONDS);
    },
    async succeeded(email: string, ip: string): Promise<void> {
      const [byEmail] = keys(email, ip);
      await limiter.reset(byEmail!.key, byEmail!.points, WINDOW_SECONDS);
    },
  };
}
