/** Which way a connection goes: what users read to see why a friend is slow or unreachable. */

/**
 * How the connection was made: `lan` a private address (same network), `direct` a public address
 * nothing stood in front of, `mapped` a port the peer's router opened on request, `punched` through
 * NATs or firewalls by dialling at once or the birthday paradox, `inbound` the peer dialled us,
 * `relayed` through a friend of both that copies the (end-to-end encrypted) bytes.
 */
export type PathVia = "lan" | "direct" | "mapped" | "punched" | "inbound" | "relayed";

/** The family and the way of one connection. */
export interface ConnectionPath {
  family: "IPv4" | "IPv6";
  via: PathVia;
  /** For `relayed`: the relay's name. */
  relay?: string;
}

/** The family of an IP address as text (IPv4-mapped IPv6 counts as IPv4). */
export function familyOf(ip: string): ConnectionPath["family"] {
  return ip.includes(":") && !/^::ffff:\d/.test(ip) ? "IPv6" : "IPv4";
}

/** `IPv6 punched` or `IPv4 relayed via NAME`, as the CLI and the UI print it. */
export function pathText(path: ConnectionPath): string {
  const via = path.relay === undefined ? "" : ` via ${path.relay}`;
  return `${path.family} ${path.via}${via}`;
}
