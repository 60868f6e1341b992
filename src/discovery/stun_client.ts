/**
 * STUN binding client: asks STUN servers which public ip:port they see for one local UDP socket,
 * and from that learns the NAT type. The codec is in stun_message.ts, the verdict in nat_classify.ts.
 */
import { isIP } from "node:net";
import { logger } from "../log.ts";
import { toHex } from "../transport/mod.ts";
import { type ErrorCode, HdpError, hdpError, messageOf } from "../wire/mod.ts";
import { classifyNat } from "./nat_classify.ts";
import type { NatType } from "./nat_type.ts";
import { localAddresses } from "./local_addresses.ts";
import {
  bindingRequest,
  type MappedAddress,
  newTransactionId,
  parseBindingResponse,
  transactionIdOf,
} from "./stun_message.ts";

const log = logger("stun");

/** Where a STUN server listens: an IP address or a host name, and a UDP port. */
export interface StunServer {
  hostname: string;
  port: number;
}

/** What one server said, or why it said nothing. */
export interface StunResult {
  server: StunServer;
  /** The IP the request went to (the server's, resolved when it was a name). */
  address?: string;
  /** The public ip:port the server saw. */
  mapped?: MappedAddress;
  /** Milliseconds from the first request to the answer, retransmissions included. */
  rttMs?: number;
  /** Why there is no `mapped`. */
  error?: string;
  /** The code of {@link error}: `TIMEOUT`, `NOT_FOUND` (name), `PROTOCOL` (bad answer) or `IO`. */
  code?: ErrorCode;
}

/** Looks up the addresses of a host name; `family` is that of the socket. */
export type Resolver = (hostname: string, family: 4 | 6, signal: AbortSignal) => Promise<string[]>;

/** How patiently to probe. */
export interface StunProbeOptions {
  /** Give up on a server after this long, retransmissions included. Default 1500. */
  timeoutMs?: number;
  /** Retransmissions after the first request, each after twice the wait of the one before. Default 2. */
  retries?: number;
  /** Name lookup; default `Deno.resolveDns` (A for an IPv4 socket, AAAA then A for IPv6). */
  resolve?: Resolver;
}

/** What {@link learnPublicAddress} found out. */
export interface PublicAddress {
  /** One mapping per STUN server IP that answered. */
  mapped: MappedAddress[];
  natType: NatType;
  /** Every server's result, for diagnostics. */
  results: StunResult[];
}

type Waiter = (reply: Uint8Array) => void;

/**
 * Sends a binding request to every server from `socket` at once and waits for the answers,
 * ignoring any other datagram. Reads the socket while it runs, and leaves one read pending after:
 * the next datagram is dropped, so hand it a socket nothing else reads, or close it afterwards.
 */
export async function stunProbe(
  socket: Deno.DatagramConn,
  servers: StunServer[],
  options: StunProbeOptions = {},
): Promise<StunResult[]> {
  return await startProbe(socket, servers, options).results;
}

/**
 * Binds a UDP socket on `port` (0: any) of every IPv4 interface, asks `servers`, closes the
 * socket again (so the QUIC endpoint can bind that port right after) and classifies the NAT.
 * A port already taken throws `CONFLICT`.
 */
export async function learnPublicAddress(
  port: number,
  servers: StunServer[],
  options: StunProbeOptions & { localAddresses?: string[] } = {},
): Promise<PublicAddress> {
  let socket: Deno.DatagramConn;
  try {
    socket = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port });
  } catch (error) {
    const code = error instanceof Deno.errors.AddrInUse ? "CONFLICT" : "IO";
    throw hdpError(code, `Cannot bind UDP port ${port}: ${messageOf(error)}`, error);
  }
  const localPort = (socket.addr as Deno.NetAddr).port;
  const probe = startProbe(socket, servers, options);
  let results: StunResult[];
  try {
    results = await probe.results;
  } finally {
    socket.close();
    await probe.reading; // the pending read ends with the close; then the port is free
  }
  const mapped = mappingsFromDistinctServers(results);
  const local = options.localAddresses ?? localAddresses().map((a) => a.address);
  const natType = classifyNat(local, localPort, mapped);
  log.debug("learned the public address", { localPort, mapped, natType });
  return { mapped, natType, results };
}

/**
 * Asks `servers` over IPv6 from a fresh socket on any port: what the internet sees of this host's
 * IPv6 (its own address, without NAT66; another one behind a prefix translation). Undefined when
 * the host cannot open an IPv6 socket; otherwise the mappings (none: no server answered) and the
 * socket's port, to tell a port-preserving translation from a stateful one.
 */
export async function learnIpv6Address(
  servers: StunServer[],
  options: StunProbeOptions = {},
): Promise<{ mapped: MappedAddress[]; localPort: number } | undefined> {
  let socket: Deno.DatagramConn;
  try {
    socket = Deno.listenDatagram({ transport: "udp", hostname: "::", port: 0 });
  } catch (error) {
    log.debug("no IPv6 socket for STUN", { error: messageOf(error) });
    return undefined;
  }
  const localPort = (socket.addr as Deno.NetAddr).port;
  const probe = startProbe(socket, servers, options);
  let results: StunResult[];
  try {
    results = await probe.results;
  } finally {
    socket.close();
    await probe.reading;
  }
  const mapped = mappingsFromDistinctServers(results)
    .filter((m) => m.ip.includes(":") && !m.ip.toLowerCase().startsWith("::ffff:"));
  log.debug("learned the public IPv6 address", { localPort, mapped });
  return { mapped, localPort };
}

/**
 * The first mapping from each distinct server IP: two ports of one server IP cannot tell an
 * address-dependent NAT from an endpoint-independent one.
 */
export function mappingsFromDistinctServers(results: StunResult[]): MappedAddress[] {
  const seen = new Set<string>();
  const mapped: MappedAddress[] = [];
  for (const result of results) {
    if (!result.mapped || result.address === undefined || seen.has(result.address)) continue;
    seen.add(result.address);
    mapped.push(result.mapped);
  }
  return mapped;
}

/**
 * When each attempt is sent, in ms from the start: the waits double and add up to `timeoutMs`
 * (1500 ms, 2 retries: 0, 214, 643, giving up at 1500).
 */
export function retransmitSchedule(timeoutMs: number, retries: number): number[] {
  const attempts = Math.max(1, Math.floor(retries) + 1);
  const base = timeoutMs / (2 ** attempts - 1);
  return Array.from({ length: attempts }, (_, i) => Math.round(base * (2 ** i - 1)));
}

function startProbe(
  socket: Deno.DatagramConn,
  servers: StunServer[],
  options: StunProbeOptions,
): { results: Promise<StunResult[]>; reading: Promise<void> } {
  const waiting = new Map<string, Waiter>();
  const state = { done: false };
  const reading = readReplies(socket, waiting, state);
  const family = (socket.addr as Deno.NetAddr).hostname.includes(":") ? 6 : 4;
  const results = Promise.all(
    servers.map((server) => probeOne(socket, server, family, waiting, options)),
  )
    .finally(() => {
      state.done = true;
    });
  return { results, reading };
}

/** The one reader of the socket: hands STUN-looking datagrams to whoever waits for their id. */
async function readReplies(
  socket: Deno.DatagramConn,
  waiting: Map<string, Waiter>,
  state: { done: boolean },
): Promise<void> {
  let failures = 0;
  while (!state.done) {
    let bytes: Uint8Array;
    try {
      [bytes] = await socket.receive();
    } catch (error) {
      // Closed: the end. Anything else (an ICMP error on some systems) may pass; a storm may not.
      if (isClosed(error) || ++failures > 100) return;
      continue;
    }
    const id = transactionIdOf(bytes);
    if (id) waiting.get(toHex(id))?.(bytes);
  }
}

async function probeOne(
  socket: Deno.DatagramConn,
  server: StunServer,
  family: 4 | 6,
  waiting: Map<string, Waiter>,
  options: StunProbeOptions,
): Promise<StunResult> {
  const timeoutMs = options.timeoutMs ?? 1500;
  let address: string;
  try {
    address = await resolveServer(server.hostname, family, timeoutMs, options.resolve);
  } catch (error) {
    return failure(server, undefined, error, "NOT_FOUND");
  }
  const id = newTransactionId();
  const request = bindingRequest(id);
  const key = toHex(id);
  const target: Deno.NetAddr = { transport: "udp", hostname: address, port: server.port };
  const started = performance.now();
  return await new Promise<StunResult>((resolve) => {
    const timers: ReturnType<typeof setTimeout>[] = [];
    const finish = (result: StunResult): void => {
      waiting.delete(key);
      timers.forEach(clearTimeout);
      resolve(result);
    };
    waiting.set(key, (reply) => {
      try {
        const mapped = parseBindingResponse(reply, id);
        finish({ server, address, mapped, rttMs: Math.round(performance.now() - started) });
      } catch (error) {
        finish(failure(server, address, error, "PROTOCOL"));
      }
    });
    const send = (): void => {
      socket.send(request, target).catch((error) => finish(failure(server, address, error, "IO")));
    };
    for (const at of retransmitSchedule(timeoutMs, options.retries ?? 2)) {
      timers.push(setTimeout(send, at));
    }
    timers.push(setTimeout(() => {
      const error = hdpError("TIMEOUT", `No answer from ${server.hostname}:${server.port}`);
      finish(failure(server, address, error, "TIMEOUT"));
    }, timeoutMs));
  });
}

async function resolveServer(
  hostname: string,
  family: 4 | 6,
  timeoutMs: number,
  resolve: Resolver = resolveWithDeno,
): Promise<string> {
  const literal = hostname.replace(/^\[(.*)\]$/, "$1");
  const addresses = isIP(literal)
    ? [literal]
    : await resolve(literal, family, AbortSignal.timeout(timeoutMs));
  const address = addresses.find((a) => isIP(a) === family) ?? addresses.find((a) => isIP(a) !== 0);
  if (address === undefined) {
    throw hdpError("NOT_FOUND", `Cannot resolve "${hostname}": no address`);
  }
  // An IPv6 socket reaches IPv4 servers through IPv4-mapped addresses.
  return family === 6 && isIP(address) === 4 ? `::ffff:${address}` : address;
}

async function resolveWithDeno(
  hostname: string,
  family: 4 | 6,
  signal: AbortSignal,
): Promise<string[]> {
  const types = family === 4 ? (["A"] as const) : (["AAAA", "A"] as const);
  const found: string[] = [];
  for (const type of types) {
    try {
      found.push(...await Deno.resolveDns(hostname, type, { signal }));
    } catch (error) {
      if (type === types[types.length - 1] && found.length === 0) {
        throw hdpError("NOT_FOUND", `Cannot resolve "${hostname}": ${messageOf(error)}`, error);
      }
    }
  }
  return found;
}

function failure(
  server: StunServer,
  address: string | undefined,
  error: unknown,
  fallback: ErrorCode,
): StunResult {
  const code = error instanceof HdpError ? error.code : fallback;
  const result: StunResult = { server, error: messageOf(error), code };
  if (address !== undefined) result.address = address;
  log.debug("STUN probe failed", { server: `${server.hostname}:${server.port}`, code, error });
  return result;
}

function isClosed(error: unknown): boolean {
  return error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted;
}
