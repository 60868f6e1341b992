/**
 * A peer reached through a relay, as a {@link PeerConnection}: each stream is a circuit of its own
 * (one circuit per stream: PROTOCOL.md, "Relayed circuits: the request") and runs the end-to-end
 * secure channel, so the rpc code reads and writes plaintext as on a QUIC stream while the relay
 * sees ciphertext. How a circuit's raw stream is obtained (the `Relay` call) is given by the node.
 */
import {
  type ConnectionPath,
  displayName,
  familyOf,
  type Identity,
  type PeerConnection,
  type PeerStream,
  toHex,
  withTimeout,
} from "../transport/mod.ts";
import { CIRCUIT_ID_BYTES, hdpError, toHdpError } from "../wire/mod.ts";
import type { Duplex } from "./duplex.ts";
import { initiateSecureChannel, respondSecureChannel } from "./secure_channel.ts";

/** How long the end-to-end handshake of a circuit may take. */
const HANDSHAKE_MS = 10_000;
/**
 * A relayed connection with no circuit for this long opens an empty one (see `probe`): nothing
 * else tells that the peer left the relay, as a QUIC connection's keep-alive would.
 */
export const RELAYED_KEEPALIVE_MS = 20_000;

/** Options of {@link RelayedConnection}. */
export interface RelayedConnectionOptions {
  /** The connection to the relay. */
  via: PeerConnection;
  /** The far peer's ed25519 key. */
  peerKey: Uint8Array;
  identity: Identity;
  /** `outbound`: this node asked for the circuits' peer; `inbound`: the peer reached this node. */
  direction: "inbound" | "outbound";
  /** Asks the relay for a circuit to the peer; resolves with the raw stream once both legs agreed. */
  dial: (circuit: Uint8Array) => Promise<Duplex>;
  /** Whether to take a circuit from this (proven) peer key. Default yes. */
  accept?: (peerKey: Uint8Array) => boolean;
  /** See {@link RELAYED_KEEPALIVE_MS}; 0 for none. */
  keepAliveMs?: number;
}

/** A connection to a peer through a relay, a circuit per stream. */
export class RelayedConnection implements PeerConnection {
  readonly peerKey: Uint8Array;
  readonly peerKeyHex: string;
  readonly direction: "inbound" | "outbound";
  readonly remote: PeerConnection["remote"];
  path: ConnectionPath;
  readonly incoming: ReadableStreamDefaultReader<PeerStream>;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #options: RelayedConnectionOptions;
  /** Stops every circuit of this connection when it closes. */
  readonly #stop = new AbortController();
  #queue!: ReadableStreamDefaultController<PeerStream>;
  #resolveClosed!: (info: { code: number; reason: string }) => void;
  #isClosed = false;
  #held = 0;
  #onIdle: (() => void) | undefined;
  #keepAlive: ReturnType<typeof setTimeout> | undefined;
  #lastCircuit = performance.now();

  constructor(options: RelayedConnectionOptions) {
    this.#options = options;
    this.peerKey = new Uint8Array(options.peerKey);
    this.peerKeyHex = toHex(options.peerKey);
    this.direction = options.direction;
    this.remote = options.via.remote;
    this.path = {
      family: options.via.path?.family ?? familyOf(options.via.remote.ip),
      via: "relayed",
      relay: displayName(options.via.peerKey),
    };
    this.incoming = new ReadableStream<PeerStream>({
      start: (controller) => {
        this.#queue = controller;
      },
    }).getReader();
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    void options.via.closed.then((info) => this.close(info.code, `the relay left: ${info.reason}`));
    this.#armKeepAlive();
  }

  /**
   * Opens a circuit and closes it at once: resolves once the peer proved its key through the
   * relay, throws the relay's or the peer's coded refusal.
   */
  async probe(): Promise<void> {
    const stream = await this.openStream();
    await stream.writable.close().catch(() => {});
    await stream.readable.cancel().catch(() => {});
  }

  #armKeepAlive(): void {
    const every = this.#options.keepAliveMs ?? RELAYED_KEEPALIVE_MS;
    if (every <= 0 || this.#isClosed) return;
    const wait = Math.max(0, this.#lastCircuit + every - performance.now());
    this.#keepAlive = setTimeout(async () => {
      if (performance.now() - this.#lastCircuit >= every) {
        try {
          await this.probe();
        } catch (error) {
          const coded = toHdpError(error);
          // a peer that left answers NOT_FOUND (closed above); a timeout says as much
          this.close(0, `the peer no longer answers through the relay: ${coded.message}`);
          return;
        }
      }
      this.#armKeepAlive();
    }, wait);
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Opens a circuit through the relay and runs the initiator's handshake over it. */
  async openStream(): Promise<PeerStream> {
    if (this.#isClosed) throw hdpError("UNAVAILABLE", "The relayed connection is closed");
    const circuit = crypto.getRandomValues(new Uint8Array(CIRCUIT_ID_BYTES));
    this.#lastCircuit = performance.now();
    let raw: Duplex;
    try {
      raw = await this.#options.dial(circuit);
    } catch (error) {
      // the relay no longer reaches the peer: this connection is over
      if (toHdpError(error).code === "NOT_FOUND") this.close(0, "the relay lost the peer");
      throw error;
    }
    const circuitStream = stoppable(raw, this.#stop.signal);
    return this.#handshake(
      circuitStream,
      () =>
        initiateSecureChannel(circuitStream, this.#options.identity, {
          peerKey: this.peerKey,
          circuitId: circuit,
          signal: AbortSignal.timeout(HANDSHAKE_MS),
        }),
    );
  }

  /**
   * Takes a circuit the relay brought from the peer: runs the responder's handshake and offers
   * the plaintext stream on {@link incoming}. Resolves when the circuit's stream is done with.
   */
  async accept(raw: Duplex, circuit: Uint8Array): Promise<void> {
    if (this.#isClosed) throw hdpError("UNAVAILABLE", "The relayed connection is closed");
    this.#lastCircuit = performance.now();
    let finished!: () => void;
    const over = new Promise<void>((resolve) => finished = resolve);
    const watched = stoppable(raw, this.#stop.signal, () => finished());
    const stream = await this.#handshake(
      watched,
      () =>
        respondSecureChannel(watched, this.#options.identity, {
          circuitId: circuit,
          signal: AbortSignal.timeout(HANDSHAKE_MS),
          accept: (key) => toHex(key) === this.peerKeyHex && (this.#options.accept?.(key) ?? true),
        }),
    );
    this.#queue.enqueue(stream);
    await Promise.race([over, this.closed]);
  }

  close(code: number, reason: string): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    clearTimeout(this.#keepAlive);
    this.#stop.abort(hdpError("UNAVAILABLE", `The relayed connection closed: ${reason}`));
    try {
      this.#queue.close();
    } catch { /* already closed */ }
    this.#resolveClosed({ code, reason });
  }

  hold(): () => void {
    this.#held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#held === 0) this.#onIdle?.();
    };
  }

  closeWhenIdle(code: number, reason: string): void {
    if (this.#held === 0) this.close(code, reason);
    else this.#onIdle = () => this.close(code, reason);
  }

  /** Runs a circuit's handshake, within {@link HANDSHAKE_MS}. */
  async #handshake(raw: Duplex, handshake: () => Promise<PeerStream>): Promise<PeerStream> {
    return await withTimeout(handshake(), {
      ms: HANDSHAKE_MS + 1000,
      error: () => hdpError("TIMEOUT", "The relayed handshake timed out"),
    }).catch((error) => {
      raw.readable.cancel(error).catch(() => {});
      raw.writable.abort(error).catch(() => {});
      throw error;
    });
  }
}

/**
 * `raw` behind streams that `signal` stops (both ways, with its reason), and that call `done`
 * once the writable is closed or aborted (the circuit's stream is done with).
 */
function stoppable(raw: Duplex, signal: AbortSignal, done?: () => void): Duplex {
  const reader = raw.readable.getReader();
  const writer = raw.writable.getWriter();
  let readController!: ReadableStreamDefaultController<Uint8Array>;
  let writeController!: WritableStreamDefaultController;
  let open = 2; // both directions: the listener goes once neither can be stopped any more
  const ended = (): void => {
    if (--open === 0) signal.removeEventListener("abort", onStop);
  };
  const onStop = (): void => {
    try {
      readController.error(signal.reason);
    } catch { /* already over */ }
    writeController.error(signal.reason);
    reader.cancel(signal.reason).catch(() => {});
    writer.abort(signal.reason).catch(() => {});
    done?.();
  };
  const readable = new ReadableStream<Uint8Array>({
    start: (controller) => void (readController = controller),
    pull: async (controller) => {
      try {
        const next = await reader.read();
        if (!next.done) return controller.enqueue(next.value);
        controller.close();
      } catch (error) {
        controller.error(error);
      }
      ended();
    },
    cancel: async (reason) => {
      ended();
      await reader.cancel(reason);
    },
  });
  const writable = new WritableStream<Uint8Array>({
    start: (controller) => void (writeController = controller),
    write: (chunk) => writer.write(chunk),
    close: async () => {
      ended();
      await writer.close().finally(() => done?.());
    },
    abort: async (reason) => {
      ended();
      await writer.abort(reason).finally(() => done?.());
    },
  });
  if (signal.aborted) queueMicrotask(onStop);
  else signal.addEventListener("abort", onStop, { once: true });
  return { readable, writable };
}
