import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { fillSecrets, loneVariable, parseTemplate, renderTemplate, renderValue, renderWithSecrets, templateReferences, tokenizeTemplate } from "./template.ts";

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

  it("read nested paths through objects and lists, and nothing inherited", () => {
    const deep = { session: { cart: [{ sku: "A-1", qty: 2 }], order: { address: { city: "Lyon" } } } };
    assert.equal(renderTemplate("{{session.cart.0.sku}} x{{session.cart.0.qty}} to {{ session.order.address.city }}", deep), "A-1 x2 to Lyon");
    assert.equal(renderTemplate("{{session.cart.1.sku}}|{{session.order.toString}}|{{session.cart.0.sku.length}}", deep), "||");
    assert.equal(renderTemplate("{{session.cart.length}} item", deep), "1 item"); // a list's own length
    assert.deepEqual(renderValue("{{session.order.address}}", deep), { city: "Lyon" });
  });

  it("parse a scope no flow has as a variable that renders empty, and report it for validation", () => {
    assert.equal(renderTemplate("[{{billing.plan}}]", scopes), "[]");
    assert.deepEqual(templateReferences("{{billing.plan}} {{user.name}}"), { scopes: ["billing", "user"], secrets: [], malformed: [] });
    assert.deepEqual(tokenizeTemplate("{{billing.plan}}"), [{ kind: "var", raw: "{{billing.plan}}", scope: "billing", path: ["plan"] }]);
  });

  it("find and list the secrets a template names, in order, and nothing that only looks like one", () => {
    const refs = templateReferences("Bearer {{secret:api_key}}; {{ secret:other }} {{secret:Bad}} {{secret: spaced}} {{secret:api_key}}");
    assert.deepEqual(refs.secrets, ["api_key", "other", "api_key"]);
    assert.deepEqual(refs.malformed, ["{{secret:Bad}}", "{{secret: spaced}}"]);
  });

  it("leave unclosed and stray braces as written", () => {
    assert.equal(renderTemplate("Hi {{user.name", scopes), "Hi {{user.name");
    assert.equal(renderTemplate("Hi {{user.name}", scopes), "Hi {{user.name}");
    assert.equal(renderTemplate("{{ {{user.name}} }}", scopes), "{{ Ada }}");
    assert.equal(renderTemplate("{{{user.name}}}", scopes), "{Ada}");
    assert.deepEqual(templateReferences("{{user.name"), { scopes: [], secrets: [], malformed: [] });
    assert.equal(parseTemplate("no {{ placeholders").hasPlaceholders, false);
  });

  it("escape substituted values with the caller's encoding, never the author's text, and HTML-escape nothing", async () => {
    const hostile = { user: { q: "a&b=<c>/d" } };
    assert.equal(renderTemplate("https://x.test/s?q={{user.q}}&lang=en", hostile, encodeURIComponent), "https://x.test/s?q=a%26b%3D%3Cc%3E%2Fd&lang=en");
    assert.equal(renderTemplate("<b>{{user.q}}</b>", hostile), "<b>a&b=<c>/d</b>");
    const out = await renderWithSecrets("https://x.test/{{user.q}}?k={{secret:key}}", hostile, async () => "s p&c", encodeURIComponent);
    assert.equal(out, "https://x.test/a%26b%3D%3Cc%3E%2Fd?k=s%20p%26c");
  });

  it("tell a lone variable from a template with text around it", () => {
    assert.deepEqual(loneVariable("{{ user.tags.1 }}"), { scope: "user", path: ["tags", "1"], ref: "user.tags.1" });
    assert.equal(loneVariable("{{user.name}}!"), undefined);
    assert.equal(loneVariable("{{secret:token}}"), undefined);
    assert.equal(loneVariable("{{user}}"), undefined);
  });

  it("fill only secrets in one-off text, leaving variables and malformed placeholders alone", async () => {
    const asked: string[] = [];
    const out = await fillSecrets("{{user.name}} {{secret:a}}-{{ secret:b }} {{1+1}}", async (name) => { asked.push(name); return name.toUpperCase(); });
    assert.equal(out, "{{user.name}} A-B {{1+1}}");
    assert.deepEqual(asked, ["a", "b"]);
    assert.equal(await fillSecrets("nothing here", async () => assert.fail("no secret to resolve")), "nothing here");
    await assert.rejects(fillSecrets("{{secret:gone}}", async () => { throw new Error("refused"); }), /refused/);
  });
});
