/**
 * What a consent grants, in the API's words (marketplace/installs/plugin-config.check.ts checks the
 * same): every capability the version asks for, with `http:*` answered by the hosts the person names.
 */

/** The hosts named for a plugin asking `http:*`: its http grants that are not asked for by name. */
export function chosenHosts(capabilities: readonly string[], grants: readonly string[]): string[] {
  return grants.filter((g) => g.startsWith("http:") && g !== "http:*" && !capabilities.includes(g)).map((g) => g.slice("http:".length));
}

export function asksForHosts(capabilities: readonly string[]): boolean {
  return capabilities.includes("http:*");
}

/** The grants of a whole consent to `capabilities`, with `hosts` for `http:*`. */
export function grantsFor(capabilities: readonly string[], hosts: readonly string[]): string[] {
  const named = capabilities.filter((c) => c !== "http:*");
  return asksForHosts(capabilities) ? [...named, ...hosts.map((h) => `http:${h}`)] : [...named];
}

/** Capabilities of a version that `grants` leave out (what needs consent again before moving to it). */
export function missingGrants(capabilities: readonly string[], grants: readonly string[]): string[] {
  return capabilities.filter((c) => (c === "http:*" ? !grants.some((g) => g.startsWith("http:")) : !grants.includes(c)));
}

/** "api.example.com, crm.example.com:8443" → host names, as a person types them (a URL is cut to its host). */
export function parseHosts(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((h) => h.trim().toLowerCase().replace(/^[a-z]+:\/\//, "").split(/[/?#]/)[0]!).filter(Boolean))];
}
