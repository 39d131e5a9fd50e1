import robotsParserModule from "robots-parser";

// robots-parser is CommonJS whose typings declare an ES default export; under Node's ESM the
// default import is the function itself, which its typings call `default`.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;

/**
 * The rules of a robots.txt that apply to our crawler, read by robots-parser (RFC 9309: the group
 * naming our agent, else `*`; `*` and a trailing `$` in paths; the longest match wins, Allow on a tie).
 */
export const CRAWLER_AGENT = "BotPlatformKnowledge";

export type RobotsRules = { allowed(pathWithQuery: string): boolean };

// robots-parser answers for URLs of the site the file came from; the rules only look at the path,
// so one fixed origin stands for whichever site the text was fetched from.
const SITE = "http://robots.invalid";

export function parseRobotsTxt(text: string, agent = CRAWLER_AGENT): RobotsRules {
  const robots = robotsParser(`${SITE}/robots.txt`, text);
  return { allowed: (path) => robots.isAllowed(new URL(path, SITE).href, agent) !== false };
}

export const allowEverything: RobotsRules = { allowed: () => true };
