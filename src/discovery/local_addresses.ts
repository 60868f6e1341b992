/** The node's own IP addresses, as the network interfaces report them. */

/** One address of this host. */
export interface LocalAddress {
  address: string;
  family: "IPv4" | "IPv6";
  interface: string;
  /** The subnet's mask, as the interface reports it (absent where tests leave it out). */
  netmask?: string;
}

/**
 * Non-loopback addresses of this host, IPv4 first; loopback only when there is nothing else.
 * Link-local IPv6 is left out: it needs a zone id that means nothing to another host.
 */
export function localAddresses(): LocalAddress[] {
  const all = Deno.networkInterfaces().map((i) => ({
    address: i.address,
    family: i.family,
    interface: i.name,
    netmask: i.netmask,
  }));
  const usable = all.filter((a) => !isLoopback(a.address) && !a.address.startsWith("fe80:"));
  const sorted = (usable.length > 0 ? usable : all.filter((a) => isLoopback(a.address)))
    .sort((a, b) => (a.family === b.family ? 0 : a.family === "IPv4" ? -1 : 1));
  return sorted;
}

/** The addresses as one comparable text: the same set gives the same text, in any order. */
export function addressesKey(addresses: LocalAddress[]): string {
  return addresses.map((a) => `${a.interface}=${a.address}`).sort().join(" ");
}

function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1";
}
