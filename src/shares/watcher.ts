/**
 * Watching a share for changes: file system events become a debounced set of directories to
 * rescan. Where watching is not possible (inotify limits, network file systems) the periodic
 * rescan in shares.ts still catches everything, later.
 */
import { dirname, relative, sep } from "node:path";
import { logger } from "../log.ts";
import { messageOf } from "../wire/mod.ts";

const log = logger("watcher");

/** Options of {@link watchShare}. */
export interface WatchOptions {
  /** Quiet time before a batch is handed over. Default 200 ms. */
  debounceMs?: number;
  /** The longest a busy stream of events delays a batch. Default 2 s. */
  maxDelayMs?: number;
}

/** A running watch. */
export interface ShareWatch {
  close(): void;
}

/**
 * Watches the real directory `root` and calls `onDirty` with share-relative directory paths whose
 * entries changed, deepest first. Returns null when the platform refuses to watch.
 */
export function watchShare(
  root: string,
  onDirty: (dirPaths: string[]) => void,
  options: WatchOptions = {},
): ShareWatch | null {
  let watcher: Deno.FsWatcher;
  try {
    watcher = Deno.watchFs(root, { recursive: true });
  } catch (error) {
    log.warn("cannot watch a share; changes are found by the periodic rescan", {
      root,
      error: messageOf(error),
    });
    return null;
  }
  const dirty = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstAt = 0;
  const hand = () => {
    timer = undefined;
    firstAt = 0;
    const batch = [...dirty].sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : 1));
    dirty.clear();
    if (batch.length > 0) onDirty(batch);
  };
  const debounce = options.debounceMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 2000;
  (async () => {
    try {
      for await (const event of watcher) {
        if (event.kind === "access" || event.kind === "other") continue;
        for (const path of event.paths) {
          const parent = relativeDir(root, dirname(path));
          if (parent !== null) dirty.add(parent);
        }
        const now = Date.now();
        firstAt ||= now;
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(hand, now - firstAt >= maxDelay ? 0 : debounce);
      }
    } catch (error) {
      log.warn("watching a share stopped", { root, error: messageOf(error) });
    }
  })();
  return {
    close() {
      if (timer !== undefined) clearTimeout(timer);
      try {
        watcher.close();
      } catch { /* already closed */ }
    },
  };
}

/** The share-relative form of a directory path (`""` for the root), null when outside. */
export function relativeDir(root: string, dir: string): string | null {
  const rel = relative(root, dir);
  if (rel === "") return "";
  if (rel.startsWith("..") || rel.startsWith(sep) || /^[a-zA-Z]:/.test(rel)) return null;
  return rel.split(sep).join("/");
}

function depth(path: string): number {
  return path === "" ? 0 : path.split("/").length;
}
