/** Numbers, dates and durations for people; pure functions, no DOM. */

import { formatBytes, formatDate } from "../src/api/light.ts";
import { formatRate } from "./rates.ts";

export { formatBytes, formatDate };

/**
 * A transfer speed: `2.4 MB/s`, in the decimal units of the limits and the bandwidth card (one
 * screen showed 12.2 kB/s above and 11.9 KiB/s below for the same bytes); nothing when idle.
 */
export function formatSpeed(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? formatRate(bytesPerSecond) : "";
}

/** Seconds left, coarsely: `45 s`, `3 min 20 s`, `2 h 05 min`, `3 d 4 h`; nothing when unknown. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "";
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  const minutes = Math.floor(s / 60);
  if (s < 86_400) return `${Math.floor(minutes / 60)} h ${pad2(minutes % 60)} min`;
  const hours = Math.floor(s / 3600);
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A place in a song or video: `0:07`, `3:25`, `1:02:09`; `–:––` while unknown. */
export function formatClock(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "–:––";
  const s = Math.floor(seconds);
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes}:${pad2(s % 60)}`;
  return `${Math.floor(minutes / 60)}:${pad2(minutes % 60)}:${pad2(s % 60)}`;
}

/** How far along, 0 to 100, rounded down (100 only when done); an empty total counts as done. */
export function percent(done: number, total: number): number {
  if (total <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

/** `1 file`, `3 files`: a count with its noun. */
export function plural(count: number, noun: string): string {
  return `${count.toLocaleString("en")} ${noun}${count === 1 ? "" : "s"}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
