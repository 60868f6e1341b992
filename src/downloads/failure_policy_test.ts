import assert from "node:assert/strict";
import { ERROR_CODES } from "../wire/mod.ts";
import { type FailedWork, failureAction } from "./failure_policy.ts";

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
  const handled = new Set(["UNAVAILABLE", "TIMEOUT", "BUSY", "IO", "FORBIDDEN"]);
  for (const code of ERROR_CODES.filter((c) => !handled.has(c))) {
    assert.equal(failureAction(code, "file"), "fail", code);
    assert.equal(failureAction(code, "listing"), "fail", code);
  }
  assert.equal(failureAction("NOT_FOUND", "batch-file"), "fail");
  assert.equal(failureAction("BAD_REQUEST", "batch"), "fail");
});
