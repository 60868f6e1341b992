/**
 * Bandwidth schedules: named windows of the week, in local time, with their own limits ("weekdays
 * 08:00–23:00: upload 2 MB/s"). Pure: the time comes in as a weekday and minutes. The first window
 * that holds the time wins; outside every window the base limits hold.
 */
import { hdpError } from "./errors.ts";
import { checkRate } from "./rates.ts";

/** A window of the week with its own limits. */
export interface Schedule {
  name: string;
  /** Days it starts on, 0 Sunday … 6 Saturday. */
  days: number[];
  /** Local time it starts and ends, `HH:MM`; an end before the start runs past midnight. */
  from: string;
  to: string;
  /** Bytes a second while it holds (0: unlimited); absent: the base limit. */
  upload?: number;
  download?: number;
}

/** Limits in bytes a second, 0 for none. */
export interface Limits {
  upload: number;
  download: number;
}

/** The limits in force, and the schedule that sets them (if one does). */
export interface LimitsInForce extends Limits {
  schedule?: string;
}

/** The most schedules kept. */
export const MAX_SCHEDULES = 32;

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** The limits at a moment: `day` 0–6 (Sunday first), `minutes` since local midnight. */
export function limitsAt(
  base: Limits,
  schedules: readonly Schedule[],
  at: { day: number; minutes: number },
): LimitsInForce {
  for (const s of schedules) {
    if (holds(s, at)) {
      return {
        upload: s.upload ?? base.upload,
        download: s.download ?? base.download,
        schedule: s.name,
      };
    }
  }
  return { ...base };
}

/** The local weekday and minutes of a date, as {@link limitsAt} takes them. */
export function localMoment(date: Date): { day: number; minutes: number } {
  return { day: date.getDay(), minutes: date.getHours() * 60 + date.getMinutes() };
}

function holds(s: Schedule, { day, minutes }: { day: number; minutes: number }): boolean {
  const from = minutesOf(s.from);
  const to = minutesOf(s.to);
  if (from === to) return s.days.includes(day); // the whole day
  if (from < to) return s.days.includes(day) && minutes >= from && minutes < to;
  // past midnight: from `from` on its day, until `to` the day after
  return (s.days.includes(day) && minutes >= from) ||
    (s.days.includes((day + 6) % 7) && minutes < to);
}

function minutesOf(time: string): number {
  const [h, m] = time.split(":").map(Number);
  return h! * 60 + m!;
}

/**
 * Days as people write them: `mon-fri`, `sat,sun`, `weekdays`, `weekends`, `daily`. Throws
 * `BAD_REQUEST`.
 */
export function parseDays(text: string): number[] {
  const t = text.trim().toLowerCase();
  if (t === "daily" || t === "all" || t === "every day") return [0, 1, 2, 3, 4, 5, 6];
  if (t === "weekdays") return [1, 2, 3, 4, 5];
  if (t === "weekends") return [0, 6];
  const days = new Set<number>();
  for (const part of t.split(",").map((p) => p.trim())) {
    const [a, b] = part.split("-").map((d) => DAY_NAMES.indexOf(d.slice(0, 3)));
    if (a === undefined || a < 0 || (b !== undefined && b < 0) || part.split("-").length > 2) {
      throw hdpError("BAD_REQUEST", `Not days: "${text}" (try mon-fri, sat,sun or daily)`);
    }
    if (b === undefined) days.add(a);
    else {for (let d = a;; d = (d + 1) % 7) {
        days.add(d);
        if (d === b) break;
      }}
  }
  return [...days].sort();
}

/** The days of a schedule in words, Monday first: `mon-fri`, `weekends`, `daily`, `mon,wed`. */
export function formatDays(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
  if (sorted.length === 7) return "daily";
  if (sorted.join() === "1,2,3,4,5") return "mon-fri";
  if (sorted.join() === "6,0") return "weekends";
  return sorted.map((d) => DAY_NAMES[d]).join(",");
}

/** Validates a schedule (settings, the API); throws `BAD_REQUEST` saying what is wrong. */
export function parseSchedule(value: unknown): Schedule {
  const bad = (what: string) => hdpError("BAD_REQUEST", `A schedule ${what}`);
  if (typeof value !== "object" || value === null) throw bad("is an object");
  const v = value as Record<string, unknown>;
  if (typeof v.name !== "string" || v.name.trim() === "" || v.name.length > 64) {
    throw bad("needs a name of 1 to 64 characters");
  }
  const days = v.days;
  if (
    !Array.isArray(days) || days.length === 0 ||
    !days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6)
  ) {
    throw bad("needs days, 0 (Sunday) to 6");
  }
  for (const key of ["from", "to"] as const) {
    const time = v[key];
    if (typeof time !== "string" || !/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) {
      throw bad(`needs "${key}" as HH:MM`);
    }
  }
  const schedule: Schedule = {
    name: v.name.trim(),
    days: [...new Set(days as number[])].sort(),
    from: v.from as string,
    to: v.to as string,
  };
  if (v.upload !== undefined) schedule.upload = checkRate(v.upload, "upload");
  if (v.download !== undefined) schedule.download = checkRate(v.download, "download");
  return schedule;
}

/** Validates a list of schedules: each valid, names unique, at most {@link MAX_SCHEDULES}. */
export function parseSchedules(value: unknown): Schedule[] {
  if (!Array.isArray(value)) throw hdpError("BAD_REQUEST", "Schedules are a list");
  if (value.length > MAX_SCHEDULES) {
    throw hdpError("BAD_REQUEST", `At most ${MAX_SCHEDULES} schedules`);
  }
  const schedules = value.map(parseSchedule);
  const names = new Set(schedules.map((s) => s.name));
  if (names.size !== schedules.length) {
    throw hdpError("BAD_REQUEST", "Two schedules have the same name");
  }
  return schedules;
}
