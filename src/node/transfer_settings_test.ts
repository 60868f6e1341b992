import assert from "node:assert/strict";
import { readSettings, writeSettings } from "./settings.ts";
import { TransferSettings } from "./transfer_settings.ts";

Deno.test("a change of counts is applied at once and saved beside the other settings", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeSettings(dir, { port: 4000, shares: [{ name: "Music", path: "/m" }] });
    const applied: unknown[] = [];
    const transfers = new TransferSettings(
      dir,
      { uploadSlots: 3, downloadsPerPeer: 8, maxDownloads: 16 },
      (counts) => applied.push(counts),
    );
    const now = await transfers.set({ uploadSlots: 6 });
    assert.deepEqual(now, { uploadSlots: 6, downloadsPerPeer: 8, maxDownloads: 16 });
    assert.deepEqual(applied, [now]);
    await transfers.set({ maxDownloads: 2 });
    const saved = await readSettings(dir);
    assert.deepEqual(saved.transfers, { uploadSlots: 6, maxDownloads: 2 });
    assert.equal(saved.port, 4000, "the rest of the settings is kept");
    assert.deepEqual(saved.shares, [{ name: "Music", path: "/m" }]);
    // a bad change changes nothing
    await assert.rejects(transfers.set({ uploadSlots: -1 }), { code: "BAD_REQUEST" });
    assert.equal(transfers.counts.uploadSlots, 6);
    assert.equal(applied.length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
