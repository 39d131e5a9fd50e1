/**
 * Semver order for the update button: the catalog publishes only valid semver (checked at
 * publish), so major.minor.patch and a pre-release tag are all there is to compare. These lines
 * instead of the `semver` package (which the server uses): it is CommonJS and several times their
 * size in the console's bundle, for one comparison.
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = "", pre] = v.split("+")[0]!.split(/-(.*)/s);
    return { parts: core.split(".").map(Number), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if ((x.parts[i] ?? 0) !== (y.parts[i] ?? 0)) return (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  // Pre-release identifiers one by one: numbers by value, below words; fewer identifiers first.
  const a2 = x.pre.split(".");
  const b2 = y.pre.split(".");
  for (let i = 0; i < Math.max(a2.length, b2.length); i++) {
    const [p, q] = [a2[i], b2[i]];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    const [m, n] = [/^\d+$/.test(p), /^\d+$/.test(q)];
    if (m && n) return Number(p) - Number(q);
    if (m !== n) return m ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}
