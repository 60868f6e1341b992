/**
 * Asks the router to forward one UDP port to this host, by PCP, then NAT-PMP, then UPnP-IGD;
 * keeps the mapping alive and gives it back on stop. A gateway is untrusted: whatever it does
 * wrong costs a log line and no mapping, never an exception.
 */
import { logger } from "../log.ts";
import { messageOf } from "../wire/mod.ts";
import {
  guessGateways,
  type InterfaceAddress,
  localAddressFacing,
  readDefaultGateway,
} from "./default_gateway.ts";
import { NAT_PMP_PORT } from "./nat_pmp.ts";
import {
  type Lease,
  type LeaseRequest,
  type MappingProtocol,
  natPmpLease,
  pcpLease,
  type PortMapping,
  upnpLease,
} from "./port_lease.ts";
import { discoverIgd } from "./ssdp.ts";
import { fetchIgdService, type IgdService } from "./upnp_igd.ts";

export type { MappingProtocol, PortMapping } from "./port_lease.ts";

const log = logger("portmap");

/** What to map and how patiently. */
export interface PortMapperOptions {
  /** The local UDP port to make reachable. */
  internalPort: number;
  /** The router's IPv4 address; default: the default route (Linux), else the `.1` of each private /24. */
  gateway?: string;
  /** Seconds asked for each mapping (at least 1); renewed at half. Default 3600. */
  lifetimeSeconds?: number;
  /** The whole first attempt, all protocols; also each renewal. Default 2000. */
  timeoutMs?: number;
  /** Called when the mapping changes after {@link PortMapper.start}: renewed elsewhere, lost or regained. */
  onChange?: (mapping: PortMapping | undefined) => void;
  /** The protocols to try, in this order of preference. Default all: pcp, nat-pmp, upnp. */
  protocols?: MappingProtocol[];
  /** The UDP port of PCP and NAT-PMP on the gateway. Default 5351 (tests use another). */
  gatewayPort?: number;
  /** The UPnP device description; default: found by SSDP (tests give one). */
  upnpDescriptionUrl?: string;
  /** After no mapping could be made, try again this much later. Default 300000 (5 minutes). */
  retryMs?: number;
  /** Our network interfaces; default `Deno.networkInterfaces()` (tests give them). */
  interfaces?: InterfaceAddress[];
}

const ALL_PROTOCOLS: MappingProtocol[] = ["pcp", "nat-pmp", "upnp"];
const DESCRIPTION = "harddrive-party";

/** One UDP port mapping on the router, kept alive until {@link stop}. */
export class PortMapper {
  readonly #options: PortMapperOptions;
  #lease: Lease | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = new AbortController();

  constructor(options: PortMapperOptions) {
    this.#options = options;
  }

  /** The mapping now, if any. */
  get current(): PortMapping | undefined {
    return this.#lease?.mapping;
  }

  /** Tries PCP, then NAT-PMP, then UPnP-IGD; never throws; resolves within `timeoutMs`. */
  async start(): Promise<PortMapping | undefined> {
    const lease = await this.#acquire();
    if (this.#stopped.signal.aborted) return undefined;
    this.#keep(lease);
    return lease?.mapping;
  }

  /** Deletes the mapping (best effort, within `timeoutMs`) and stops renewing. */
  async stop(): Promise<void> {
    this.#stopped.abort();
    clearTimeout(this.#timer);
    const lease = this.#lease;
    this.#lease = undefined;
    if (lease) await lease.release(this.#timeoutMs);
  }

  get #timeoutMs(): number {
    return this.#options.timeoutMs ?? 2000;
  }

  /** Holds `lease` and schedules what comes next: its renewal, or a retry without one. */
  #keep(lease: Lease | undefined): void {
    this.#lease = lease;
    clearTimeout(this.#timer);
    if (this.#stopped.signal.aborted) return;
    const delay = lease
      ? renewalDelayMs(lease, this.#lifetimeSeconds)
      : this.#options.retryMs ?? 300_000;
    this.#timer = setTimeout(() => void this.#refresh(), delay);
  }

  /** At least a second: 0 would delete (PCP, NAT-PMP) or ask forever (UPnP). */
  get #lifetimeSeconds(): number {
    return Math.max(1, Math.floor(this.#options.lifetimeSeconds ?? 3600));
  }

  async #refresh(): Promise<void> {
    const before = this.#lease;
    let next: Lease | undefined;
    if (before) {
      try {
        next = await before.renew(this.#timeoutMs, this.#stopped.signal);
      } catch (error) {
        log.info("could not renew the port mapping; mapping again", { error: messageOf(error) });
      }
    }
    next ??= await this.#acquire();
    if (this.#stopped.signal.aborted) {
      await next?.release(this.#timeoutMs);
      return;
    }
    this.#keep(next);
    if (!sameMapping(before?.mapping, next?.mapping)) this.#options.onChange?.(next?.mapping);
  }

  /** One attempt at every protocol, bounded by `timeoutMs`; undefined when none worked. */
  async #acquire(): Promise<Lease | undefined> {
    if (this.#stopped.signal.aborted) return undefined;
    // Ends everything still running (UPnP discovery, retransmissions) when time is up or on stop.
    const done = new AbortController();
    const end = (): void => done.abort();
    const timer = setTimeout(end, this.#timeoutMs);
    this.#stopped.signal.addEventListener("abort", end, { once: true });
    const attempt = this.#tryProtocols(done.signal);
    const ended = new Promise<undefined>((resolve) => {
      done.signal.addEventListener("abort", () => resolve(undefined), { once: true });
    });
    let lease: Lease | undefined;
    try {
      lease = await Promise.race([attempt.catch(() => undefined), ended]);
    } finally {
      clearTimeout(timer);
      this.#stopped.signal.removeEventListener("abort", end);
      done.abort();
    }
    if (!lease) {
      // one that comes after all the waiting is given back, not kept
      attempt.then((late) => late?.release(this.#timeoutMs)).catch(() => {});
      log.info("no port mapping on the router", { internalPort: this.#options.internalPort });
    } else {
      const { protocol, externalIp, externalPort, gateway } = lease.mapping;
      log.info("mapped a port on the router", { protocol, gateway, externalIp, externalPort });
    }
    return lease;
  }

  async #tryProtocols(signal: AbortSignal): Promise<Lease | undefined> {
    const started = Date.now();
    const protocols = this.#options.protocols ?? ALL_PROTOCOLS;
    const interfaces = this.#interfaces();
    const request = await this.#leaseRequest(interfaces);
    // UPnP's discovery (SSDP and the description) runs meanwhile; it maps only if the others fail.
    const service = protocols.includes("upnp")
      ? this.#findUpnp(signal)
      : Promise.resolve(undefined);
    service.catch(() => {});
    // PCP and NAT-PMP get a share of the time each, so UPnP has some left.
    const share = this.#timeoutMs * 0.35;
    for (const protocol of protocols.filter((p) => p !== "upnp")) {
      if (request.gateways.length === 0) break;
      try {
        const run = protocol === "pcp" ? pcpLease : natPmpLease;
        return await run(request, { timeoutMs: share, signal });
      } catch (error) {
        log.debug("port mapping failed", { protocol, error: messageOf(error) });
        if (signal.aborted) return undefined;
      }
    }
    const found = await service;
    if (!found) return undefined;
    const internalClient = localAddressFacing(found.controlUrl.hostname, interfaces);
    if (!internalClient) return undefined;
    const rest = Math.max(1, this.#timeoutMs - (Date.now() - started));
    const upnp = { service: found, internalClient, internalPort: this.#options.internalPort };
    return await upnpLease(
      { ...upnp, lifetimeSeconds: this.#lifetimeSeconds, description: DESCRIPTION },
      { timeoutMs: rest, signal },
    ).catch((error) => {
      log.debug("port mapping failed", { protocol: "upnp", error: messageOf(error) });
      return undefined;
    });
  }

  async #leaseRequest(interfaces: InterfaceAddress[]): Promise<LeaseRequest> {
    const known = this.#options.gateway ?? await readDefaultGateway();
    return {
      gateways: known ? [known] : guessGateways(interfaces),
      gatewayPort: this.#options.gatewayPort ?? NAT_PMP_PORT,
      localAddressOf: (gateway) => localAddressFacing(gateway, interfaces),
      internalPort: this.#options.internalPort,
      lifetimeSeconds: this.#lifetimeSeconds,
    };
  }

  async #findUpnp(signal: AbortSignal): Promise<IgdService | undefined> {
    const given = this.#options.upnpDescriptionUrl;
    const url = given
      ? new URL(given)
      : await discoverIgd({ timeoutMs: this.#timeoutMs / 2, signal });
    if (!url) return undefined;
    try {
      return await fetchIgdService(url, { signal, timeoutMs: this.#timeoutMs });
    } catch (error) {
      log.debug("no usable UPnP gateway", { url: url.href, error: messageOf(error) });
      return undefined;
    }
  }

  #interfaces(): InterfaceAddress[] {
    if (this.#options.interfaces) return this.#options.interfaces;
    try {
      return Deno.networkInterfaces();
    } catch (error) {
      log.debug("cannot list the network interfaces", { error: messageOf(error) });
      return [];
    }
  }
}

/**
 * When to renew: at half the granted lifetime, but no later than half the asked one (a gateway
 * may grant more, or forever) and no sooner than a second (a gateway may grant almost nothing).
 */
export function renewalDelayMs(lease: Lease, askedSeconds: number): number {
  const granted = lease.lifetimeSeconds === 0 ? askedSeconds : lease.lifetimeSeconds;
  return Math.max(1000, Math.min(granted, askedSeconds) * 500);
}

function sameMapping(a: PortMapping | undefined, b: PortMapping | undefined): boolean {
  if (!a || !b) return a === b;
  return a.protocol === b.protocol && a.externalIp === b.externalIp &&
    a.externalPort === b.externalPort && a.gateway === b.gateway;
}
