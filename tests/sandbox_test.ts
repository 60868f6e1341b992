import assert from "node:assert/strict";
import { join } from "node:path";
import { spawnEngineWorker } from "../src/cli/mod.ts";
import { tempDir } from "./helpers/daemon.ts";

Deno.test("the engine worker reads only its scope and has no env, run or other sys access", async () => {
  await using tmp = await tempDir();
  const root = tmp.path;
  const share = join(root, "share");
  const storage = join(root, "storage");
  const downloads = join(root, "downloads");
  for (const dir of [share, storage, downloads]) await Deno.mkdir(dir);
  await Deno.writeTextFile(join(share, "song.txt"), "la la");
  await Deno.writeTextFile(join(root, "secret.txt"), "private");

  const worker = spawnEngineWorker(
    { shareDirs: [share], storageDir: storage, downloadDir: downloads },
    new URL("./fixtures/probe_worker.ts", import.meta.url),
  );
  try {
    const answer = new Promise<Record<string, string>>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
    });
    worker.postMessage({
      inside: join(share, "song.txt"),
      outside: join(root, "secret.txt"),
      storage,
    });
    assert.deepEqual(await answer, {
      "read inside the share": "allowed",
      "read outside": "denied",
      "write in storage": "allowed",
      "write in the share": "denied",
      "read env": "denied",
      "run a program": "denied",
      "list interfaces": "allowed",
      "os release": "denied",
    });
  } finally {
    worker.terminate();
  }
});
