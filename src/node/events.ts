/** The node's event bus: what changed, for the WebSocket stream and the UI. */
import type { ShareListing } from "./hdp_node.ts";
import type { BandwidthStatus } from "./bandwidth.ts";
import type { PeerInfo } from "../transport/mod.ts";
import type { DownloadItem, UploadInfo } from "../downloads/mod.ts";

/** Every event a node emits. */
export type NodeEvent =
  | { type: "share"; share: ShareListing }
  /** What moves now against the limits (every 2 s while something moves). */
  | { type: "bandwidth"; bandwidth: BandwidthStatus }
  | { type: "shares" }
  /** The node's own info changed (its announce address, NAT type). */
  | { type: "info" }
  | { type: "peer"; peer: PeerInfo }
  /** A peer was forgotten: one that only connected to us, away for a while or crowded out. */
  | { type: "peer-removed"; keyHex: string }
  | { type: "download"; item: DownloadItem }
  | { type: "download-removed"; id: string }
  | { type: "upload"; upload: UploadInfo }
  | { type: "upload-done"; id: string }
  | { type: "stopping"; reason: string };

/** A listener of node events. */
export type Listener = (event: NodeEvent) => void;

/** A minimal typed event bus; listeners that throw do not stop the others. */
export class EventBus {
  readonly #listeners = new Set<Listener>();

  /** Subscribes; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Delivers an event to every listener. */
  emit(event: NodeEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // a broken listener (a closed socket) must not stop the others
      }
    }
  }
}
