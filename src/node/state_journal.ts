/**
 * The state journal, `state-backup.json` beside `state.kv`: the download items and the known peers,
 * so that they survive the loss of the KV store (damaged and moved aside, or deleted). This file is
 * its codec, pure: what is written, and how a file read back is checked. Nothing in a journal is
 * trusted: a bad one is refused with a coded error, never a crash.
 */
import { type ItemRecord, parseItemRecord } from "../downloads/mod.ts";
import { parsePeerRecord, type PeerRecord } from "../transport/mod.ts";
import { hdpError } from "../wire/mod.ts";

/** The journal's name in the storage dir. */
export const JOURNAL_FILE = "state-backup.json";

/** The version this node writes and reads; a newer one is refused (`UNSUPPORTED`). */
export const JOURNAL_VERSION = 1;

const FORMAT = "harddrive-party state backup";

/** What a journal holds. */
export interface Journal {
  /** When it was written, ms since the epoch. */
  writtenAt: number;
  items: ItemRecord[];
  /** Items that were not kept (there were more than the journal keeps). */
  itemsLeftOut: number;
  peers: PeerRecord[];
}

/** A journal read back, and how many of its entries were refused one by one. */
export interface ReadJournal extends Journal {
  /** Items and peers refused for their shape (the others are kept). */
  skipped: number;
}

/** The journal as the text of its file. */
export function encodeJournal(journal: Journal): string {
  const { writtenAt, itemsLeftOut, items, peers } = journal;
  const body = { format: FORMAT, version: JOURNAL_VERSION, writtenAt, itemsLeftOut, items, peers };
  return JSON.stringify(body) + "\n";
}

/**
 * Reads a journal's text. Throws `BAD_REQUEST` for text that is not JSON or not a journal,
 * `UNSUPPORTED` for a journal of a newer version than this node reads. An item or a peer of the
 * wrong shape is skipped (and counted), not the whole journal.
 */
export function decodeJournal(text: string): ReadJournal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw hdpError("BAD_REQUEST", `The state backup is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw hdpError("BAD_REQUEST", "The state backup is not an object");
  }
  const v = value as Record<string, unknown>;
  if (v.format !== FORMAT) throw hdpError("BAD_REQUEST", "The state backup is not one");
  if (typeof v.version !== "number" || !Number.isInteger(v.version) || v.version < 1) {
    throw hdpError("BAD_REQUEST", "The state backup has no version");
  }
  if (v.version > JOURNAL_VERSION) {
    throw hdpError(
      "UNSUPPORTED",
      `The state backup is of version ${v.version}; this node reads version ${JOURNAL_VERSION}`,
    );
  }
  if (!Array.isArray(v.items) || !Array.isArray(v.peers)) {
    throw hdpError("BAD_REQUEST", "The state backup has no list of items or peers");
  }
  const items = parseEach(v.items, parseItemRecord);
  const peers = parseEach(v.peers, parsePeerRecord);
  return {
    writtenAt: Number.isFinite(v.writtenAt) ? v.writtenAt as number : 0,
    itemsLeftOut: Number.isInteger(v.itemsLeftOut) ? v.itemsLeftOut as number : 0,
    items: items.kept,
    peers: peers.kept,
    skipped: items.skipped + peers.skipped,
  };
}

function parseEach<T>(
  values: readonly unknown[],
  parse: (value: unknown) => T,
): { kept: T[]; skipped: number } {
  const kept: T[] = [];
  let skipped = 0;
  for (const value of values) {
    try {
      kept.push(parse(value));
    } catch {
      skipped++;
    }
  }
  return { kept, skipped };
}
