import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { parseTemplate, renderTemplate, renderValue, renderWithSecrets, templateReferences } from "./template.ts";

const scopes = { user: { name: "Ada", age: 36, tags: ["a", "b"] }, context: { locale: "en" } };

describe("templates", () => {
  it("substitute {{scope.path}} and leave missing values empty", () => {
    assert.equal(renderTemplate("Hi {{user.name}} ({{ user.age }}), {{user.missing}}!", scopes), "Hi Ada (36), !");
    assert.equal(renderTemplate("{{user.tags}} {{user.tags.1}}", scopes), '["a","b"] b');
  });

  it("evaluate nothing: expressions are not placeholders and stay as written", () => {
    assert.equal(renderTemplate("{{user.name.constructor}} {{1+1}} {{process.env}}", scopes), " {{1+1}} ");
    assert.deepEqual(templateReferences("{{1+1}} {{process.env}} {{secret:api_key}}"), { scopes: ["process"], secrets: ["api_key"], malformed: ["{{1+1}}"] });
  });

  it("keep {{secret:name}} out of ordinary rendering", () => {
    assert.equal(renderTemplate("Bearer {{secret:token}}", scopes), "Bearer {{secret:token}}");
  });

  it("resolve secrets only where the flow author wrote them, never from a variable's value", async () => {
    const sneaky = { user: { name: "{{secret:token}}" } };
    const out = await renderWithSecrets("{{secret:token}}|{{user.name}}", sneaky, async (name) => (name === "token" ? "s3cr3t" : undefined));
    assert.equal(out, "s3cr3t|{{secret:token}}");
    await assert.rejects(renderWithSecrets("{{secret:nope}}", {}, async () => undefined), { code: "SECRET_NOT_FOUND" });
  });

  it("keep a lone placeholder's type with renderValue", () => {
    assert.equal(renderValue("{{user.age}}", scopes), 36);
    assert.equal(renderValue("age {{user.age}}", scopes), "age 36");
  });

  it("parse once and reuse", () => {
    assert.equal(parseTemplate("x {{user.name}}"), parseTemplate("x {{user.name}}"));
  });
});
