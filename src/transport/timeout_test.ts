import assert from "node:assert/strict";
import { hdpError } from "../wire/mod.ts";
import { withTimeout } from "./timeout.ts";

const late = () => hdpError("TIMEOUT", "Too late");

Deno.test("withTimeout settles as the promise does when it is in time", async () => {
  assert.equal(await withTimeout(Promise.resolve(7), { ms: 1000, error: late }), 7);
  await assert.rejects(
    withTimeout(Promise.reject(hdpError("IO", "Broken")), { ms: 1000, error: late }),
    { code: "IO" },
  );
});

Deno.test("withTimeout rejects with the caller's error when the time is up", async () => {
  const never = new Promise<never>(() => {});
  await assert.rejects(withTimeout(never, { ms: 1, error: late }), { code: "TIMEOUT" });
});
