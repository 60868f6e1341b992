/** Paths at a peer and in the download dir; pure functions, no DOM. */

import { type PreviewKind, previewKind } from "../src/api/light.ts";

export { type PreviewKind, previewKind };

/** A path split into breadcrumbs: `a/b` gives `a` → `a`, `b` → `a/b`. */
export function crumbs(path: string): { label: string; path: string }[] {
  const parts = path.split("/").filter(Boolean);
  return parts.map((label, i) => ({ label, path: parts.slice(0, i + 1).join("/") }));
}

/** The last segment of a path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1) || path;
}

/** The folder a path is in ("" for a top-level name). */
export function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Where the daemon serves a downloaded file: `/files/<localPath>`, each segment encoded. */
export function fileUrl(localPath: string, token?: string): string {
  const url = `/files/${encodePath(localPath)}`;
  return token ? `${url}?token=${encodeURIComponent(token)}` : url;
}

/** Encodes each segment of a slash-separated path for a URL. */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
