/**
 * Who sees which share: the one decision every request a peer makes goes through (node.ts builds
 * the serving handlers on it). Pure.
 */
import type { UploadInfo } from "../downloads/mod.ts";
import type { Standing } from "../transport/mod.ts";
import { type HdpError, hdpError, type LsQuery, parsePath } from "../wire/mod.ts";
import type { Audience } from "./audience.ts";

/** What a peer asks of a share. */
export type ShareRequest = "list-root" | "list" | "search" | "read" | "read-many";

/** Every share request, for the policy table. */
export const SHARE_REQUESTS: readonly ShareRequest[] = [
  "list-root",
  "list",
  "search",
  "read",
  "read-many",
];

/** The asking peer, as the decision needs it. */
export interface Viewer {
  keyHex: string;
  standing: Standing;
}

/**
 * Whether `viewer` may see a share with `audience` for `request`: `hidden` means the share is
 * left out of the root listing and searches, and a path in it is answered exactly as a path in no
 * share (`NOT_FOUND`). The answer is the same for every request type, so that none of them can
 * tell a hidden share from a missing one. Blocked peers see nothing (they are not even connected).
 */
export function shareAccess(
  viewer: Viewer,
  audience: Audience,
  _request: ShareRequest,
): "allowed" | "hidden" {
  if (viewer.standing === "blocked") return "hidden";
  if (audience === "everyone") return "allowed";
  if (audience === "friends") return viewer.standing === "friend" ? "allowed" : "hidden";
  return audience.peers.includes(viewer.keyHex) ? "allowed" : "hidden";
}

/** The share request an `Ls` query is. */
export function lsRequest(query: LsQuery): ShareRequest {
  if (query.searchTerm !== undefined) return "search";
  return parsePath(query.path).length === 0 ? "list-root" : "list";
}

/** What enforcing access needs of the running uploads. */
export interface RunningUploads {
  stopWhere(which: (upload: UploadInfo) => boolean, why: HdpError): number;
}

/**
 * Stops every running or queued upload of a share its peer may no longer see (its audience or
 * the peer's standing changed), with `FORBIDDEN`: the downloader pauses the item and says why.
 * Returns how many stopped.
 */
export function enforceAccess(
  uploads: RunningUploads,
  viewerOf: (upload: UploadInfo) => Viewer,
  audiences: { of(name: string): Audience },
): number {
  return uploads.stopWhere(
    (upload) => {
      const share = parsePath(upload.path)[0] ?? "";
      return shareAccess(viewerOf(upload), audiences.of(share), "read") === "hidden";
    },
    hdpError("FORBIDDEN", "The owner no longer shares this with you"),
  );
}
