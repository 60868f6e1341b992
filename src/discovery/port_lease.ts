/**
 * A lease of one UDP port on a gateway, by PCP, NAT-PMP or UPnP-IGD: how each protocol gets one,
 * renews it and gives it back. The order of trying and the timing are in port_mapper.ts.
 */
import { isIP } from "node:net";
import { logger } from "../log.ts";
import { HdpError, hdpError } from "../wire/mod.ts";
import { addressScope } from "./address_scope.ts";
import {
  natPmpExternalAddressRequest,
  natPmpMapRequest,
  parseNatPmpExternalAddress,
  parseNatPmpMapping,
} from "./nat_pmp.ts";
import { newPcpNonce, parsePcpMapResponse, type PcpMapRequest, pcpMapRequest } from "./pcp.ts";
import { retransmitSchedule } from "./stun_client.ts";
import {
  addPortMapping,
  deletePortMapping,
  getExternalIp,
  getPortMapping,
  type IgdService,
  UPNP_CONFLICT,
  UPNP_ONLY_PERMANENT,
  upnpFaultError,
} from "./upnp_igd.ts";

const log = logger("portmap");

/** How a mapping was made. */
export type MappingProtocol = "pcp" | "nat-pmp" | "upnp";

/** A UDP port of this host reachable from the internet through the gateway. */
export interface PortMapping {
  protocol: MappingProtocol;
  externalIp: string;
  externalPort: number;
  internalPort: number;
  /** The gateway that granted it. */
  gateway: string;
  /** Milliseconds since the epoch (`Date.now()`); `Infinity` for a permanent UPnP mapping. */
  expiresAt: number;
}

/** One granted mapping and how to keep it. */
export interface Lease {
  mapping: PortMapping;
  /** Seconds the gateway granted (0: permanent). */
  lifetimeSeconds: number;
  /** Asks for the same mapping again; may come back with another external address or port. */
  renew(timeoutMs: number, signal?: AbortSignal): Promise<Lease>;
  /** Gives the mapping back (best effort). */
  release(timeoutMs: number): Promise<void>;
}

/** What every protocol needs to ask. */
export interface LeaseRequest {
  /** Gateways to ask at once (PCP, NAT-PMP); the first to answer grants the lease. */
  gateways: string[];
  /** The UDP port of the gateways; 5351 but in tests. */
  gatewayPort: number;
  /** Our address facing each gateway (PCP puts it in the request). */
  localAddressOf: (gateway: string) => string | undefined;
  internalPort: number;
  lifetimeSeconds: number;
}

/** How long an attempt may take, and what ends it early. */
export interface AttemptOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** Maps by PCP (RFC 6887), keeping the nonce to renew and delete. */
export async function pcpLease(
  request: LeaseRequest,
  options: AttemptOptions & { previous?: { nonce: Uint8Array; externalPort: number } },
): Promise<Lease> {
  const { previous } = options;
  const nonce = previous?.nonce ?? newPcpNonce();
  const asks = pcpAsks(request, nonce, previous?.externalPort ?? request.internalPort);
  const { value, gateway } = await askGateways(asks, { port: request.gatewayPort, ...options });
  if (value.lifetimeSeconds === 0) {
    throw hdpError("PROTOCOL", "The PCP gateway granted no lifetime");
  }
  const mapping = grantedMapping(
    "pcp",
    value.externalIp,
    value.externalPort,
    request,
    gateway,
    value.lifetimeSeconds,
  );
  const only = { ...request, gateways: [gateway] };
  return {
    mapping,
    lifetimeSeconds: value.lifetimeSeconds,
    renew: (timeoutMs, signal) =>
      pcpLease(only, {
        timeoutMs,
        signal,
        previous: { nonce, externalPort: mapping.externalPort },
      }),
    release: async (ms) => {
      const asks = pcpAsks({ ...only, lifetimeSeconds: 0 }, nonce, 0);
      await askGateways(asks, { port: request.gatewayPort, timeoutMs: ms })
        .catch((error) => ignoreReleaseError(error));
    },
  };
}

/** The MAP request for each gateway whose facing address we know. */
function pcpAsks(request: LeaseRequest, nonce: Uint8Array, externalPort: number) {
  return request.gateways.flatMap((gateway) => {
    const clientIp = request.localAddressOf(gateway);
    if (clientIp === undefined) return [];
    const map: PcpMapRequest = {
      clientIp,
      nonce,
      internalPort: request.internalPort,
      lifetimeSeconds: request.lifetimeSeconds,
      externalPort,
    };
    return [{
      gateway,
      bytes: pcpMapRequest(map),
      parse: (b: Uint8Array) => parsePcpMapResponse(b, map),
    }];
  });
}

/** Maps by NAT-PMP (RFC 6886): the external address first, then the port. */
export async function natPmpLease(
  request: LeaseRequest,
  options: AttemptOptions & { externalPort?: number },
): Promise<Lease> {
  const { timeoutMs, signal } = options;
  const externalPort = options.externalPort ?? request.internalPort;
  const started = Date.now();
  const address = await askGateways(
    request.gateways.map((gateway) => ({
      gateway,
      bytes: natPmpExternalAddressRequest(),
      parse: parseNatPmpExternalAddress,
    })),
    { port: request.gatewayPort, timeoutMs, signal },
  );
  const gateway = address.gateway;
  const map = (lifetimeSeconds: number, port: number) => ({
    gateway,
    bytes: natPmpMapRequest(request.internalPort, { externalPort: port, lifetimeSeconds }),
    parse: (b: Uint8Array) => parseNatPmpMapping(b, request.internalPort),
  });
  const rest = Math.max(1, timeoutMs - (Date.now() - started));
  const granted = await askGateways(
    [map(request.lifetimeSeconds, externalPort)],
    { port: request.gatewayPort, timeoutMs: rest, signal },
  );
  if (granted.value.lifetimeSeconds === 0) {
    throw hdpError("PROTOCOL", "The NAT-PMP gateway granted no lifetime");
  }
  const { externalIp } = address.value;
  const mapping = grantedMapping(
    "nat-pmp",
    externalIp,
    granted.value.externalPort,
    request,
    gateway,
    granted.value.lifetimeSeconds,
  );
  const only = { ...request, gateways: [gateway] };
  return {
    mapping,
    lifetimeSeconds: granted.value.lifetimeSeconds,
    renew: (timeoutMs, signal) =>
      natPmpLease(only, { timeoutMs, signal, externalPort: mapping.externalPort }),
    release: async (ms) => {
      await askGateways([map(0, 0)], { port: request.gatewayPort, timeoutMs: ms }).catch((error) =>
        ignoreReleaseError(error)
      );
    },
  };
}

/** What a UPnP lease needs beyond {@link LeaseRequest}. */
export interface UpnpLeaseRequest {
  service: IgdService;
  internalClient: string;
  internalPort: number;
  lifetimeSeconds: number;
  description: string;
}

/**
 * Maps by UPnP-IGD: asks for the internal port as the external one (another port when taken),
 * falls back to a permanent lease when only those are granted, and reads the mapping back: one
 * that is not ours (another internal client or port) is not used.
 */
export async function upnpLease(
  request: UpnpLeaseRequest,
  attempt: AttemptOptions & { externalPort?: number },
): Promise<Lease> {
  const { externalPort } = attempt;
  const options = {
    timeoutMs: attempt.timeoutMs,
    ...(attempt.signal ? { signal: attempt.signal } : {}),
  };
  const { service } = request;
  const externalIp = await getExternalIp(service, options);
  const ports = externalPort ? [externalPort] : [request.internalPort, randomPort(), randomPort()];
  let lease = request.lifetimeSeconds;
  let granted: number | undefined;
  for (const port of ports) {
    const ask = { ...request, externalPort: port, leaseSeconds: lease };
    let outcome = await addPortMapping(service, ask, options);
    if (!outcome.ok && outcome.upnpError === UPNP_ONLY_PERMANENT && lease !== 0) {
      lease = 0;
      outcome = await addPortMapping(service, { ...ask, leaseSeconds: 0 }, options);
    }
    if (outcome.ok) {
      granted = port;
      break;
    }
    if (outcome.upnpError !== UPNP_CONFLICT) {
      throw upnpFaultError("AddPortMapping", outcome.upnpError, outcome.description);
    }
  }
  if (granted === undefined) {
    throw hdpError("CONFLICT", "Every external port asked of the UPnP gateway is taken");
  }
  const entry = await getPortMapping(service, granted, options);
  if (
    entry.internalClient !== request.internalClient || entry.internalPort !== request.internalPort
  ) {
    throw hdpError(
      "CONFLICT",
      `The UPnP gateway maps port ${granted} to ${entry.internalClient}:${entry.internalPort}, not to us`,
    );
  }
  const gateway = service.controlUrl.hostname;
  const mapping = grantedMapping("upnp", externalIp, granted, request, gateway, lease);
  return {
    mapping,
    lifetimeSeconds: lease,
    renew: (timeoutMs, signal) =>
      upnpLease({ ...request, lifetimeSeconds: lease }, {
        timeoutMs,
        signal,
        externalPort: granted,
      }),
    release: async (ms) => {
      await deletePortMapping(service, granted, { timeoutMs: ms }).catch((error) =>
        ignoreReleaseError(error)
      );
    },
  };
}

/** One request per gateway; each parser throws on what is not a valid answer. */
interface Ask<T> {
  gateway: string;
  bytes: Uint8Array;
  parse: (reply: Uint8Array) => T;
}

/**
 * Sends each request to its gateway, retransmitting, from one fresh socket, and resolves to the
 * first valid answer from a gateway's own address and port. Datagrams from anywhere else, and
 * malformed ones (`PROTOCOL`), are ignored; a refusal (any other code) rejects at once.
 */
export async function askGateways<T>(
  asks: Ask<T>[],
  options: AttemptOptions & { port: number },
): Promise<{ value: T; gateway: string }> {
  const { port, timeoutMs, signal } = options;
  if (asks.length === 0) throw hdpError("NOT_FOUND", "No gateway to ask");
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 0 });
  const timers: ReturnType<typeof setTimeout>[] = [];
  const close = (): void => {
    timers.forEach(clearTimeout);
    try {
      socket.close();
    } catch { /* closed already */ }
  };
  signal?.addEventListener("abort", close, { once: true });
  try {
    for (const at of retransmitSchedule(timeoutMs, 2)) {
      timers.push(setTimeout(() => sendAll(socket, asks, port), at));
    }
    timers.push(setTimeout(close, timeoutMs));
    return await firstAnswer(socket, asks, port);
  } finally {
    signal?.removeEventListener("abort", close);
    close();
  }
}

function sendAll<T>(socket: Deno.DatagramConn, asks: Ask<T>[], port: number): void {
  for (const ask of asks) {
    socket.send(ask.bytes, { transport: "udp", hostname: ask.gateway, port }).catch((error) => {
      log.debug("cannot send to the gateway", { gateway: ask.gateway, error });
    });
  }
}

async function firstAnswer<T>(
  socket: Deno.DatagramConn,
  asks: Ask<T>[],
  port: number,
): Promise<{ value: T; gateway: string }> {
  let failures = 0;
  for (;;) {
    let bytes: Uint8Array;
    let from: Deno.NetAddr;
    try {
      const [received, addr] = await socket.receive();
      [bytes, from] = [received, addr as Deno.NetAddr];
    } catch (error) {
      if (isClosed(error) || ++failures > 20) {
        throw hdpError(
          "TIMEOUT",
          `No answer from the gateway ${asks.map((a) => a.gateway).join(", ")}`,
        );
      }
      continue; // an ICMP error may show up here; keep listening until the time is up
    }
    const ask = asks.find((a) => a.gateway === from.hostname && port === from.port);
    if (!ask) {
      log.debug("ignored a datagram from another address than the gateway", {
        from: from.hostname,
      });
      continue;
    }
    try {
      return { value: ask.parse(bytes), gateway: ask.gateway };
    } catch (error) {
      if (error instanceof HdpError && error.code !== "PROTOCOL") throw error;
      log.debug("ignored a malformed answer of the gateway", { gateway: ask.gateway, error });
    }
  }
}

function grantedMapping(
  protocol: MappingProtocol,
  externalIp: string,
  externalPort: number,
  request: { internalPort: number },
  gateway: string,
  lifetimeSeconds: number,
): PortMapping {
  const scope = addressScope(externalIp);
  if (isIP(externalIp) !== 4 || !["global", "private"].includes(scope)) {
    throw hdpError(
      "PROTOCOL",
      `The gateway's external address "${externalIp.slice(0, 60)}" is not usable`,
    );
  }
  if (!Number.isInteger(externalPort) || externalPort < 1 || externalPort > 65535) {
    throw hdpError("PROTOCOL", `The gateway's external port ${externalPort} is not valid`);
  }
  if (scope === "private") {
    log.info("the gateway's external address is private: another NAT is above it", { externalIp });
  }
  const expiresAt = lifetimeSeconds === 0 ? Infinity : Date.now() + lifetimeSeconds * 1000;
  return {
    protocol,
    externalIp,
    externalPort,
    internalPort: request.internalPort,
    gateway,
    expiresAt,
  };
}

function randomPort(): number {
  return 1024 + Math.floor(Math.random() * (65536 - 1024));
}

function ignoreReleaseError(error: unknown): void {
  log.debug("could not delete the port mapping", { error });
}

function isClosed(error: unknown): boolean {
  return error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted;
}
