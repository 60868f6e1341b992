/** Known peers in Deno KV, so connections come back after a restart of either side. */
import type { SeenAddress } from "./handshake.ts";

/** How a peer became known. */
export type PeerSource = "manual" | "inbound" | "gossip" | "mdns";

/** What is remembered of a peer. */
export interface PeerRecord {
  keyHex: string;
  /** Where to dial it. */
  address: SeenAddress;
  /** Its announce address, when it came with one. */
  announce?: string;
  source: PeerSource;
  /** When it was last connected, ms since the epoch (0: never). */
  lastSeen: number;
}

/** Reads and writes peer records. */
export class PeerStore {
  readonly #kv: Deno.Kv;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** Every known peer. */
  async all(): Promise<PeerRecord[]> {
    const out: PeerRecord[] = [];
    for await (const { value } of this.#kv.list<PeerRecord>({ prefix: ["peer"] })) out.push(value);
    return out;
  }

  /** Saves a peer's record. */
  async put(record: PeerRecord): Promise<void> {
    await this.#kv.set(["peer", record.keyHex], record);
  }
}
