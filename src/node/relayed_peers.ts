/**
 * The node's side of relayed circuits: as a relay (R), what copies a circuit between two peers it
 * is connected to; as an end (A or C), the {@link RelayedConnection} to each peer reached through a
 * relay, served like a direct connection.
 */
import { firstToConnect } from "../discovery/mod.ts";
import { type Circuit, legError, relayCall, relayedCall, Throttle } from "../rpc/mod.ts";
import { RelayedConnection, RelayGate, splice, type SpliceOptions } from "../relay/mod.ts";
import {
  displayName,
  fromHex,
  type Identity,
  type PeerConnection,
  toHex,
} from "../transport/mod.ts";
import {
  hdpError,
  type PeerRef,
  type RelayedRequest,
  type RelayRequest,
  toHdpError,
} from "../wire/mod.ts";

/** Options of {@link RelayedPeers}. */
export interface RelayedPeersOptions {
  identity: Identity;
  /** Relay circuits for others. Default on. */
  relay?: boolean;
  /** The live direct connection to a peer, if any. */
  connection(keyHex: string): PeerConnection | undefined;
  /** Whether a peer may reach this node at all (its standing, `--accept`). */
  admits(keyHex: string): boolean;
  /**
   * Takes a new relayed connection that a peer opened through a relay (or {@link
   * RelayedPeers.through} made) as that peer's connection: served, and listed (`Peers.accept`).
   */
  adopt(connection: PeerConnection): void;
  /** Paces relayed bytes (the node's upload limit); without it, unlimited. */
  throttle?: Throttle;
  /** Relayed bytes a second at most, on top of `throttle` (`--relay-rate`); 0 or none: no cap. */
  rate?: number;
  /** A test double that sees (and may change) every relayed chunk. */
  tap?: SpliceOptions["tap"];
  /** Called when a relayed circuit starts or ends (what {@link RelayedPeers.status} says changed). */
  onChange?: () => void;
}

/** The wait before asking the next relay while one has not answered yet. */
const RELAY_STAGGER_MS = 1000;

/** What this node relays for others, for `info` and the UI. */
export interface RelayStatus {
  /** `--relay on|off`. */
  enabled: boolean;
  /** Circuits at once at most. */
  maxCircuits: number;
  /** Relayed bytes a second at most (`--relay-rate`; 0: only the upload limit). */
  rate: number;
  /** The pairs of peers it relays between now, with their circuits and the bytes copied so far. */
  pairs: RelayedPair[];
  /** Bytes relayed since the node started, both ways. */
  relayedBytes: number;
}

/** Two peers this node relays between. */
export interface RelayedPair {
  /** The peer that asked for the circuits, and the one they go to. */
  from: PeerRef;
  to: PeerRef;
  circuits: number;
  /** Bytes copied both ways over the circuits open now. */
  bytes: number;
}

/** Relayed circuits: the ones this node relays, and its connections through relays. */
export class RelayedPeers {
  readonly #options: RelayedPeersOptions;
  readonly #gate: RelayGate;
  /** `--relay-rate`, shared fairly between the peers that ask for circuits. */
  readonly #limit: Throttle;
  /** `relay key/peer key` → the connection to the peer through that relay. */
  readonly #connections = new Map<string, RelayedConnection>();
  /** The circuits relayed now. */
  readonly #circuits = new Set<{ from: string; to: string; bytes: number }>();
  #relayedBytes = 0;

  constructor(options: RelayedPeersOptions) {
    this.#options = options;
    this.#gate = new RelayGate({ enabled: options.relay ?? true });
    this.#limit = new Throttle(options.rate ?? 0);
  }

  /** Circuits this node relays now. */
  get relaying(): number {
    return this.#gate.active;
  }

  /** What this node relays now; `nameOf` names a peer by its key. */
  status(nameOf: (keyHex: string) => string = (keyHex) => keyHex.slice(0, 8)): RelayStatus {
    const pairs = new Map<string, RelayedPair>();
    for (const circuit of this.#circuits) {
      const id = `${circuit.from}/${circuit.to}`;
      const pair = pairs.get(id) ?? {
        from: { keyHex: circuit.from, name: nameOf(circuit.from) },
        to: { keyHex: circuit.to, name: nameOf(circuit.to) },
        circuits: 0,
        bytes: 0,
      };
      pair.circuits++;
      pair.bytes += circuit.bytes;
      pairs.set(id, pair);
    }
    return {
      enabled: this.#options.relay ?? true,
      maxCircuits: this.#gate.max,
      rate: this.#limit.rate,
      pairs: [...pairs.values()].sort((a, b) => b.bytes - a.bytes),
      relayedBytes: this.#relayedBytes,
    };
  }

  /**
   * The connection to `peerHex` through the connected peer `viaHex` (made on first use). Throws
   * `NOT_FOUND` when this node is not connected to `viaHex`.
   */
  through(viaHex: string, peerHex: string): PeerConnection {
    const via = this.#options.connection(viaHex);
    if (!via) throw hdpError("NOT_FOUND", "Not connected to that relay");
    const peerKey = fromHex(peerHex);
    if (peerKey?.length !== 32) throw hdpError("BAD_REQUEST", "A peer's key is 64 hex digits");
    const connection = this.#connection(via, peerKey, "outbound");
    this.#options.adopt(connection);
    return connection;
  }

  /**
   * Reaches `peerHex` through one of `relays` (connected peers, best first: see `rankRelays`): the
   * first whose circuit gets through the end-to-end handshake. The caller adopts it. Throws
   * `UNAVAILABLE` "no relay available", with what each relay answered, when none did.
   */
  async reach(peerHex: string, relays: PeerConnection[]): Promise<PeerConnection> {
    const peerKey = fromHex(peerHex);
    if (peerKey?.length !== 32) throw hdpError("BAD_REQUEST", "A peer's key is 64 hex digits");
    const usable = relays.filter((via) =>
      via.peerKeyHex !== peerHex && via.path?.via !== "relayed"
    );
    if (usable.length === 0) {
      throw hdpError("UNAVAILABLE", "no relay available (no other peer is connected)");
    }
    const answers: string[] = [];
    // the best first; the next a moment later, or at once when one refuses (a relay that does
    // not answer must not hold the others up for its handshake's whole timeout)
    try {
      return await firstToConnect(
        usable.map((via) => ({
          label: displayName(via.peerKey),
          run: async () => {
            const connection = this.#connection(via, peerKey, "outbound");
            try {
              await connection.probe();
              return connection;
            } catch (error) {
              connection.close(0, "no circuit through this relay");
              answers.push(`${displayName(via.peerKey)}: ${relayAnswer(toHdpError(error))}`);
              throw error;
            }
          },
        })),
        {
          staggerMs: RELAY_STAGGER_MS,
          discard: (late) => late.close(0, "another relay was faster"),
        },
      );
    } catch {
      throw hdpError("UNAVAILABLE", `no relay available (${answers.join("; ")})`);
    }
  }

  /** As a relay: `from` asks for a circuit to `request.to` (the `Relay` handler). */
  async relay(from: PeerRef, request: RelayRequest): Promise<Circuit> {
    const target = this.#options.connection(toHex(request.to));
    const leave = this.#gate.enter(from.keyHex, toHex(request.to), target !== undefined);
    let leg;
    try {
      leg = await relayedCall(target!, fromHex(from.keyHex)!, request.circuit);
    } catch (error) {
      leave();
      throw legError(toHdpError(error));
    }
    const throttle = this.#options.throttle;
    const tap = this.#options.tap;
    const circuit = { from: from.keyHex, to: toHex(request.to), bytes: 0 };
    return {
      run: async (stream) => {
        this.#circuits.add(circuit);
        this.#options.onChange?.();
        try {
          await splice(stream, leg, {
            ...(tap ? { tap } : {}),
            pace: (bytes) => {
              circuit.bytes += bytes;
              this.#relayedBytes += bytes;
              const capped = this.#limit.take(from.keyHex, bytes, { priority: "bulk" });
              const upload = throttle?.take(from.keyHex, bytes, { priority: "bulk" });
              return capped && upload
                ? Promise.all([capped, upload]).then(() => {})
                : capped ?? upload;
            },
          });
        } finally {
          this.#circuits.delete(circuit);
          leave();
          this.#options.onChange?.();
        }
      },
      abandon: (reason) => {
        leg.readable.cancel(reason).catch(() => {});
        leg.writable.abort(reason).catch(() => {});
        leave();
      },
    };
  }

  /** As an end: the relay `via` brings a circuit from `request.from` (the `Relayed` handler). */
  relayed(via: PeerRef, request: RelayedRequest): Promise<Circuit> {
    const fromKeyHex = toHex(request.from);
    const relay = this.#options.connection(via.keyHex);
    if (!relay || !this.#options.admits(fromKeyHex)) {
      return Promise.reject(
        hdpError("FORBIDDEN", "This node does not take circuits from that peer"),
      );
    }
    const known = this.#connections.get(`${relay.peerKeyHex}/${fromKeyHex}`);
    const connection = this.#connection(relay, request.from, "inbound");
    if (connection !== known) this.#options.adopt(connection);
    return Promise.resolve({
      run: (stream) => connection.accept(stream, request.circuit),
      abandon: () => {},
    });
  }

  /** Closes every relayed connection. */
  close(): void {
    for (const connection of this.#connections.values()) connection.close(0, "shutting down");
  }

  #connection(
    via: PeerConnection,
    peerKey: Uint8Array,
    direction: "inbound" | "outbound",
  ): RelayedConnection {
    const id = `${via.peerKeyHex}/${toHex(peerKey)}`;
    const known = this.#connections.get(id);
    if (known && !known.isClosed) return known;
    const connection = new RelayedConnection({
      via,
      peerKey,
      identity: this.#options.identity,
      direction,
      dial: (circuit) => relayCall(via, peerKey, circuit),
      accept: (key) => this.#options.admits(toHex(key)),
    });
    this.#connections.set(id, connection);
    void connection.closed.then(() => {
      if (this.#connections.get(id) === connection) this.#connections.delete(id);
    });
    return connection;
  }
}

/** What a relay's refusal means, in a few words for "no relay available (…)". */
function relayAnswer(error: { code: string; message: string }): string {
  switch (error.code) {
    case "FORBIDDEN":
      return /does not relay/.test(error.message) ? "does not relay" : "the peer refused";
    case "NOT_FOUND":
      return "not connected to that peer";
    case "BUSY":
      return "relays as many circuits as it may";
    case "UNSUPPORTED":
      return "too old to relay";
    default:
      return error.message;
  }
}
