/**
 * The rules of a robots.txt that apply to our crawler: the group naming our agent if there is
 * one, else the `*` group. Allow and Disallow paths may use `*` and a trailing `$`; the longest
 * matching rule wins and Allow wins a tie (RFC 9309).
 */
export const CRAWLER_AGENT = "BotPlatformKnowledge";

type Rule = { allow: boolean; pattern: RegExp; length: number };
export type RobotsRules = { allowed(pathWithQuery: string): boolean };

export function parseRobotsTxt(text: string, agent = CRAWLER_AGENT): RobotsRules {
  const groups: { agents: string[]; rules: Rule[] }[] = [];
  let current: { agents: string[]; rules: Rule[] } | undefined;
  let lastWasAgent = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, "").trim();
    const match = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!match) continue;
    const key = match[1]!.toLowerCase();
    const value = match[2]!.trim();
    if (key === "user-agent") {
      if (!current || !lastWasAgent) groups.push((current = { agents: [], rules: [] }));
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current || (key !== "allow" && key !== "disallow")) continue;
    // An empty Disallow allows everything: it adds no rule.
    if (value === "") continue;
    current.rules.push({ allow: key === "allow", pattern: toPattern(value), length: value.length });
  }
  const ours = groups.filter((g) => g.agents.some((a) => a !== "*" && agent.toLowerCase().includes(a)));
  const rules = (ours.length > 0 ? ours : groups.filter((g) => g.agents.includes("*"))).flatMap((g) => g.rules);
  return {
    allowed(path) {
      let best: Rule | undefined;
      for (const rule of rules) {
        if (!rule.pattern.test(path)) continue;
        if (!best || rule.length > best.length || (rule.length === best.length && rule.allow)) best = rule;
      }
      return best ? best.allow : true;
    },
  };
}

function toPattern(path: string): RegExp {
  const anchored = path.endsWith("$");
  const body = (anchored ? path.slice(0, -1) : path).split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${body}${anchored ? "$" : ""}`);
}

export const allowEverything: RobotsRules = { allowed: () => true };
