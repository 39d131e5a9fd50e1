import { hash, verify, type Algorithm } from "@node-rs/argon2";

// argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane). `Algorithm` is a const enum that type
// stripping cannot read, so its value is written out: 2 is Argon2id.
const options = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

/** A hash of nothing anyone knows, verified when the email is unknown so a miss takes as long as a wrong password. */
let dummy: Promise<string> | undefined;

/** Checks a password against a stored hash; with no hash (no such user, or no password set) it still spends the same time and fails. */
export async function verifyPassword(storedHash: string | null | undefined, password: string): Promise<boolean> {
  if (!storedHash) {
    dummy ??= hashPassword(`dummy-${Math.random()}-password`);
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}
