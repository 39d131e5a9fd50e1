/**
 * Phone numbers to E.164, so "+1 (555) 123-4567" and "555-123-4567" name the same person when
 * duplicates are looked for. Deliberately small (no metadata for every numbering plan): it strips
 * formatting, reads an explicit `+` or `00` international prefix, and otherwise applies the
 * default country's calling code, dropping a national trunk prefix. What it cannot read as a
 * plausible E.164 number (8 to 15 digits) it refuses rather than guesses.
 */

/** Calling codes and trunk prefixes of the default countries we accept. */
const countries: Record<string, { code: string; trunk?: string; nationalDigits?: readonly number[] }> = {
  US: { code: "1", trunk: "1", nationalDigits: [10] }, CA: { code: "1", trunk: "1", nationalDigits: [10] },
  GB: { code: "44", trunk: "0" }, IE: { code: "353", trunk: "0" }, DE: { code: "49", trunk: "0" }, FR: { code: "33", trunk: "0", nationalDigits: [9] },
  ES: { code: "34", nationalDigits: [9] }, IT: { code: "39" }, NL: { code: "31", trunk: "0", nationalDigits: [9] }, BE: { code: "32", trunk: "0" },
  CH: { code: "41", trunk: "0", nationalDigits: [9] }, AT: { code: "43", trunk: "0" }, SE: { code: "46", trunk: "0" }, PT: { code: "351", nationalDigits: [9] },
  PL: { code: "48", nationalDigits: [9] }, AU: { code: "61", trunk: "0", nationalDigits: [9] }, NZ: { code: "64", trunk: "0" }, IN: { code: "91", trunk: "0", nationalDigits: [10] },
  BR: { code: "55", trunk: "0" }, MX: { code: "52", nationalDigits: [10] }, ZA: { code: "27", trunk: "0", nationalDigits: [9] }, JP: { code: "81", trunk: "0" },
  SG: { code: "65", nationalDigits: [8] },
};
export const supportedCountries = Object.keys(countries);

/** E.164 (`+15551234567`), or undefined when the text is not a phone number we can read. */
export function toE164(text: string, defaultCountry: string): string | undefined {
  const trimmed = text.trim();
  // Letters (vanity numbers, "ext.") are refused rather than silently dropped.
  if (trimmed === "" || !/^[+\d\s().\-/]+$/.test(trimmed)) return undefined;
  let digits = trimmed.replace(/\D/g, "");
  if (trimmed.startsWith("+")) return plausible(digits);
  if (digits.startsWith("00")) return plausible(digits.slice(2));
  const country = countries[defaultCountry.toUpperCase()];
  if (!country) return undefined;
  if (country.code === "1" && digits.length === 11 && digits.startsWith("1")) digits = digits.slice(1);
  else if (country.trunk && digits.startsWith(country.trunk) && country.code !== "1") digits = digits.slice(country.trunk.length);
  if (country.nationalDigits && !country.nationalDigits.includes(digits.length)) return undefined;
  return plausible(country.code + digits);
}

function plausible(digits: string): string | undefined {
  return /^[1-9]\d{7,14}$/.test(digits) ? `+${digits}` : undefined;
}

// Same rule as the question node's email check: one @, a dot in the domain, no spaces.
const emailPattern = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;

/** Lower-cased email, or undefined when it is not one. */
export function normalizeEmail(text: string): string | undefined {
  const email = text.trim().toLowerCase();
  return email.length <= 320 && emailPattern.test(email) ? email : undefined;
}
