import assert from "node:assert/strict";
import { Bandwidth } from "./bandwidth.ts";
import { addShare } from "./share_settings.ts";
import { readSettings } from "./settings.ts";

Deno.test("changes made at once, to limits, schedules, caps and shares, all land in the settings", async () => {
  const storage = await Deno.makeTempDir({ prefix: "hdp-bandwidth-" });
  const shared = await Deno.makeTempDir({ prefix: "hdp-share-" });
  const bandwidth = new Bandwidth(storage, undefined);
  try {
    const before = bandwidth.status().revision;
    const always = { name: "always", days: [0, 1, 2, 3, 4, 5, 6], from: "00:00", to: "00:00" };
    const peer = "ab".repeat(32);
    const answers = await Promise.all([
      bandwidth.set({ download: 0 }),
      bandwidth.set({ schedules: [{ ...always, upload: 2e6 }] }),
      bandwidth.setPeer(peer, { upload: 1e6, download: 1e6 }),
      bandwidth.set({ upload: 5e6 }),
      addShare(storage, shared),
    ]);
    const settings = await readSettings(storage);
    assert.deepEqual(settings.bandwidth, {
      upload: 5e6,
      download: 0,
      schedules: [{ ...always, upload: 2e6 }],
      peers: { [peer]: { upload: 1e6, download: 1e6 } },
    });
    assert.equal(settings.shares.length, 1);
    // each answer is newer than the one before it
    const revisions = answers.slice(0, 4).map((a) => (a as { revision: number }).revision);
    assert.ok(revisions[0]! > before);
    for (let i = 1; i < revisions.length; i++) assert.ok(revisions[i]! > revisions[i - 1]!);
  } finally {
    bandwidth.close();
    await Deno.remove(storage, { recursive: true });
    await Deno.remove(shared, { recursive: true });
  }
});
