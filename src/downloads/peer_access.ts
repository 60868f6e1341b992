/** How the download queue reaches peers: what it asks of their live connections. */
import type { BatchAnswer } from "./batch_transfer.ts";
import type { RemoteRead } from "./file_transfer.ts";
import type { ListPage } from "./listing.ts";

export type { ListPage };

/** The queue's view of the peers. */
export interface PeerAccess {
  isConnected(keyHex: string): boolean;
  /** A recursive listing of `path` at the peer, page by page, from `cursor` when given. */
  list(keyHex: string, path: string, cursor?: string): AsyncIterable<ListPage>;
  /**
   * Starts reading `path` from `start`; `onQueued` hears the place in the peer's upload queue, and
   * `signal` withdraws the read (also while it waits in that queue).
   */
  read(
    keyHex: string,
    path: string,
    start: number,
    options: { onQueued: (position: number) => void; signal: AbortSignal },
  ): Promise<RemoteRead>;
  /** Reads small files whole with one request, answering in the order asked. */
  readMany(keyHex: string, paths: string[]): AsyncIterable<BatchAnswer>;
}
