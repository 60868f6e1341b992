import assert from "node:assert/strict";
import { ERROR_CODES } from "../wire/mod.ts";
import { PROBLEM_SUMMARY, problemText } from "./problem.ts";

Deno.test("a reason is worded from its code, with its message as the detail", () => {
  assert.equal(
    problemText({ code: "IO", message: "No space left on device (os error 28)" }),
    "Disk full or not writable: No space left on device (os error 28)",
  );
  assert.equal(problemText({ code: "NOT_FOUND", message: "Not found: a/b" }), "Not found: a/b");
});

Deno.test("every error code has a summary", () => {
  for (const code of ERROR_CODES) assert.ok(PROBLEM_SUMMARY[code].length > 0, code);
});
