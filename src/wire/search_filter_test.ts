import assert from "node:assert/strict";
import { filters, parseSearchFilter, passes } from "./search_filter.ts";

const file = (name: string, size = 10) => ({ name, size, isDir: false });

Deno.test("a filter keeps files of its kinds and sizes, and no folders", () => {
  const audio = { kinds: ["audio" as const] };
  assert.equal(passes(audio, file("Music/a.FLAC")), true);
  assert.equal(passes(audio, file("Films/b.mkv")), false);
  assert.equal(passes(audio, { name: "Music", size: 0, isDir: true }), false);
  assert.equal(passes({ kinds: ["pictures", "documents"] }, file("scan.pdf")), true);
  assert.equal(passes({ kinds: ["pictures"] }, file("cover.JPG")), true);
  assert.equal(passes({ kinds: ["video"] }, file("noextension")), false);
  assert.equal(passes({ minSize: 100 }, file("a.bin", 99)), false);
  assert.equal(passes({ minSize: 100, maxSize: 200 }, file("a.bin", 200)), true);
  assert.equal(passes({ maxSize: 5 }, file("a.bin", 6)), false);
  // nothing narrowed: everything passes, folders too
  assert.equal(filters({}), false);
  assert.equal(passes({}, { name: "Music", size: 0, isDir: true }), true);
});

Deno.test("filter fields are checked: known kinds, whole sizes, min not above max", () => {
  assert.deepEqual(parseSearchFilter({}), {});
  assert.deepEqual(parseSearchFilter({ kinds: ["audio", "audio"], minSize: 0 }), {
    kinds: ["audio"],
    minSize: 0,
  });
  for (
    const [fields, message] of [
      [{ kinds: ["music"] }, /"kinds" must be a list of audio, video, pictures, documents/],
      [{ kinds: [] }, /"kinds"/],
      [{ kinds: "audio" }, /"kinds"/],
      [{ minSize: -1 }, /"minSize" must be a whole number/],
      [{ maxSize: 1.5 }, /"maxSize"/],
      [{ minSize: 10, maxSize: 5 }, /must not be above/],
    ] as const
  ) {
    assert.throws(
      () => parseSearchFilter(fields as Record<string, unknown>),
      (error: Error & { code?: string }) =>
        error.code === "BAD_REQUEST" && message.test(error.message),
    );
  }
});
