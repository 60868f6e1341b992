import assert from "node:assert/strict";
import { startTaskFlags } from "../tests/helpers/daemon.ts";
import { RUN_FLAGS } from "./compile.ts";

Deno.test("the compiled binary gets exactly the permissions that start and the tests use", () => {
  assert.deepEqual(startTaskFlags(), RUN_FLAGS);
});
