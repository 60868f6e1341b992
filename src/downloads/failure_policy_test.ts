import assert from "node:assert/strict";
import { ERROR_CODES } from "../wire/mod.ts";
import {
  type FailedWork,
  failureAction,
  NOT_FOUND_RETRY_MS,
  retryDelay,
} from "./failure_policy.ts";

const ALL_WORK: FailedWork[] = ["listing", "file", "batch-file", "batch"];

Deno.test("a peer that is away, slow or busy is waited for, whatever was asked of it", () => {
  for (const code of ["UNAVAILABLE", "TIMEOUT", "BUSY"] as const) {
    for (const work of ALL_WORK) {
      assert.equal(failureAction(code, work), "again", `${code} ${work}`);
    }
  }
});

Deno.test("a disk that cannot take more pauses the item; a listing writes no file and fails", () => {
  for (const code of ["IO", "FORBIDDEN"] as const) {
    assert.equal(failureAction(code, "file"), "pause");
    assert.equal(failureAction(code, "batch-file"), "pause");
    assert.equal(failureAction(code, "batch"), "pause");
    assert.equal(failureAction(code, "listing"), "fail");
  }
});

Deno.test("a file that outgrew its batch, or a peer that cannot batch, is read alone", () => {
  assert.equal(failureAction("TOO_LARGE", "batch-file"), "alone");
  assert.equal(failureAction("UNSUPPORTED", "batch"), "alone");
  assert.equal(failureAction("PROTOCOL", "batch"), "alone");
  assert.equal(failureAction("TOO_LARGE", "file"), "fail");
  assert.equal(failureAction("UNSUPPORTED", "file"), "fail");
});

Deno.test("every other code fails the file or the listing for good", () => {
  const handled = new Set(["UNAVAILABLE", "TIMEOUT", "BUSY", "IO", "FORBIDDEN", "NOT_FOUND"]);
  for (const code of ERROR_CODES.filter((c) => !handled.has(c))) {
    assert.equal(failureAction(code, "file"), "fail", code);
    assert.equal(failureAction(code, "listing"), "fail", code);
  }
  assert.equal(failureAction("BAD_REQUEST", "batch"), "fail");
});

Deno.test("a file or folder the peer does not have yet is asked for again a few times, then fails", () => {
  for (const work of ["listing", "file", "batch-file"] as const) {
    for (let tries = 0; tries < NOT_FOUND_RETRY_MS.length; tries++) {
      assert.equal(failureAction("NOT_FOUND", work, tries), "later", `${work} ${tries}`);
    }
    assert.equal(failureAction("NOT_FOUND", work, NOT_FOUND_RETRY_MS.length), "fail", work);
  }
  assert.equal(failureAction("NOT_FOUND", "batch"), "fail", "a whole batch refused is no new file");
  assert.deepEqual([0, 1, 2, 9].map(retryDelay), [1000, 3000, 8000, 8000]);
  const total = NOT_FOUND_RETRY_MS.reduce((a, b) => a + b, 0);
  assert.ok(total > 2000 * 3, "longer than a watcher's longest delay, with room for a scan");
});
