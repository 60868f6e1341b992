/** Known peers in Deno KV, so connections come back after a restart of either side. */
import { hdpError } from "../wire/mod.ts";
import type { SeenAddress } from "./handshake.ts";
import { parseStanding, type Standing } from "./standing.ts";

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
  /**
   * This node's owner browsed it, read from it or downloaded from it: a peer that only ever
   * connected to us is then kept and redialled like one we added (see `isProven`).
   */
  useful?: boolean;
  /** Set by the owner or a friend request; absent: `friend` when added by hand, else `known`. */
  standing?: Standing;
  /** The owner refused its friend request: it does not ask again. */
  declined?: boolean;
  /** When its friend request came, ms since the epoch (the oldest lapses first). */
  requestedAt?: number;
}

const SOURCES: readonly PeerSource[] = ["manual", "inbound", "gossip", "mdns"];

/**
 * A peer record read back from the state journal (a file on disk), checked field by field;
 * throws `BAD_REQUEST` naming what is wrong.
 */
export function parsePeerRecord(value: unknown): PeerRecord {
  const bad = (what: string) => hdpError("BAD_REQUEST", `Cannot restore a peer: ${what}`);
  if (typeof value !== "object" || value === null) throw bad("it is not an object");
  const v = value as Record<string, unknown>;
  const address = v.address as Record<string, unknown> | null | undefined;
  if (typeof v.keyHex !== "string" || !/^[0-9a-f]{64}$/.test(v.keyHex)) throw bad("no key");
  if (typeof address !== "object" || address === null || typeof address.ip !== "string") {
    throw bad(`peer ${v.keyHex} has no address`);
  }
  const port = address.port;
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
    throw bad(`peer ${v.keyHex} has no port`);
  }
  if (!SOURCES.includes(v.source as PeerSource)) throw bad(`peer ${v.keyHex} has no source`);
  if (v.announce !== undefined && typeof v.announce !== "string") {
    throw bad(`peer ${v.keyHex} has an announce address that is not text`);
  }
  const record: PeerRecord = {
    keyHex: v.keyHex,
    address: { ip: address.ip, port: port as number },
    source: v.source as PeerSource,
    lastSeen: Number.isFinite(v.lastSeen) ? v.lastSeen as number : 0,
  };
  if (typeof v.announce === "string") record.announce = v.announce;
  if (v.useful === true) record.useful = true;
  if (v.standing !== undefined) {
    const standing = parseStanding(v.standing);
    if (!standing) throw bad(`peer ${v.keyHex} has an unknown standing`);
    record.standing = standing;
  }
  if (v.declined === true) record.declined = true;
  if (Number.isFinite(v.requestedAt)) record.requestedAt = v.requestedAt as number;
  return record;
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

  /** Forgets a peer. */
  async remove(keyHex: string): Promise<void> {
    await this.#kv.delete(["peer", keyHex]);
  }
}
