/**
 * The player's state as a value: the queue of a folder's songs (or videos), which one plays, where
 * in it, and the folder's cover. Pure functions, no DOM: the player bar applies them to its one
 * media element.
 */
import type { LsEntry } from "../src/api/light.ts";
import { basename, dirname, previewKind } from "./paths.ts";

/** What the player plays: sound or pictures too. */
export type PlayKind = "audio" | "video";

/** One file of a peer in the queue. */
export interface Track {
  /** The peer's key. */
  peer: string;
  /** The peer's name when it was queued, for the bar. */
  peerName: string;
  /** Its path at the peer. */
  path: string;
  kind: PlayKind;
}

/** The queue and where playback is in it. */
export interface PlayerQueue {
  /** One folder's files of the first track's kind, in name order. */
  readonly tracks: readonly Track[];
  /** The track that plays (or is paused). */
  readonly index: number;
  /** Seconds into the current track, as the media element last said. */
  readonly position: number;
  /** The current track's length in seconds, once known. */
  readonly duration: number | undefined;
  readonly paused: boolean;
  /** The path at the peer of the folder's cover picture, when it has one. */
  readonly cover: string | undefined;
  /** Counts the times a track was started: the media element loads the current track anew when it changes. */
  readonly starts: number;
}

/** Before this many seconds into a track, Previous goes to the track before; after, to its start. */
export const RESTART_AFTER_S = 3;

/** Cover pictures by preference: the first name found in the folder wins. */
const COVER_NAMES = [
  "cover.jpg",
  "cover.jpeg",
  "cover.png",
  "folder.jpg",
  "folder.jpeg",
  "folder.png",
];

/** Whether (and how) a file plays, by the one media-type table. */
export function playKind(path: string): PlayKind | undefined {
  const kind = previewKind(path);
  return kind === "audio" || kind === "video" ? kind : undefined;
}

/** The cover picture among the entries of `folder` (case-insensitive name), if any. */
export function coverPath(entries: readonly LsEntry[], folder: string): string | undefined {
  let best: { path: string; rank: number } | undefined;
  for (const entry of entries) {
    if (entry.isDir || dirname(entry.name) !== folder) continue;
    const rank = COVER_NAMES.indexOf(basename(entry.name).toLowerCase());
    if (rank >= 0 && (best === undefined || rank < best.rank)) best = { path: entry.name, rank };
  }
  return best?.path;
}

/**
 * A queue starting at `start`: the files of its kind in its folder among `entries` (none known
 * yet: it alone), in name order. `after` is the queue it replaces.
 */
export function startQueue(
  start: Track,
  options: { entries?: readonly LsEntry[]; after?: PlayerQueue | undefined } = {},
): PlayerQueue {
  const folder = dirname(start.path);
  const entries = options.entries ?? [];
  const { tracks, index } = albumOf(start, entries);
  return {
    tracks,
    index,
    position: 0,
    duration: undefined,
    paused: false,
    cover: coverPath(entries, folder),
    starts: (options.after?.starts ?? 0) + 1,
  };
}

/**
 * The queue once the listing of a folder has come: the current track keeps playing, now among
 * its folder's files. A listing of another peer or folder (an older request) changes nothing.
 */
export function withFolder(
  queue: PlayerQueue,
  folder: { peer: string; path: string; entries: readonly LsEntry[] },
): PlayerQueue {
  const track = currentTrack(queue);
  if (!track || track.peer !== folder.peer || dirname(track.path) !== folder.path) return queue;
  return {
    ...queue,
    ...albumOf(track, folder.entries),
    cover: coverPath(folder.entries, folder.path),
  };
}

/** The track that plays, if any. */
export function currentTrack(queue: PlayerQueue | undefined): Track | undefined {
  return queue?.tracks[queue.index];
}

/** Whether `path` of `peer` is the current track. */
export function isCurrent(queue: PlayerQueue | undefined, peer: string, path: string): boolean {
  const track = currentTrack(queue);
  return track !== undefined && track.peer === peer && track.path === path;
}

/** Whether Next (`1`) or Previous (`-1`) does anything. */
export function canSkip(queue: PlayerQueue, step: 1 | -1): boolean {
  return step === 1 ? queue.index < queue.tracks.length - 1 : queue.index > 0 || queue.position > 0;
}

/**
 * Next (`1`) or Previous (`-1`): the track after or before, from its start. Previous well into a
 * track, or on the first one, starts it again; Next on the last changes nothing.
 */
export function skip(queue: PlayerQueue, step: 1 | -1): PlayerQueue {
  const restart = step === -1 && (queue.position > RESTART_AFTER_S || queue.index === 0);
  const index = restart ? queue.index : queue.index + step;
  if (index < 0 || index >= queue.tracks.length) return queue;
  return {
    ...queue,
    index,
    position: 0,
    duration: undefined,
    paused: false,
    starts: queue.starts + 1,
  };
}

/** The current track played to its end: the next one starts, or the queue stops on the last. */
export function trackEnded(queue: PlayerQueue): PlayerQueue {
  if (canSkip(queue, 1)) return skip(queue, 1);
  return { ...queue, paused: true, position: queue.duration ?? queue.position };
}

/** Where playback moves to, between the start and the end of the track. */
export function seek(queue: PlayerQueue, seconds: number): PlayerQueue {
  const end = queue.duration ?? Number.POSITIVE_INFINITY;
  const position = Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), end) : 0;
  return { ...queue, position };
}

/** What the media element says of the current track: where it is and how long it is. */
export function progress(
  queue: PlayerQueue,
  report: { position: number; duration: number | undefined },
): PlayerQueue {
  const duration = report.duration !== undefined && Number.isFinite(report.duration) &&
      report.duration > 0
    ? report.duration
    : undefined;
  const position = Number.isFinite(report.position) ? Math.max(report.position, 0) : 0;
  if (position === queue.position && duration === queue.duration) return queue;
  return { ...queue, position, duration };
}

/** The media element paused or went on. */
export function setPaused(queue: PlayerQueue, paused: boolean): PlayerQueue {
  return queue.paused === paused ? queue : { ...queue, paused };
}

/** The files of `start`'s kind in its folder, in name order, and where `start` is among them. */
function albumOf(
  start: Track,
  entries: readonly LsEntry[],
): { tracks: Track[]; index: number } {
  const folder = dirname(start.path);
  const paths = entries
    .filter((e) => !e.isDir && dirname(e.name) === folder && playKind(e.name) === start.kind)
    .map((e) => e.name);
  if (!paths.includes(start.path)) paths.push(start.path);
  paths.sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
  const tracks = paths.map((path) => path === start.path ? start : { ...start, path });
  return { tracks, index: paths.indexOf(start.path) };
}
