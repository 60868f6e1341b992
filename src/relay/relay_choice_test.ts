import assert from "node:assert/strict";
import type { PathVia } from "../transport/mod.ts";
import { rankRelays } from "./relay_choice.ts";

const link = (peerKeyHex: string, via?: PathVia) => ({
  peerKeyHex,
  ...(via ? { path: { via } } : {}),
});

Deno.test("relays: public and mapped peers first, punched last; never the target or a relayed one", () => {
  const ranked = rankRelays([
    link("p", "punched"),
    link("target", "direct"),
    link("i"),
    link("r", "relayed"),
    link("m", "mapped"),
    link("l", "lan"),
    link("d", "direct"),
  ], "target");
  assert.deepEqual(ranked.map((c) => c.peerKeyHex), ["d", "m", "l", "i"]);
});

Deno.test("relays: ties keep their order, and at most max are asked", () => {
  const ranked = rankRelays(
    [link("a", "direct"), link("b", "direct"), link("c", "direct")],
    "x",
    2,
  );
  assert.deepEqual(ranked.map((c) => c.peerKeyHex), ["a", "b"]);
  assert.deepEqual(rankRelays([], "x"), []);
});
