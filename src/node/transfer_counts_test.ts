import assert from "node:assert/strict";
import { parseTransferChange, startingTransfers } from "./transfer_counts.ts";

const DEFAULTS = { uploadSlots: 3, downloadsPerPeer: 8, maxDownloads: 16 };

Deno.test("a node starts with a flag given, else the saved count, else the default", () => {
  assert.deepEqual(startingTransfers(DEFAULTS, {}, undefined), DEFAULTS);
  assert.deepEqual(
    startingTransfers(DEFAULTS, {}, { uploadSlots: 5, maxDownloads: 4 }),
    { uploadSlots: 5, downloadsPerPeer: 8, maxDownloads: 4 },
  );
  // --upload-slots 2 on the command line: the config holds 2, and it wins over the saved 5
  assert.deepEqual(
    startingTransfers({ ...DEFAULTS, uploadSlots: 2 }, { uploadSlots: 2 }, { uploadSlots: 5 }),
    { ...DEFAULTS, uploadSlots: 2 },
  );
});

Deno.test("a change of counts takes whole numbers from 1 to 1000 of the known keys only", () => {
  assert.deepEqual(parseTransferChange({ uploadSlots: 4 }), { uploadSlots: 4 });
  assert.deepEqual(parseTransferChange({}), {});
  for (
    const [input, message] of [
      [{ uploadSlots: 0 }, /uploadSlots must be a whole number from 1 to 1000/],
      [{ maxDownloads: 2.5 }, /maxDownloads must be a whole number/],
      [{ downloadsPerPeer: "8" }, /downloadsPerPeer must be a whole number/],
      [{ uploadSlots: 1001 }, /from 1 to 1000/],
      [{ slots: 2 }, /unknown "slots"/],
      [[1], /expected an object/],
      [null, /expected an object/],
    ] as const
  ) {
    assert.throws(
      () => parseTransferChange(input),
      (error: Error & { code?: string }) =>
        error.code === "BAD_REQUEST" && message.test(error.message),
      String(JSON.stringify(input)),
    );
  }
});
