import assert from "node:assert/strict";
import { MAX_REFUSALS, REFUSAL_TTL_MS, UploadRefusals } from "./upload_refusals.ts";

Deno.test("a cancelled upload refuses the same peer's next read of that file, once", () => {
  const refusals = new UploadRefusals<true>(() => 0);
  refusals.refuse("ann", "Music/a.flac", true);
  assert.equal(refusals.take("bob", "Music/a.flac"), undefined, "another peer");
  assert.equal(refusals.take("ann", "Music/b.flac"), undefined, "another file");
  assert.equal(refusals.take("ann", "Music/a.flac"), true);
  assert.equal(refusals.take("ann", "Music/a.flac"), undefined, "a later retry is served");
});

Deno.test("a refusal lapses after its time, and only so many are kept, oldest out first", () => {
  const clock = { now: 0 };
  const refusals = new UploadRefusals<true>(() => clock.now);
  refusals.refuse("ann", "x", true);
  clock.now = REFUSAL_TTL_MS;
  assert.equal(refusals.take("ann", "x"), undefined, "lapsed");
  for (let i = 0; i <= MAX_REFUSALS; i++) refusals.refuse("ann", `f${i}`, true);
  assert.equal(refusals.size, MAX_REFUSALS);
  assert.equal(refusals.take("ann", "f0"), undefined, "the oldest went");
  assert.equal(refusals.take("ann", `f${MAX_REFUSALS}`), true);
  refusals.refuse("ann", "f1", true); // refused again: now the newest
  for (let i = 0; i < MAX_REFUSALS - 1; i++) refusals.refuse("bob", `g${i}`, true);
  assert.equal(refusals.take("ann", "f1"), true, "kept: it was refreshed");
});
