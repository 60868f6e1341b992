/**
 * A schedule as the Limits card's form holds it (text fields), read into a `Schedule`, and the
 * schedule list with one added or removed; pure. Errors are `BAD_REQUEST`s naming the field.
 */
import { formatDays, hdpError, parseDays, type Schedule } from "../src/api/light.ts";
import { limitText, readRate } from "./rates.ts";

/** The form's fields, as typed. */
export interface ScheduleDraft {
  name: string;
  /** `mon-fri`, `sat,sun`, `daily`… */
  days: string;
  /** `HH:MM`, as a time input gives it. */
  from: string;
  to: string;
  /** A rate, `unlimited`, or empty to keep the limit outside schedules. */
  upload: string;
  download: string;
}

/** An empty form. */
export const EMPTY_DRAFT: ScheduleDraft = {
  name: "",
  days: "mon-fri",
  from: "",
  to: "",
  upload: "",
  download: "",
};

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The schedule the form describes; throws `BAD_REQUEST` saying which field is wrong. */
export function readDraft(draft: ScheduleDraft): Schedule {
  const name = draft.name.trim();
  if (!name) throw hdpError("BAD_REQUEST", "Name: give the schedule a name");
  let days: number[];
  try {
    days = parseDays(draft.days);
  } catch (error) {
    throw hdpError("BAD_REQUEST", `Days: ${(error as Error).message}`);
  }
  const from = time(draft.from, "From");
  const to = time(draft.to, "To");
  const schedule: Schedule = { name, days, from, to };
  if (draft.upload.trim()) schedule.upload = readRate(draft.upload, "Upload");
  if (draft.download.trim()) schedule.download = readRate(draft.download, "Download");
  if (schedule.upload === undefined && schedule.download === undefined) {
    throw hdpError("BAD_REQUEST", "Give an upload or a download limit for this schedule");
  }
  return schedule;
}

/** The list with `schedule` last; throws `BAD_REQUEST` when its name is taken. */
export function addSchedule(list: readonly Schedule[], schedule: Schedule): Schedule[] {
  if (list.some((s) => s.name === schedule.name)) {
    throw hdpError("BAD_REQUEST", `A schedule named "${schedule.name}" exists: remove it first`);
  }
  return [...list, schedule];
}

/** The list without the schedule named `name`. */
export function removeSchedule(list: readonly Schedule[], name: string): Schedule[] {
  return list.filter((s) => s.name !== name);
}

/** When a schedule holds: `mon-fri 08:00–23:00`. */
export function scheduleWhen(s: Schedule): string {
  return `${formatDays(s.days)} ${s.from}–${s.to}`;
}

/** What a schedule sets: `upload 2 MB/s · download unlimited`, or the one it sets. */
export function scheduleLimits(s: Schedule): string {
  return [
    s.upload !== undefined ? `upload ${limitText(s.upload)}` : "",
    s.download !== undefined ? `download ${limitText(s.download)}` : "",
  ].filter(Boolean).join(" · ");
}

function time(text: string, what: string): string {
  const t = text.trim();
  if (!TIME.test(t)) throw hdpError("BAD_REQUEST", `${what}: give a time as HH:MM`);
  return t;
}
