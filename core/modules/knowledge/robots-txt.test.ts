import assert from "node:assert/strict";
import { parseRobotsTxt } from "./robots-txt.ts";

describe("robots.txt rules", () => {
  it("applies the * group when none names our crawler", () => {
    const rules = parseRobotsTxt("User-agent: Googlebot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\nDisallow: /*.json$\n");
    assert.equal(rules.allowed("/"), true);
    assert.equal(rules.allowed("/private/x"), false);
    assert.equal(rules.allowed("/data.json"), false);
    assert.equal(rules.allowed("/data.json?x=1"), true, "$ anchors the end");
  });

  it("prefers the group naming our crawler, and the longest rule, Allow on a tie", () => {
    const rules = parseRobotsTxt("User-agent: *\nDisallow: /\n\nUser-agent: BotPlatformKnowledge\nDisallow: /docs/\nAllow: /docs/public/\n");
    assert.equal(rules.allowed("/"), true);
    assert.equal(rules.allowed("/docs/secret"), false);
    assert.equal(rules.allowed("/docs/public/a"), true);
  });

  it("treats an empty Disallow and comments as allowing everything", () => {
    const rules = parseRobotsTxt("# hello\nUser-agent: *\nDisallow:\n");
    assert.equal(rules.allowed("/anything"), true);
  });
});
