import assert from "node:assert/strict";
import { normalizeEmail, toE164 } from "./phone-number.ts";

describe("phone numbers and emails before a CRM write", () => {
  it("reads differently formatted US numbers as the same E.164 number", () => {
    for (const text of ["+1 (555) 123-4567", "555-123-4567", "(555) 123 4567", "1-555-123-4567", "001 555 123 4567"]) {
      assert.equal(toE164(text, "US"), "+15551234567", text);
    }
  });

  it("drops the national trunk prefix of the default country", () => {
    assert.equal(toE164("020 7946 0018", "GB"), "+442079460018");
    assert.equal(toE164("06 12 34 56 78", "FR"), "+33612345678");
    assert.equal(toE164("+44 20 7946 0018", "US"), "+442079460018");
  });

  it("refuses what is not a phone number instead of guessing", () => {
    for (const text of ["", "call me", "123", "555-123-45678", "+0 555 1234", "1-800-FLOWERS"]) assert.equal(toE164(text, "US"), undefined, text);
    assert.equal(toE164("555-123-4567", "XX"), undefined);
  });

  it("lower-cases emails and refuses malformed ones", () => {
    assert.equal(normalizeEmail("  Ada@Example.COM "), "ada@example.com");
    for (const text of ["ada", "ada@", "ada@example", "a b@example.com", "@example.com", "ada@example.com."]) assert.equal(normalizeEmail(text), undefined, text);
  });
});
