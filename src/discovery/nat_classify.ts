/** Works out the NAT type from what STUN servers at different IPs saw of one local UDP port. */
import { bytesToIp, ipToBytes } from "./announce_address.ts";
import type { NatType } from "./nat_type.ts";
import type { MappedAddress } from "./stun_message.ts";

/**
 * Classifies the NAT in front of `localPort`. `mapped` holds one mapping per STUN server, each
 * server at a different IP (a symmetric NAT only shows itself towards different destinations).
 * `none`: every server saw one of `localAddresses` with our port. `easy`: two or more servers saw
 * the same ip:port. `hard`: they saw different ones. `unknown`: nothing to compare.
 */
export function classifyNat(
  localAddresses: string[],
  localPort: number,
  mapped: MappedAddress[],
): NatType {
  if (mapped.length === 0) return "unknown";
  const local = new Set(localAddresses.map(canonicalIp));
  const isLocal = (m: MappedAddress): boolean =>
    m.port === localPort && local.has(canonicalIp(m.ip));
  if (mapped.every(isLocal)) return "none";
  if (mapped.length < 2) return "unknown";
  const first = mapped[0]!;
  const same = mapped.every((m) =>
    m.port === first.port && canonicalIp(m.ip) === canonicalIp(first.ip)
  );
  return same ? "easy" : "hard";
}

/** One spelling per address: IPv6 compressed and lower case, IPv4-mapped IPv6 as IPv4. */
function canonicalIp(ip: string): string {
  const bytes = ipToBytes(ip);
  if (!bytes) return ip;
  const v4Mapped = bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff && bytes[11] === 0xff;
  return bytesToIp(v4Mapped ? bytes.subarray(12) : bytes);
}
