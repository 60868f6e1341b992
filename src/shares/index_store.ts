/**
 * The share index in Deno KV. Per directory: one meta record (cumulative size and file count) and
 * its entries in chunks sorted by name. A directory is written whole, so a scan costs one or two
 * writes per directory rather than per file, and a listing reads a few chunks.
 *
 * Keys (dirPath is share-relative, "" for the share's root):
 *   ["idx", share, "d", dirPath]        → DirMeta
 *   ["idx", share, "c", dirPath, chunk] → Entry[]
 *   ["share", share]                    → ShareStatus
 * The word index beside it (`["sw", share, …]`, see `word_index.ts`) is kept by the same writes.
 */
import { createHash } from "node:crypto";
import { WordIndex } from "./word_index.ts";

/** One entry of a directory: `[name, isDir, size, mtime, files]`; size and files are cumulative. */
export type Entry = [name: string, isDir: 0 | 1, size: number, mtime: number, files: number];

/** What is known of a directory as a whole. */
export interface DirMeta {
  /** Files below it, at any depth. */
  files: number;
  /** Bytes below it, at any depth. */
  bytes: number;
  /** Its own modification time (ms since the epoch). */
  mtime: number;
  /** How many chunks hold its entries. */
  chunks: number;
  /** Its direct entries. */
  count: number;
  /** A hash of its entries: an unchanged rescan compares this and writes nothing. */
  sig: string;
}

/** A share's scan state, kept so that answers can say they are partial. */
export interface ShareStatus {
  /** The directory the index was made from: another directory under the same name starts over. */
  path: string;
  scanning: boolean;
  /** When the last full scan finished (ms since the epoch), 0 before the first. */
  scannedAt: number;
}

/** KV allows at most 1000 mutations per atomic commit… */
export const MAX_MUTATIONS = 1000;
/** …and at most 800 KiB of keys and values in all; stay well below. */
const MAX_BATCH_BYTES = 512 * 1024;
const CHUNK_BYTES = 48 * 1024; // KV values hold at most 64 KiB
const CHUNK_ENTRIES = 1000;

/** The prefix of every key of one share's index. */
export function shareKey(share: string): Deno.KvKey {
  return ["idx", share];
}

/** Splits sorted entries into chunks that fit a KV value. */
export function chunkEntries(entries: readonly Entry[]): Entry[][] {
  const chunks: Entry[][] = [];
  let current: Entry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entry[0].length * 3 + 40; // worst-case UTF-8 plus the numbers' encoding
    if (current.length > 0 && (bytes + size > CHUNK_BYTES || current.length >= CHUNK_ENTRIES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** An upper bound of a chunk's size as a KV value. */
function chunkBytes(chunk: readonly Entry[]): number {
  let bytes = 16;
  for (const entry of chunk) bytes += entry[0].length * 3 + 40;
  return bytes;
}

/** The signature of a directory's entries. */
export function entriesSignature(entries: readonly Entry[], mtime: number): string {
  return createHash("sha1").update(JSON.stringify([mtime, entries])).digest("base64");
}

/** Sums the cumulative totals of a directory's entries. */
export function totalsOf(entries: readonly Entry[]): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const [, isDir, size, , count] of entries) {
    files += isDir ? count : 1;
    bytes += size;
  }
  return { files, bytes };
}

/** Reads and writes the index of all shares in one KV database. */
export class IndexStore {
  readonly #kv: Deno.Kv;
  #pending: Array<{ write: (op: Deno.AtomicOperation) => void; bytes: number }> = [];
  #pendingBytes = 0;
  /** The word index of the same shares, updated as directories are written. */
  readonly words: WordIndex;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
    this.words = new WordIndex(kv);
  }

  /** The meta record of a directory, or null when it is not indexed. */
  async getDir(share: string, dirPath: string): Promise<DirMeta | null> {
    return (await this.#kv.get<DirMeta>(["idx", share, "d", dirPath])).value;
  }

  /** The meta records of several directories at once (null where not indexed). */
  getDirs(share: string, dirPaths: readonly string[]): Promise<Array<DirMeta | null>> {
    return this.#values<DirMeta>(dirPaths.map((d) => ["idx", share, "d", d]));
  }

  /** The values of many keys (null where absent), in `getMany` calls of at most 10 keys. */
  async #values<T>(keys: Deno.KvKey[]): Promise<Array<T | null>> {
    const groups: Promise<Deno.KvEntryMaybe<T>[]>[] = [];
    for (let i = 0; i < keys.length; i += 10) {
      groups.push(this.#kv.getMany<T[]>(keys.slice(i, i + 10)));
    }
    return (await Promise.all(groups)).flat().map((entry) => entry.value);
  }

  /**
   * The entries of several directories, each as its chunks in order (none where not indexed):
   * their first chunks and metas come in a few `getMany` calls, far fewer round trips than a
   * listing of each.
   */
  async dirsChunks(
    share: string,
    dirPaths: readonly string[],
  ): Promise<Array<Array<{ chunk: number; entries: Entry[] }>>> {
    const [metas, first] = await Promise.all([
      this.getDirs(share, dirPaths),
      this.#values<Entry[]>(dirPaths.map((d) => ["idx", share, "c", d, 0])),
    ]);
    return await Promise.all(dirPaths.map(async (dirPath, i) => {
      const entries = first[i]!;
      if (entries === null) return [];
      const chunks = [{ chunk: 0, entries }];
      if ((metas[i]?.chunks ?? 1) > 1) {
        for await (const more of this.dirChunks(share, dirPath, 1)) chunks.push(more);
      }
      return chunks;
    }));
  }

  /** Reads the entries of one directory, chunk by chunk from `fromChunk`. */
  async *dirChunks(
    share: string,
    dirPath: string,
    fromChunk = 0,
  ): AsyncGenerator<{ chunk: number; entries: Entry[] }> {
    const iter = this.#kv.list<Entry[]>({
      start: ["idx", share, "c", dirPath, fromChunk],
      end: ["idx", share, "c", dirPath, Number.MAX_SAFE_INTEGER],
    });
    for await (const { key, value } of iter) yield { chunk: key[4] as number, entries: value };
  }

  /** All entries of one directory, sorted by name. */
  async readDir(share: string, dirPath: string): Promise<Entry[]> {
    const out: Entry[] = [];
    for await (const { entries } of this.dirChunks(share, dirPath)) out.push(...entries);
    return out;
  }

  /**
   * The chunks of `dirPath` and of every directory below it, in key order, from `after` on.
   * `dirPath` "" means the whole share. Never includes a sibling such as `a/bc` for `a/b`.
   */
  async *treeChunks(
    share: string,
    dirPath: string,
    from?: { dirPath: string; chunk: number },
  ): AsyncGenerator<{ dirPath: string; chunk: number; entries: Entry[] }> {
    for (const selector of treeSelectors(["idx", share, "c"], dirPath, from)) {
      for await (const { key, value } of this.#kv.list<Entry[]>(selector)) {
        yield { dirPath: key[3] as string, chunk: key[4] as number, entries: value };
      }
    }
  }

  /** Every indexed directory at or below `dirPath` with its meta. */
  async *treeDirs(share: string, dirPath: string): AsyncGenerator<[string, DirMeta]> {
    if (dirPath !== "") {
      // A prefix selector leaves out the key equal to the prefix: the directory's own meta.
      const own = await this.getDir(share, dirPath);
      if (own) yield [dirPath, own];
    }
    const [, below] = treeSelectors(["idx", share, "d"], dirPath);
    for await (
      const { key, value } of this.#kv.list<DirMeta>(below ?? { prefix: ["idx", share, "d"] })
    ) {
      yield [key[3] as string, value];
    }
  }

  /**
   * Queues the write of a whole directory; `previous` lets surplus old chunks be deleted, and
   * `before` (its entries until now, when known) spares the word index words it already has.
   */
  putDir(
    share: string,
    dirPath: string,
    meta: DirMeta,
    chunks: Entry[][],
    previous?: Pick<DirMeta, "chunks"> | null,
    before?: readonly Entry[],
  ): void {
    this.words.noteDir(share, dirPath, chunks.flat(), previous ? before : null);
    const keyBytes = dirPath.length * 3 + share.length * 3 + 32;
    this.#queue((op) => op.set(["idx", share, "d", dirPath], meta), keyBytes + 128);
    chunks.forEach((chunk, i) => {
      this.#queue(
        (op) => op.set(["idx", share, "c", dirPath, i], chunk),
        keyBytes + chunkBytes(chunk),
      );
    });
    for (let i = chunks.length; i < (previous?.chunks ?? 0); i++) {
      this.#queue((op) => op.delete(["idx", share, "c", dirPath, i]), keyBytes);
    }
  }

  /** Queues the removal of one directory's records. */
  deleteDir(share: string, dirPath: string, meta: DirMeta): void {
    const keyBytes = dirPath.length * 3 + share.length * 3 + 32;
    this.#queue((op) => op.delete(["idx", share, "d", dirPath]), keyBytes);
    for (let i = 0; i < meta.chunks; i++) {
      this.#queue((op) => op.delete(["idx", share, "c", dirPath, i]), keyBytes);
    }
  }

  /** How many writes are queued. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Commits queued writes in atomic batches within KV's limits of count and size. */
  async flush(): Promise<void> {
    await this.#commit();
    await this.words.flush();
  }

  /** Commits when enough writes are queued to fill a batch. */
  async flushIfFull(): Promise<void> {
    if (this.#pending.length >= MAX_MUTATIONS || this.#pendingBytes >= MAX_BATCH_BYTES) {
      await this.#commit();
    }
    if (this.words.full) await this.words.flush();
  }

  async #commit(): Promise<void> {
    if (this.#pending.length > 0) await this.words.beforeDirWrites();
    while (this.#pending.length > 0) {
      const op = this.#kv.atomic();
      let count = 0;
      let bytes = 0;
      while (this.#pending.length > 0 && count < MAX_MUTATIONS) {
        const next = this.#pending[0]!;
        if (count > 0 && bytes + next.bytes > MAX_BATCH_BYTES) break;
        next.write(op);
        this.#pending.shift();
        this.#pendingBytes -= next.bytes;
        count++;
        bytes += next.bytes;
      }
      const result = await op.commit();
      if (!result.ok) throw new Error("An index write was refused by the database");
    }
  }

  #queue(write: (op: Deno.AtomicOperation) => void, bytes: number): void {
    this.#pending.push({ write, bytes });
    this.#pendingBytes += bytes;
  }

  /** The scan state of a share. */
  async getStatus(share: string): Promise<ShareStatus | null> {
    return (await this.#kv.get<ShareStatus>(["share", share])).value;
  }

  /** Records the scan state of a share. */
  async setStatus(share: string, status: ShareStatus): Promise<void> {
    await this.#kv.set(["share", share], status);
  }

  /** Removes a share's whole index. */
  async deleteShare(share: string): Promise<void> {
    for await (const { key } of this.#kv.list({ prefix: shareKey(share) })) {
      this.#queue((op) => op.delete(key), 256);
      await this.flushIfFull();
    }
    this.#queue((op) => op.delete(["share", share]), 64);
    await this.flush();
    await this.words.deleteShare(share);
  }
}

/**
 * KV selectors for a directory and everything below it: the directory's own keys, then the range
 * of `dirPath/…` (`0` sorts right after `/`), so `a/bc` never comes with `a/b`. With `from`, the
 * listing resumes at that directory and chunk.
 */
function treeSelectors(
  base: Deno.KvKey,
  dirPath: string,
  from?: { dirPath: string; chunk: number },
): Deno.KvListSelector[] {
  const resume = from ? [...base, from.dirPath, from.chunk] : undefined;
  if (dirPath === "") return [resume ? { prefix: base, start: resume } : { prefix: base }];
  const below = { start: [...base, dirPath + "/"], end: [...base, dirPath + "0"] };
  if (!resume || from?.dirPath === dirPath) {
    const own = { prefix: [...base, dirPath] };
    return [resume ? { ...own, start: resume } : own, below];
  }
  return [{ start: resume, end: below.end }];
}
