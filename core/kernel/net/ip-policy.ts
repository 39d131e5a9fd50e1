import { BlockList, isIP } from "node:net";

/**
 * Which IP addresses an outbound call may connect to. Everything that is not plainly a public
 * unicast address is refused: loopback, private and shared ranges, link-local (cloud metadata at
 * 169.254.169.254), "this network", multicast, reserved and documentation ranges, and the IPv6
 * forms that embed an IPv4 address (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16,
 * the old compatible ::a.b.c.d), which are judged by the IPv4 address they carry.
 */
const blockedV4 = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) blockedV4.addSubnet(net, prefix, "ipv4");

const blockedV6 = new BlockList();
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as const) blockedV6.addSubnet(net, prefix, "ipv6");

/** 16 bytes of an IPv6 address written in any textual form (with or without an IPv4 tail). */
function ipv6Bytes(address: string): Uint8Array | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const groups: number[] = [];
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const parts = v4[1]!.split(".").map(Number);
    text = text.slice(0, -v4[1]!.length) + ((parts[0]! << 8) | parts[1]!).toString(16) + ":" + ((parts[2]! << 8) | parts[3]!).toString(16);
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  for (const g of head) groups.push(parseInt(g, 16));
  for (let i = 0; i < missing; i++) groups.push(0);
  for (const g of tail) groups.push(parseInt(g, 16));
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => { bytes[i * 2] = (g >> 8) & 0xff; bytes[i * 2 + 1] = g & 0xff; });
  return groups.some((g) => Number.isNaN(g) || g < 0 || g > 0xffff) ? undefined : bytes;
}

function v4FromBytes(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** The IPv4 address an IPv6 address carries, for the forms that route to it. */
function embeddedV4(b: Uint8Array): string | undefined {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4FromBytes(b, 12); // ::ffff:a.b.c.d
  if (zeros(0, 12)) return v4FromBytes(b, 12); // ::a.b.c.d (compatible; also :: and ::1, refused anyway)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return v4FromBytes(b, 12); // NAT64
  if (b[0] === 0x20 && b[1] === 0x02) return v4FromBytes(b, 2); // 6to4
  return undefined;
}

/** True when connecting to this IP address could reach the host, its network or its cloud. */
export function isBlockedAddress(address: string): boolean {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 4) return blockedV4.check(bare, "ipv4");
  if (family !== 6) return true; // not an address at all: refuse rather than guess
  const bytes = ipv6Bytes(bare);
  if (!bytes) return true;
  const v4 = embeddedV4(bytes);
  if (v4 !== undefined) return v4 === "0.0.0.0" || blockedV4.check(v4, "ipv4") || bare === "::" || bare === "::1";
  return blockedV6.check(bare.split("%")[0]!, "ipv6");
}
