import assert from "node:assert/strict";
import { STANDINGS } from "../transport/mod.ts";
import { mayPassOn } from "./gossip_privacy.ts";

Deno.test("mayPassOn introduces only a friend to a friend, and never an unlisted one", () => {
  const allowed: string[] = [];
  for (const subject of STANDINGS) {
    for (const listener of STANDINGS) {
      for (const unlisted of [false, true]) {
        if (mayPassOn({ standing: subject, unlisted }, listener)) {
          allowed.push(`${subject}→${listener}${unlisted ? " unlisted" : ""}`);
        }
      }
    }
  }
  assert.deepEqual(allowed, ["friend→friend"]);
});
