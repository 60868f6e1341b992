import assert from "node:assert/strict";
import { browseHash, parseRoute, routeHash, routeTitle, tokenFromHash } from "./route.ts";

Deno.test("parseRoute reads tabs and falls back to home", () => {
  assert.deepEqual(parseRoute(""), { tab: "home" });
  assert.deepEqual(parseRoute("#transfers"), { tab: "transfers" });
  assert.deepEqual(parseRoute("#nonsense"), { tab: "home" });
  assert.deepEqual(parseRoute("#peers"), { tab: "peers" });
  assert.deepEqual(parseRoute("#friends"), { tab: "friends" });
});

Deno.test("a browse route survives a round trip with odd characters in its path", () => {
  const hash = browseHash("ab12", "Music/Jazz & Blues/50% off #1");
  assert.equal(hash, "#peers/ab12/Music/Jazz%20%26%20Blues/50%25%20off%20%231");
  assert.deepEqual(parseRoute(hash), {
    tab: "peers",
    peer: "ab12",
    path: "Music/Jazz & Blues/50% off #1",
  });
  assert.equal(routeHash({ tab: "peers", peer: "ab12", path: "" }), "#peers/ab12");
});

Deno.test("parseRoute keeps a hand-typed stray percent sign", () => {
  assert.deepEqual(parseRoute("#peers/k/100%"), { tab: "peers", peer: "k", path: "100%" });
});

Deno.test("tokenFromHash reads only a #token= hash", () => {
  assert.equal(tokenFromHash("#token=s3cr%2Bt"), "s3cr+t");
  assert.equal(tokenFromHash("#token="), undefined);
  assert.equal(tokenFromHash("#home"), undefined);
});

Deno.test("the page title follows the view, and names the peer browsed", () => {
  assert.equal(routeTitle({ tab: "transfers" }), "Transfers · harddrive-party");
  assert.equal(routeTitle({ tab: "home" }), "Home · harddrive-party");
  const names = (peer: string) => (peer === "ab12" ? "KindOtter" : undefined);
  assert.equal(
    routeTitle({ tab: "peers", peer: "ab12", path: "Music/Björk" }, names),
    "Music/Björk · KindOtter · harddrive-party",
  );
  assert.equal(
    routeTitle({ tab: "peers", peer: "ab12", path: "" }, names),
    "KindOtter · harddrive-party",
  );
  assert.equal(
    routeTitle({ tab: "peers", peer: "0123456789abcdef", path: "" }),
    "0123456789ab · harddrive-party",
  );
});
