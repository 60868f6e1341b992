/**
 * Which daemon events are worth a toast: a download that finished or failed, a friend that
 * connected or went away. Pure: what was seen before comes in and goes out as {@link Seen}.
 */
import { type NodeEvent, type PeerInfo, problemText } from "../src/api/light.ts";
import { basename } from "./paths.ts";
import type { ToastNews } from "./toasts.ts";

/** The last state seen of each download (by id) and status of each peer (by key). */
export interface Seen {
  downloads: Record<string, string>;
  peers: Record<string, string>;
}

/** Nothing seen yet. */
export function nothingSeen(): Seen {
  return { downloads: {}, peers: {} };
}

/** What `event` changes in `seen`, and the toast it is worth, if any. */
export function newsOf(seen: Seen, event: NodeEvent): { seen: Seen; news?: ToastNews } {
  if (event.type === "download") {
    const { item } = event;
    const before = seen.downloads[item.id];
    const next = { ...seen, downloads: { ...seen.downloads, [item.id]: item.state } };
    if (before === item.state) return { seen: next };
    const name = basename(item.path) || item.path;
    if (item.state === "done") {
      return {
        seen: next,
        news: { text: `Downloaded ${name} from ${item.peer.name}`, tone: "good" },
      };
    }
    if (item.state === "failed") {
      const why = item.problem ? `: ${problemText(item.problem)}` : "";
      return { seen: next, news: { text: `Download of ${name} failed${why}`, tone: "bad" } };
    }
    return { seen: next };
  }
  if (event.type === "peer") {
    const { peer } = event;
    const before = seen.peers[peer.keyHex];
    const next = { ...seen, peers: { ...seen.peers, [peer.keyHex]: peer.status } };
    // strangers (heard of through gossip, dialled in) come and go in a mesh: only friends are news
    if (peer.standing !== "friend") return { seen: next };
    if (peer.status === "connected" && before !== "connected") {
      return { seen: next, news: { text: `${peer.name} connected`, tone: "good" } };
    }
    if (before === "connected" && peer.status !== "connected" && peer.status !== "connecting") {
      const why = peer.problem ? `: ${peer.problem.message}` : "";
      return { seen: next, news: { text: `${peer.name} went away${why}`, tone: "bad" } };
    }
    return { seen: next };
  }
  if (event.type === "peer-removed") {
    const { [event.keyHex]: _gone, ...peers } = seen.peers;
    return { seen: { ...seen, peers } };
  }
  if (event.type === "download-removed") {
    const { [event.id]: _gone, ...downloads } = seen.downloads;
    return { seen: { ...seen, downloads } };
  }
  return { seen };
}

/** `seen` with the statuses of `peers` it has not seen yet (the table loaded when the app opened). */
export function seenPeers(seen: Seen, peers: readonly PeerInfo[]): Seen {
  const known = Object.fromEntries(peers.map((p) => [p.keyHex, p.status]));
  return { ...seen, peers: { ...known, ...seen.peers } };
}
