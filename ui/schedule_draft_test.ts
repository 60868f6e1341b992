import assert from "node:assert/strict";
import type { Schedule } from "../src/api/light.ts";
import { errorCode, errorMessage } from "./errors.ts";
import {
  addSchedule,
  EMPTY_DRAFT,
  readDraft,
  removeSchedule,
  type ScheduleDraft,
  scheduleLimits,
  scheduleWhen,
} from "./schedule_draft.ts";

const EVENINGS: ScheduleDraft = {
  name: " evenings ",
  days: "mon-fri",
  from: "18:00",
  to: "23:30",
  upload: "2MB/s",
  download: "",
};

function refusal(draft: ScheduleDraft): string {
  try {
    readDraft(draft);
  } catch (error) {
    assert.equal(errorCode(error), "BAD_REQUEST");
    return errorMessage(error);
  }
  assert.fail("the draft was accepted");
}

Deno.test("a filled-in form reads as a schedule; an empty rate keeps the base limit", () => {
  assert.deepEqual(readDraft(EVENINGS), {
    name: "evenings",
    days: [1, 2, 3, 4, 5],
    from: "18:00",
    to: "23:30",
    upload: 2_000_000,
  });
  assert.equal(readDraft({ ...EVENINGS, upload: "", download: "unlimited" }).download, 0);
});

Deno.test("a form that is wrong says which field", () => {
  assert.match(refusal(EMPTY_DRAFT), /^Name: /);
  assert.match(refusal({ ...EVENINGS, days: "someday" }), /^Days: Not days: "someday"/);
  assert.match(refusal({ ...EVENINGS, from: "" }), /^From: give a time as HH:MM$/);
  assert.match(refusal({ ...EVENINGS, to: "24:00" }), /^To: /);
  assert.match(refusal({ ...EVENINGS, upload: "fast" }), /^Upload: Not a rate: "fast"/);
  assert.match(refusal({ ...EVENINGS, upload: " " }), /upload or a download limit/);
});

Deno.test("a schedule is added once under its name and removed by it", () => {
  const a: Schedule = { name: "a", days: [0], from: "01:00", to: "02:00", upload: 1 };
  const b: Schedule = { ...a, name: "b" };
  assert.deepEqual(addSchedule([a], b), [a, b]);
  assert.throws(() => addSchedule([a, b], { ...a }), /"a" exists/);
  assert.deepEqual(removeSchedule([a, b], "a"), [b]);
  assert.deepEqual(removeSchedule([a], "zzz"), [a]);
});

Deno.test("a schedule is described by when it holds and what it sets", () => {
  const s: Schedule = { name: "x", days: [0, 6], from: "22:00", to: "06:00", download: 0 };
  assert.equal(scheduleWhen(s), "weekends 22:00–06:00");
  assert.equal(scheduleLimits(s), "download unlimited");
  assert.equal(scheduleLimits({ ...s, upload: 5e6 }), "upload 5 MB/s · download unlimited");
});
