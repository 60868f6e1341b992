import assert from "node:assert/strict";
import { planShareAdd } from "./share_settings.ts";
import type { ShareSetting } from "./settings.ts";

const MUSIC: ShareSetting = { name: "music", path: "/srv/music", audience: "friends" };

Deno.test("a path not shared yet is a new share", () => {
  assert.deepEqual(planShareAdd([MUSIC], "/srv/films", { ifShared: "refuse" }), { kind: "new" });
});

Deno.test("a path shared already is refused with CONFLICT naming its share, when asked to", () => {
  assert.throws(() => planShareAdd([MUSIC], "/srv/music", { ifShared: "refuse" }), {
    code: "CONFLICT",
    message: 'Cannot share "/srv/music": it is shared already, as "music"',
  });
});

Deno.test("a path shared already is kept as it is by default (start --share-dir on each start)", () => {
  assert.deepEqual(planShareAdd([MUSIC], "/srv/music"), { kind: "keep", share: MUSIC });
});

Deno.test("a path shared already with an audience given changes that share's audience", () => {
  assert.deepEqual(
    planShareAdd([MUSIC], "/srv/music", { ifShared: "refuse", audience: "everyone" }),
    { kind: "change", share: MUSIC, audience: "everyone" },
  );
});
