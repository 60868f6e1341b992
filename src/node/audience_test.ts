import assert from "node:assert/strict";
import { audienceFromText, parseAudience } from "./audience.ts";

const A = "a".repeat(64);

Deno.test("parseAudience takes the two words and a list of keys, deduplicated", () => {
  assert.equal(parseAudience("friends"), "friends");
  assert.equal(parseAudience("everyone"), "everyone");
  assert.deepEqual(parseAudience({ peers: [A, A] }), { peers: [A] });
});

Deno.test("parseAudience refuses anything else with BAD_REQUEST", () => {
  for (const bad of ["all", null, 3, {}, { peers: [] }, { peers: ["abc"] }, { peers: "x" }]) {
    assert.throws(() => parseAudience(bad), { code: "BAD_REQUEST" }, JSON.stringify(bad));
  }
  assert.throws(() => parseAudience({ peers: Array(257).fill(A) }), { code: "BAD_REQUEST" });
});

Deno.test("audienceFromText resolves names it is given into keys", () => {
  const resolve = (name: string) => (name === "calm-otter" ? A : "b".repeat(64));
  assert.deepEqual(audienceFromText(" calm-otter , x ", resolve), {
    peers: [A, "b".repeat(64)],
  });
  assert.equal(audienceFromText("friends", resolve), "friends");
  assert.throws(() => audienceFromText(" , ", resolve), { code: "BAD_REQUEST" });
});
