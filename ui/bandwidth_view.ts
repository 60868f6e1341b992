/**
 * What the UI keeps of the bandwidth: the daemon's latest status, and a rate a second for the
 * last minute, started from `GET /api/bandwidth`'s history and carried on by the "bandwidth"
 * events (every 2 s while something moves, none while nothing changes); pure functions.
 */
import type { BandwidthStatus, Limits } from "../src/api/light.ts";
import { GRAPH_SECONDS } from "./sparkline.ts";

/** A rate a second in each direction, oldest first, at most {@link GRAPH_SECONDS} of them. */
export interface Samples {
  upload: number[];
  download: number[];
}

/** The bandwidth as the screens show it. */
export interface BandwidthView {
  /** The latest status, without its history (that is in `samples`). */
  status: BandwidthStatus;
  samples: Samples;
  /** When the newest sample stands, in ms since the epoch. */
  sampledAt: number;
}

/** A rate event covers this many seconds: the daemon's rates are over the last two. */
const RATE_SECONDS = 2;

/** The view of a status fetched at `at`: its history is the samples. */
export function viewOf(status: BandwidthStatus, at: number): BandwidthView {
  const { history, ...rest } = status;
  return {
    status: rest,
    samples: {
      upload: (history?.upload ?? []).slice(-GRAPH_SECONDS),
      download: (history?.download ?? []).slice(-GRAPH_SECONDS),
    },
    sampledAt: at,
  };
}

/**
 * The view once a "bandwidth" event arrives `at` (ms since the epoch): the seconds since the
 * newest sample are filled, the last two with the event's rate and those before with the previous
 * one (no event came, so nothing changed); an event within the same second replaces the newest
 * sample.
 */
export function withEvent(
  view: BandwidthView,
  status: BandwidthStatus,
  { at }: { at: number },
): BandwidthView {
  const { history: _, ...rest } = status;
  const seconds = Math.min(GRAPH_SECONDS, Math.max(0, Math.round((at - view.sampledAt) / 1000)));
  const next = (key: keyof Limits) => carryOn(view.samples[key], status.rates[key], seconds);
  return {
    // an event sent before a change whose answer came first: its rates, the newer settings
    status: isOlder(status, view.status)
      ? { ...view.status, rates: rest.rates, totals: rest.totals }
      : rest,
    samples: { upload: next("upload"), download: next("download") },
    sampledAt: view.sampledAt + seconds * 1000,
  };
}

/**
 * The view with the daemon's answer to a change: its status, the same samples; an answer older
 * than what the view shows (two changes at once, answered out of order) changes nothing.
 */
export function withAnswer(view: BandwidthView, status: BandwidthStatus): BandwidthView {
  if (isOlder(status, view.status)) return view; // a slow answer to an earlier change
  const { history: _, ...rest } = status;
  return { ...view, status: rest };
}

/** Whether `status` holds older settings than `than` (see `BandwidthStatus.revision`). */
function isOlder(status: BandwidthStatus, than: BandwidthStatus): boolean {
  return status.revision < than.revision;
}

function carryOn(series: readonly number[], rate: number, seconds: number): number[] {
  if (seconds === 0) return series.length ? [...series.slice(0, -1), rate] : [rate];
  const previous = series.at(-1) ?? 0;
  const held = Math.max(0, seconds - RATE_SECONDS);
  const fresh = Math.min(seconds, RATE_SECONDS);
  return [
    ...series,
    ...Array<number>(held).fill(previous),
    ...Array<number>(fresh).fill(rate),
  ].slice(-GRAPH_SECONDS);
}
