import { getCountries, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
import { z } from "zod";

/**
 * Phone numbers to E.164 with libphonenumber-js, so "+1 (555) 123-4567" and "555-123-4567" name
 * the same person when duplicates are looked for. A number written without `+` (or `00`) is read
 * in the tenant's default country. What is not a possible number there (wrong length, unknown
 * country) is refused rather than guessed. "Possible", not "valid": a number in a range not yet
 * assigned (555 in the US) is still a person's way to be reached in a test or a demo.
 */

export const supportedCountries: readonly CountryCode[] = getCountries();

/** E.164 (`+15551234567`), or undefined when the text is not a phone number we can read. */
export function toE164(text: string, defaultCountry: string): string | undefined {
  const trimmed = text.trim();
  // Letters (vanity numbers, "ext.") are refused rather than read as keypad digits.
  if (trimmed === "" || !/^[+\d\s().\-/]+$/.test(trimmed)) return undefined;
  // `00` is read as the international prefix whatever the country (the US dials 011, but people
  // writing 0044 from anywhere mean +44).
  const written = trimmed.replace(/^00/, "+");
  const country = defaultCountry.toUpperCase() as CountryCode;
  const known = supportedCountries.includes(country);
  if (!written.startsWith("+") && !known) return undefined;
  const phone = parsePhoneNumberFromString(written, { defaultCountry: known ? country : undefined, extract: false });
  return phone?.isPossible() ? phone.number : undefined;
}

// zod's email check (refuses spaces, a missing domain dot and a trailing dot).
const email = z.email().max(320);

/** Lower-cased email, or undefined when it is not one. */
export function normalizeEmail(text: string): string | undefined {
  const parsed = email.safeParse(text.trim().toLowerCase());
  return parsed.success ? parsed.data : undefined;
}
