/**
 * Where the router is: the default IPv4 gateway from Linux's `/proc/net/route`, or, where that
 * cannot be read, guesses from this host's subnets; and which of our addresses faces it.
 */
import { addressScope } from "./address_scope.ts";

/** A default route: the gateway's IPv4 address and the interface it is reached through. */
export interface DefaultRoute {
  gateway: string;
  interface: string;
}

/** What {@link localAddressFacing} needs of a network interface (`Deno.NetworkInterfaceInfo`). */
export interface InterfaceAddress {
  name: string;
  family: "IPv4" | "IPv6";
  address: string;
  netmask: string;
}

const RTF_UP = 0x1;
const RTF_GATEWAY = 0x2;

/**
 * The default routes in the text of `/proc/net/route`, lowest metric first. Its addresses are
 * 32-bit hex in host byte order (little-endian on every Linux we run on): `010200C0` is 192.0.2.1.
 */
export function parseProcNetRoute(text: string): DefaultRoute[] {
  const routes: { route: DefaultRoute; metric: number }[] = [];
  for (const line of text.split("\n").slice(1)) {
    const [iface, destination, gateway, flags, , , metric, mask] = line.trim().split(/\s+/);
    if (!iface || !gateway || !flags || !metric || destination !== "00000000") continue;
    if (mask !== "00000000" || !/^[0-9a-fA-F]{8}$/.test(gateway)) continue;
    const bits = parseInt(flags, 16);
    if ((bits & RTF_UP) === 0 || (bits & RTF_GATEWAY) === 0) continue;
    const ip = littleEndianIpv4(gateway);
    if (addressScope(ip) === "unspecified") continue;
    routes.push({ route: { gateway: ip, interface: iface }, metric: Number(metric) || 0 });
  }
  return routes.sort((a, b) => a.metric - b.metric).map((r) => r.route);
}

/** Reads the default gateway on Linux; undefined elsewhere, or when reading is not allowed. */
export async function readDefaultGateway(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return undefined;
  try {
    return parseProcNetRoute(await Deno.readTextFile("/proc/net/route"))[0]?.gateway;
  } catch {
    return undefined; // no /proc, or the sandbox does not allow --allow-read=/proc/net/route
  }
}

/**
 * Guesses for where a router is, when the route table cannot be read (Deno lets only programs
 * with every permission read `/proc`, so the sandboxed engine always guesses): for each private
 * IPv4 address, the first host of its subnet (by the netmask), then the `.1` of its /24. Routers
 * almost always take one of those; a wrong guess costs one unanswered packet.
 */
export function guessGateways(interfaces: InterfaceAddress[]): string[] {
  const guesses = new Set<string>();
  for (const i of interfaces) {
    if (i.family !== "IPv4" || addressScope(i.address) !== "private") continue;
    const address = ipv4Number(i.address);
    const mask = ipv4Number(i.netmask);
    const first = address !== undefined && mask !== undefined && mask !== 0xffffffff
      ? ipv4Text(((address & mask) + 1) >>> 0)
      : undefined;
    for (const guess of [first, i.address.replace(/\.\d+$/, ".1")]) {
      if (guess !== undefined && guess !== i.address) guesses.add(guess);
    }
  }
  return [...guesses];
}

/** Our IPv4 address in the gateway's subnet (by each interface's netmask); undefined if none. */
export function localAddressFacing(
  gateway: string,
  interfaces: InterfaceAddress[],
): string | undefined {
  const target = ipv4Number(gateway);
  if (target === undefined) return undefined;
  for (const i of interfaces) {
    const address = ipv4Number(i.address);
    const mask = ipv4Number(i.netmask);
    if (i.family !== "IPv4" || address === undefined || mask === undefined) continue;
    if (((address ^ target) & mask) >>> 0 === 0) return i.address;
  }
  return undefined;
}

function littleEndianIpv4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join(".");
}

function ipv4Text(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function ipv4Number(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) {
    return undefined;
  }
  return parts.reduce((n, p) => ((n << 8) | Number(p)) >>> 0, 0);
}
