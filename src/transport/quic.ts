/**
 * The node's QUIC endpoint: one UDP socket that listens and dials (hole punching needs both from
 * the same port). Every connection is authenticated both ways before it is handed over: the
 * listener by TLS against the key in the announce address, the dialer by the handshake.
 */
import { logger } from "../log.ts";
import { ALPN, HdpError, hdpError, messageOf, toHdpError } from "../wire/mod.ts";
import { listenerCertificate, SERVER_NAME, trustAnchorFor } from "./certificate.ts";
import type { ConnectionPath } from "./connection_path.ts";
import { checkIdentity, proveIdentity, type SeenAddress } from "./handshake.ts";
import type { Identity } from "./identity.ts";
import { toHex } from "./names.ts";
import { NO_CLOSE_FRAME } from "./peer_policy.ts";
import { withTimeout } from "./timeout.ts";

const log = logger("quic");

/** Application close codes (PROTOCOL.md lists them). */
export const CLOSE = {
  NORMAL: 0,
  AUTH_FAILED: 0x101,
  DUPLICATE: 0x102,
  SHUTDOWN: 0x103,
  PROTOCOL: 0x104,
  /** Too many peers this node does not know are connected: the oldest made room. */
  CROWDED: 0x105,
  /** This node does not take connections from the peer (blocked, or `--accept` leaves it out). */
  REFUSED: 0x106,
} as const;

/**
 * One request's stream: what the rpc code reads and writes. A QUIC bidirectional stream is one;
 * so is the plaintext side of a relayed circuit.
 */
export interface PeerStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

/** An authenticated connection to a peer. */
export interface PeerConnection {
  readonly peerKey: Uint8Array;
  readonly peerKeyHex: string;
  /** Who dialed: `outbound` when we did. */
  readonly direction: "inbound" | "outbound";
  /** The peer's address as this socket sees it. */
  readonly remote: SeenAddress;
  /** For outbound connections: our address as the peer sees it (a NAT's public mapping). */
  readonly observed?: SeenAddress;
  /** Which way it goes, when the dialler knows (set by whoever dialled it; see reach_plan.ts). */
  path?: ConnectionPath;
  /** Opens a stream for one request. */
  openStream(): Promise<PeerStream>;
  /** The streams the peer opens, one per request. */
  readonly incoming: ReadableStreamDefaultReader<PeerStream>;
  close(code: number, reason: string): void;
  /**
   * Marks a request in flight on this connection (ours or the peer's); call the returned
   * function when it is over. {@link closeWhenIdle} waits for these.
   */
  hold(): () => void;
  /**
   * Closes the connection once no request is in flight, and a moment later (so the last bytes
   * arrive): how a duplicate connection is retired without breaking transfers on it.
   */
  closeWhenIdle(code: number, reason: string): void;
  /** Resolves when the connection is gone, however it ended. */
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly isClosed: boolean;
}

/** How long a retired connection stays open after its last request, for the bytes in flight. */
const DRAIN_GRACE_MS = 2000;

/**
 * How long the endpoint outlives a connection it closed while requests were in flight. Its
 * CONNECTION_CLOSE frame is sent once, and a peer busy receiving drops it with the rest of an
 * overflowing UDP buffer; it would then wait for its idle timeout (30 s). While the endpoint is
 * open, the peer's next packets (its retransmissions come within a few round trips) are answered,
 * by the frame again or, once the closing period is over, by a stateless reset: either way it
 * learns at once. An idle connection loses nothing and needs no grace.
 */
const CLOSE_GRACE_MS = 2000; // a busy peer backs its retransmissions off: 1 s was not always enough

/** Options of {@link QuicTransport.dial}. */
export interface DialOptions {
  /** Dial from this endpoint instead of the main one. */
  from?: Deno.QuicEndpoint;
  /**
   * A probe among many (hole punching): a short idle timeout so that attempts that go nowhere end
   * within seconds, and frequent keep-alives to hold the NAT mapping if it lands.
   */
  probe?: boolean;
}

/**
 * Binds a QUIC endpoint; `::` falls back to `0.0.0.0` when the host has no IPv6 (`dualStack`: the
 * caller did not ask for `::` itself).
 */
function bindEndpoint(hostname: string, port: number, dualStack: boolean): Deno.QuicEndpoint {
  try {
    return new Deno.QuicEndpoint({ hostname, port });
  } catch (error) {
    if (!dualStack || error instanceof Deno.errors.AddrInUse) throw error;
    log.info("no IPv6 on this host; listening on IPv4 only", { error: messageOf(error) });
    return new Deno.QuicEndpoint({ hostname: "0.0.0.0", port });
  }
}

/** Options of {@link QuicTransport.open}. */
export interface QuicOptions {
  /**
   * The address to bind. Default `::`: IPv6 and IPv4 on one socket (IPv4 as mapped addresses),
   * or `0.0.0.0` on a host without IPv6.
   */
  hostname?: string;
  /** The UDP port; 0 picks one. */
  port: number;
  /** Called with every authenticated inbound connection. */
  onConnection: (connection: PeerConnection) => void;
  /** Close a connection after this long without packets. Default 30 s. */
  idleTimeoutMs?: number;
  /** Send keep-alives this often so NAT mappings stay open. Default 10 s. */
  keepAliveMs?: number;
  /** How long the dialer has to authenticate. Default 10 s. */
  handshakeTimeoutMs?: number;
  /**
   * Whether a dialer that proved its key may connect; refused, it is told `FORBIDDEN` in the
   * handshake and the connection closes with {@link CLOSE.REFUSED}. Default: everyone.
   */
  admit?: (keyHex: string) => boolean;
}

/** One QUIC endpoint for the node. */
export class QuicTransport {
  readonly #endpoint: Deno.QuicEndpoint;
  readonly #listener: Deno.QuicListener;
  readonly #identity: Identity;
  readonly #options: QuicOptions;
  readonly #connections = new Set<PeerConnection>();
  readonly #tls: { cert: string; key: string };
  #closed = false;
  /** When a connection with requests in flight was last closed, for {@link CLOSE_GRACE_MS}. */
  #busyClosedAt = -Infinity;

  private constructor(
    endpoint: Deno.QuicEndpoint,
    listener: Deno.QuicListener,
    identity: Identity,
    options: QuicOptions,
    tls: { cert: string; key: string },
  ) {
    this.#endpoint = endpoint;
    this.#listener = listener;
    this.#identity = identity;
    this.#options = options;
    this.#tls = tls;
  }

  /** Binds the endpoint and starts accepting. Throws `UNAVAILABLE` when the port is taken. */
  static async open(identity: Identity, options: QuicOptions): Promise<QuicTransport> {
    const tls = await listenerCertificate(identity);
    let endpoint: Deno.QuicEndpoint;
    const hostname = options.hostname ?? "::";
    try {
      endpoint = bindEndpoint(hostname, options.port, options.hostname === undefined);
    } catch (error) {
      throw hdpError(
        "UNAVAILABLE",
        `Cannot bind UDP port ${options.port} on ${hostname}: ${messageOf(error)}`,
        error,
      );
    }
    const listener = endpoint.listen({
      cert: tls.cert,
      key: tls.key,
      alpnProtocols: [ALPN],
      ...transportOptions(options),
    });
    const transport = new QuicTransport(endpoint, listener, identity, options, tls);
    transport.#acceptLoop(listener);
    return transport;
  }

  /**
   * A second endpoint on `port` that listens and dials like the main one: hole punching to a
   * symmetric NAT ends on the port whose NAT mapping the other side found. (Deno cannot release an
   * endpoint's socket before the process ends, so each one is for good.)
   */
  secondary(port: number): { port: number; dial: QuicTransport["dial"] } {
    const endpoint = new Deno.QuicEndpoint({ hostname: "0.0.0.0", port });
    const listener = endpoint.listen({
      ...this.#tls,
      alpnProtocols: [ALPN],
      ...transportOptions(this.#options),
    });
    this.#acceptLoop(listener);
    return {
      port: endpoint.addr.port,
      dial: (ip, p, key, timeoutMs, options = {}) =>
        this.dial(ip, p, key, timeoutMs, { ...options, from: endpoint }),
    };
  }

  /** The bound UDP port. */
  get port(): number {
    return this.#endpoint.addr.port;
  }

  /** The bound address. */
  get hostname(): string {
    return this.#endpoint.addr.hostname;
  }

  /**
   * Dials `ip:port` from this endpoint, expecting the listener to hold `publicKey`, and proves our
   * identity. Throws `UNAUTHORIZED` (another key answered), `TIMEOUT` or `UNAVAILABLE`.
   */
  async dial(
    ip: string,
    port: number,
    publicKey: Uint8Array,
    timeoutMs = 10_000,
    options: DialOptions = {},
  ): Promise<PeerConnection> {
    if (this.#closed) throw hdpError("UNAVAILABLE", "The transport is closed");
    const where = `${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
    let conn: Deno.QuicConn;
    try {
      const attempt = Deno.connectQuic<false>({
        endpoint: options.from ?? this.#endpoint,
        hostname: ip,
        port,
        serverName: SERVER_NAME,
        alpnProtocols: [ALPN],
        caCerts: [await trustAnchorFor(publicKey)],
        ...transportOptions(this.#options),
        ...(options.probe ? { keepAliveInterval: 1000, maxIdleTimeout: 3000 } : {}),
      });
      conn = await withTimeout(attempt, {
        ms: timeoutMs,
        error: () => {
          // the abandoned attempt ends by itself at its idle timeout; close it if it lands late
          attempt.then((late) => late.close({ closeCode: CLOSE.NORMAL, reason: "dial timed out" }))
            .catch(() => {});
          return hdpError("TIMEOUT", `No answer from ${where} within ${timeoutMs} ms`);
        },
      });
    } catch (error) {
      if (error instanceof HdpError) throw error;
      throw dialError(error, where);
    }
    try {
      const stream = await conn.createBidirectionalStream();
      const observed = await withTimeout(
        proveIdentity(stream, this.#identity, publicKey),
        {
          ms: this.#options.handshakeTimeoutMs ?? 10_000,
          error: () => hdpError("TIMEOUT", `The handshake with ${where} timed out`),
        },
      );
      return this.#track(conn, new Uint8Array(publicKey), "outbound", observed);
    } catch (error) {
      conn.close({ closeCode: CLOSE.AUTH_FAILED, reason: "handshake failed" });
      if (error instanceof HdpError) throw error;
      throw hdpError(
        "UNAUTHORIZED",
        `The handshake with ${where} failed: ${messageOf(error)}`,
        error,
      );
    }
  }

  /**
   * Closes every connection, keeps the socket open a moment if some were busy (so peers learn at
   * once rather than at their idle timeout, see {@link CLOSE_GRACE_MS}), then closes it.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const connection of this.#connections) connection.close(CLOSE.SHUTDOWN, "shutting down");
    const grace = this.#busyClosedAt + CLOSE_GRACE_MS - performance.now();
    if (grace > 0) await new Promise((resolve) => setTimeout(resolve, grace));
    try {
      this.#listener.stop();
    } catch { /* already stopped */ }
    try {
      this.#endpoint.close({ closeCode: CLOSE.SHUTDOWN, reason: "shutting down" });
    } catch { /* already closed */ }
  }

  async #acceptLoop(listener: Deno.QuicListener): Promise<void> {
    try {
      for await (const incoming of listener) {
        // Each handshake on its own: a failed or slow one must not hold up the others. Do not
        // read incoming.remoteAddr here: in Deno 2.9 that consumes the incoming connection.
        this.#acceptOne(incoming).catch((error) => {
          log.debug("an inbound connection failed", { error: messageOf(error) });
        });
      }
    } catch (error) {
      if (!this.#closed) log.error("the QUIC listener stopped", { error: messageOf(error) });
    }
  }

  async #acceptOne(incoming: Deno.QuicIncoming): Promise<void> {
    const conn = await incoming.accept<false>();
    if (this.#closed) return conn.close({ closeCode: CLOSE.SHUTDOWN, reason: "shutting down" });
    const remote = seen(conn.remoteAddr);
    const streams = conn.incomingBidirectionalStreams.getReader();
    try {
      const key = await withTimeout(
        (async () => {
          const { value: stream, done } = await streams.read();
          if (done) throw hdpError("UNAUTHORIZED", "The connection closed before authenticating");
          return await checkIdentity(stream, this.#identity, remote, {
            admit: this.#options.admit,
          });
        })(),
        {
          ms: this.#options.handshakeTimeoutMs ?? 10_000,
          error: () => hdpError("TIMEOUT", "The dialer did not authenticate in time"),
        },
      );
      const connection = this.#track(conn, key, "inbound", undefined, streams);
      this.#options.onConnection(connection);
    } catch (error) {
      const refused = toHdpError(error).code === "FORBIDDEN"; // authenticated, but not admitted
      log[refused ? "debug" : "info"](
        refused ? "refused a peer" : "refused a connection that did not authenticate",
        { from: `${remote.ip}:${remote.port}`, error: messageOf(error) },
      );
      // Closing at once would drop the error frame in flight: give the dialer a moment to read it.
      const grace = new Promise((resolve) => setTimeout(resolve, 500));
      await Promise.race([conn.closed.catch(() => {}), grace]);
      conn.close(
        refused
          ? { closeCode: CLOSE.REFUSED, reason: "not accepted" }
          : { closeCode: CLOSE.AUTH_FAILED, reason: "authentication failed" },
      );
    }
  }

  #track(
    conn: Deno.QuicConn,
    peerKey: Uint8Array,
    direction: "inbound" | "outbound",
    observed?: SeenAddress,
    streams?: ReadableStreamDefaultReader<Deno.QuicBidirectionalStream>,
  ): PeerConnection {
    let isClosed = false;
    const closed = conn.closed.then(
      (info) => ({ code: info.closeCode, reason: info.reason }),
      (error) => ({ code: NO_CLOSE_FRAME, reason: messageOf(error) }),
    ).then((result) => {
      isClosed = true;
      this.#connections.delete(connection);
      return result;
    });
    const connection: PeerConnection = {
      peerKey,
      peerKeyHex: toHex(peerKey),
      direction,
      remote: seen(conn.remoteAddr),
      ...(observed ? { observed } : {}),
      openStream: async () => {
        try {
          // wait for the peer's stream limit rather than fail when many requests are in flight
          return await conn.createBidirectionalStream({ waitUntilAvailable: true });
        } catch (error) {
          throw hdpError(
            "UNAVAILABLE",
            `The connection to the peer is closed: ${messageOf(error)}`,
            error,
          );
        }
      },
      incoming: streams ?? conn.incomingBidirectionalStreams.getReader(),
      close: (code, reason) => {
        if (held > 0 && !isClosed) this.#busyClosedAt = performance.now();
        try {
          conn.close({ closeCode: code, reason });
        } catch { /* already closed */ }
      },
      hold: () => {
        held++;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          if (--held === 0) onIdle?.();
        };
      },
      closeWhenIdle: (code, reason) => {
        const close = () => {
          const timer = setTimeout(() => connection.close(code, reason), DRAIN_GRACE_MS);
          void closed.then(() => clearTimeout(timer));
        };
        if (held === 0) close();
        else onIdle = close;
      },
      closed,
      get isClosed() {
        return isClosed;
      },
    };
    let held = 0;
    let onIdle: (() => void) | undefined;
    this.#connections.add(connection);
    return connection;
  }
}

function transportOptions(options: QuicOptions): Deno.QuicTransportOptions {
  return {
    keepAliveInterval: options.keepAliveMs ?? 10_000,
    maxIdleTimeout: options.idleTimeoutMs ?? 30_000,
    maxConcurrentBidirectionalStreams: 256,
  };
}

/** An address as seen by the socket, with IPv4-mapped IPv6 turned back into IPv4. */
function seen(addr: Deno.NetAddr): SeenAddress {
  const ip = addr.hostname.startsWith("::ffff:") && addr.hostname.includes(".")
    ? addr.hostname.slice(7)
    : addr.hostname;
  return { ip, port: addr.port };
}

function dialError(error: unknown, where: string): HdpError {
  const message = messageOf(error);
  if (/UnknownIssuer|BadSignature|invalid peer certificate/.test(message)) {
    return hdpError("UNAUTHORIZED", `The node at ${where} does not hold the expected key`, error);
  }
  if (/timed out/i.test(message)) return hdpError("TIMEOUT", `No answer from ${where}`, error);
  if (/peer doesn't support any known protocol/.test(message)) {
    return hdpError("PROTOCOL", `The node at ${where} does not speak ${ALPN}`, error);
  }
  return hdpError("UNAVAILABLE", `Cannot connect to ${where}: ${message}`, error);
}
