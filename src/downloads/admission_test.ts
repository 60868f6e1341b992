import assert from "node:assert/strict";
import {
  hasRoom,
  type KindCounts,
  kindOf,
  mayList,
  noTransfers,
  SMALL_FACTOR,
} from "./admission.ts";
import { SMALL_FILE_BYTES } from "../wire/mod.ts";

const limits = { global: 16, perPeer: 8 };

function counts(partial: Partial<KindCounts>): KindCounts {
  return { ...noTransfers(), ...partial };
}

Deno.test("files up to the small-file size go in batches unless they must be read alone", () => {
  assert.equal(kindOf(0, false), "batch");
  assert.equal(kindOf(SMALL_FILE_BYTES, false), "batch");
  assert.equal(kindOf(SMALL_FILE_BYTES, true), "small");
  assert.equal(kindOf(SMALL_FILE_BYTES + 1, false), "large");
  assert.equal(kindOf(SMALL_FILE_BYTES + 1, true), "large");
});

Deno.test("large files are held to the per-peer and the global limit", () => {
  const none = noTransfers();
  assert.ok(hasRoom("large", { all: counts({ large: 15 }), peer: counts({ large: 7 }) }, limits));
  assert.ok(!hasRoom("large", { all: counts({ large: 16 }), peer: none }, limits));
  assert.ok(!hasRoom("large", { all: counts({ large: 8 }), peer: counts({ large: 8 }) }, limits));
});

Deno.test("small files read alone may run several times as many as large files", () => {
  const perPeer = limits.perPeer * SMALL_FACTOR;
  assert.ok(
    hasRoom(
      "small",
      { all: counts({ small: perPeer - 1 }), peer: counts({ small: perPeer - 1 }) },
      limits,
    ),
  );
  assert.ok(
    !hasRoom(
      "small",
      { all: counts({ small: perPeer }), peer: counts({ small: perPeer }) },
      limits,
    ),
  );
  // large transfers do not take room from small ones
  assert.ok(hasRoom("small", { all: counts({ large: 16 }), peer: counts({ large: 8 }) }, limits));
});

Deno.test("batches count double, and at least one may always run", () => {
  assert.ok(hasRoom("batch", { all: counts({ batch: 3 }), peer: counts({ batch: 3 }) }, limits));
  assert.ok(!hasRoom("batch", { all: counts({ batch: 4 }), peer: counts({ batch: 4 }) }, limits));
  const one = { global: 1, perPeer: 1 };
  assert.ok(hasRoom("batch", { all: noTransfers(), peer: noTransfers() }, one));
  assert.ok(!hasRoom("batch", { all: counts({ batch: 1 }), peer: counts({ batch: 1 }) }, one));
  // a batch being written holds no network slot
  assert.ok(hasRoom("batch", { all: counts({ writing: 9 }), peer: counts({ writing: 9 }) }, one));
});

Deno.test("a listing may start while the peer has room for a large file", () => {
  assert.ok(mayList(counts({ large: 7 }), limits));
  assert.ok(!mayList(counts({ large: 8 }), limits));
});
