import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { checkConfinable, enginePermissions } from "./sandbox.ts";

Deno.test("directories under /dev or /proc are refused with the reason; others are fine", () => {
  for (const path of ["/dev/shm/hdp", "/dev", "/proc/self/cwd"]) {
    assert.throws(
      () => checkConfinable(path, "Cannot share"),
      (error: Error & { code: string }) => {
        assert.equal(error.code, "BAD_REQUEST");
        assert.match(error.message, /every permission/);
        return true;
      },
    );
  }
  for (const path of ["/home/me/dev", "/srv/devices", "/tmp/proc", "/developer"]) {
    checkConfinable(path, "Cannot share");
  }
});

Deno.test("the engine may write only storage and downloads, and read shares too", () => {
  const permissions = enginePermissions({
    shareDirs: ["/srv/media"],
    storageDir: "/var/lib/hdp",
    downloadDir: "/srv/incoming",
  });
  assert.deepEqual(permissions.read, [
    "/srv/media",
    "/var/lib/hdp",
    "/srv/incoming",
    fileURLToPath(new URL("../", import.meta.url)), // its own code (src/), to start a thread
  ]);
  assert.deepEqual(permissions.write, ["/var/lib/hdp", "/srv/incoming"]);
  assert.equal(permissions.env, false);
  assert.equal(permissions.run, false);
});
