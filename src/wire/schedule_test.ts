import assert from "node:assert/strict";
import { formatDays, limitsAt, parseDays, parseSchedule, type Schedule } from "./schedule.ts";

const MB = 1_000_000;
const BASE = { upload: 0, download: 0 };
const EVENINGS: Schedule = {
  name: "evenings",
  days: parseDays("mon-fri"),
  from: "08:00",
  to: "23:00",
  upload: 2 * MB,
};
const NIGHT: Schedule = { name: "night", days: [5], from: "23:30", to: "06:00", download: MB };
const at = (day: number, hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return { day, minutes: h! * 60 + m! };
};

Deno.test("limitsAt picks the first window that holds, else the base limits", () => {
  assert.deepEqual(limitsAt(BASE, [EVENINGS], at(1, "08:00")), {
    upload: 2 * MB,
    download: 0,
    schedule: "evenings",
  });
  assert.deepEqual(limitsAt(BASE, [EVENINGS], at(1, "23:00")), BASE, "the end is not inside");
  assert.deepEqual(limitsAt(BASE, [EVENINGS], at(6, "12:00")), BASE, "Saturday");
  assert.equal(limitsAt(BASE, [EVENINGS, NIGHT], at(5, "12:00")).schedule, "evenings");
});

Deno.test("a window that ends before it starts runs past midnight into the next day", () => {
  assert.equal(limitsAt(BASE, [NIGHT], at(5, "23:45")).schedule, "night");
  assert.equal(limitsAt(BASE, [NIGHT], at(6, "05:59")).schedule, "night", "Saturday morning");
  assert.equal(limitsAt(BASE, [NIGHT], at(6, "06:00")).schedule, undefined);
  assert.equal(limitsAt(BASE, [NIGHT], at(0, "01:00")).schedule, undefined, "not Sunday");
});

Deno.test("parseDays reads ranges, lists and words; formatDays writes them back", () => {
  assert.deepEqual(parseDays("mon-fri"), [1, 2, 3, 4, 5]);
  assert.deepEqual(parseDays("sat,sun"), [0, 6]);
  assert.deepEqual(parseDays("fri-mon"), [0, 1, 5, 6]);
  assert.deepEqual(parseDays("daily").length, 7);
  assert.equal(formatDays(parseDays("weekdays")), "mon-fri");
  assert.equal(formatDays([0, 6]), "weekends");
  assert.equal(formatDays([0, 3, 1]), "mon,wed,sun");
  assert.throws(() => parseDays("someday"), { code: "BAD_REQUEST" });
});

Deno.test("parseSchedule refuses bad times, days and rates", () => {
  const good = { name: "x", days: [1], from: "08:00", to: "09:00" };
  assert.deepEqual(parseSchedule(good), good);
  for (
    const bad of [{ ...good, from: "8:00" }, { ...good, to: "24:00" }, { ...good, days: [7] }, {
      ...good,
      name: "",
    }, { ...good, upload: -1 }]
  ) {
    assert.throws(() => parseSchedule(bad), { code: "BAD_REQUEST" }, JSON.stringify(bad));
  }
});
