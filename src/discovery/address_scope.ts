/**
 * How far an IP address reaches: only this host, this network, or the internet; and the kinds
 * nobody can be dialled at (unspecified, multicast, broadcast, reserved). Text in, pure.
 */

/** The reach of an address. */
export type AddressScope =
  /** 0.0.0.0/8, `::`: "this host, any address": not a place to dial. */
  | "unspecified"
  /** 127.0.0.0/8, `::1`: this host. */
  | "loopback"
  /** 169.254.0.0/16, fe80::/10: one link, meaningless elsewhere. */
  | "link-local"
  /** RFC 1918, carrier-grade NAT (100.64.0.0/10), unique local IPv6 (fc00::/7): one network. */
  | "private"
  /** 224.0.0.0/4, ff00::/8. */
  | "multicast"
  /** 255.255.255.255. */
  | "broadcast"
  /** 240.0.0.0/4 (but broadcast): never assigned. */
  | "reserved"
  /** Anything else: reachable across the internet. */
  | "global"
  /** Not an IP address at all. */
  | "invalid";

/** The scope of `ip` (IPv4, IPv6, or IPv4-mapped IPv6). */
export function addressScope(ip: string): AddressScope {
  const v4 = ipv4(ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip);
  if (v4) return ipv4Scope(v4);
  const v6 = ipv6(ip);
  return v6 ? ipv6Scope(v6) : "invalid";
}

function ipv4Scope(numbers: number[]): AddressScope {
  const [a, b] = numbers;
  if (numbers.every((n) => n === 255)) return "broadcast";
  if (a === 0) return "unspecified";
  if (a === 127) return "loopback";
  if (a === 169 && b === 254) return "link-local";
  if (a === 10 || (a === 172 && b! >= 16 && b! < 32) || (a === 192 && b === 168)) {
    return "private";
  }
  if (a === 100 && b! >= 64 && b! < 128) return "private";
  if (a! >= 224 && a! < 240) return "multicast";
  if (a! >= 240) return "reserved";
  return "global";
}

function ipv6Scope(groups: number[]): AddressScope {
  if (groups.every((g) => g === 0)) return "unspecified";
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return "loopback";
  const first = groups[0]!;
  if ((first & 0xff00) === 0xff00) return "multicast";
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  if ((first & 0xfe00) === 0xfc00) return "private";
  return "global";
}

/** The four numbers of a dotted IPv4 address, or undefined. */
function ipv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  const numbers = parts.map(Number);
  return numbers.some((n) => n > 255) ? undefined : numbers;
}

/** The eight groups of an IPv6 address (`::` expanded, zone dropped), or undefined. */
function ipv6(text: string): number[] | undefined {
  const bare = text.replace(/%.*$/, "");
  if (!/^[0-9a-fA-F:]+$/.test(bare) || !bare.includes(":")) return undefined;
  const halves = bare.split("::");
  if (halves.length > 2) return undefined;
  const read = (half: string) => (half === "" ? [] : half.split(":"));
  const head = read(halves[0]!);
  const tail = halves.length === 2 ? read(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16));
}
