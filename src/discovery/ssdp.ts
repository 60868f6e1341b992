/**
 * SSDP discovery of an Internet Gateway Device (UPnP): an M-SEARCH to 239.255.255.250:1900 and
 * the first answer whose LOCATION is on the LAN device that sent it. A hostile LAN device must
 * not make us fetch anything from another host, least of all on the internet.
 */
import { logger } from "../log.ts";
import { addressScope } from "./address_scope.ts";

const log = logger("ssdp");

/** The SSDP multicast group and port. */
export const SSDP_ADDRESS = { hostname: "239.255.255.250", port: 1900 } as const;

/** The search targets of gateways whose WAN connection services can map ports. */
export const IGD_SEARCH_TARGETS = [
  "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
  "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
  "urn:schemas-upnp-org:service:WANIPConnection:1",
  "urn:schemas-upnp-org:service:WANIPConnection:2",
  "urn:schemas-upnp-org:service:WANPPPConnection:1",
] as const;

/** The headers of an SSDP search answer that matter. */
export interface SsdpAnswer {
  location: string;
  st: string;
}

/** The text of an M-SEARCH for `searchTarget`; devices answer within `mxSeconds`. */
export function ssdpSearchRequest(searchTarget: string, mxSeconds = 1): string {
  return [
    "M-SEARCH * HTTP/1.1",
    `HOST: ${SSDP_ADDRESS.hostname}:${SSDP_ADDRESS.port}`,
    'MAN: "ssdp:discover"',
    `MX: ${mxSeconds}`,
    `ST: ${searchTarget}`,
    "",
    "",
  ].join("\r\n");
}

/** Parses an answer to an M-SEARCH (`HTTP/1.1 200 OK` with LOCATION and ST); undefined if not. */
export function parseSsdpAnswer(text: string): SsdpAnswer | undefined {
  const lines = text.split(/\r?\n/);
  if (!/^HTTP\/1\.[01] 200\b/.test(lines[0] ?? "")) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  const location = headers.get("location");
  const st = headers.get("st");
  return location && st ? { location, st } : undefined;
}

/**
 * The LOCATION of an answer from `sender`, when it is safe to fetch: http, on the sender itself
 * (an IPv4 literal, no name to resolve elsewhere), and the sender is on the LAN.
 */
export function trustedLocation(location: string, sender: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" || url.username || url.password) return undefined;
  if (url.hostname !== sender) return undefined;
  const scope = addressScope(sender);
  return scope === "private" || scope === "link-local" || scope === "loopback" ? url : undefined;
}

/** Options of {@link discoverIgd}. */
export interface SsdpOptions {
  /** The local IPv4 address to search from; default any. */
  localAddress?: string;
  /** Give up after this long. Default 1500. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Where to send the search; default {@link SSDP_ADDRESS} (tests use a loopback socket). */
  target?: { hostname: string; port: number };
}

/** Searches for a gateway and resolves to the first safe description URL; undefined if none. */
export async function discoverIgd(options: SsdpOptions = {}): Promise<URL | undefined> {
  const timeoutMs = options.timeoutMs ?? 1500;
  let socket: Deno.DatagramConn;
  try {
    socket = Deno.listenDatagram({
      transport: "udp",
      hostname: options.localAddress ?? "0.0.0.0",
      port: 0,
    });
  } catch (error) {
    log.debug("cannot open a socket for SSDP", { error });
    return undefined;
  }
  const stop = (): void => socket.close();
  const timer = setTimeout(stop, timeoutMs);
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    const target = { transport: "udp" as const, ...(options.target ?? SSDP_ADDRESS) };
    const mx = Math.max(1, Math.min(5, Math.floor(timeoutMs / 1000)));
    for (const st of IGD_SEARCH_TARGETS) {
      await socket.send(new TextEncoder().encode(ssdpSearchRequest(st, mx)), target);
    }
    return await firstTrustedAnswer(socket);
  } catch (error) {
    log.debug("SSDP search failed", { error });
    return undefined;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", stop);
    try {
      socket.close();
    } catch { /* closed by the timer */ }
  }
}

async function firstTrustedAnswer(socket: Deno.DatagramConn): Promise<URL | undefined> {
  const targets: readonly string[] = IGD_SEARCH_TARGETS;
  for (;;) {
    let bytes: Uint8Array;
    let from: Deno.Addr;
    try {
      [bytes, from] = await socket.receive();
    } catch {
      return undefined; // closed: timed out or aborted
    }
    const sender = (from as Deno.NetAddr).hostname;
    const answer = parseSsdpAnswer(new TextDecoder().decode(bytes.subarray(0, 4096)));
    if (!answer || !targets.includes(answer.st)) continue;
    const url = trustedLocation(answer.location, sender);
    if (url) return url;
    log.info("ignored a UPnP gateway whose description is not on its own LAN address", {
      sender,
      location: answer.location.slice(0, 200),
    });
  }
}
