import assert from "node:assert/strict";
import { createClient } from "./client.ts";
import { streamUrl } from "./stream_url.ts";

Deno.test("a stream URL encodes the peer and the path, and carries the token when there is one", () => {
  const origin = "http://127.0.0.1:3030";
  assert.equal(
    streamUrl("Music/Björk – Homogenic.flac", { origin, peerKey: "ab/cd" }),
    `${origin}/api/peers/ab%2Fcd/read?path=Music%2FBj%C3%B6rk+%E2%80%93+Homogenic.flac`,
  );
  const url = new URL(streamUrl("a b.mp3", { origin, peerKey: "ab", token: "t&k" }));
  assert.equal(url.searchParams.get("path"), "a b.mp3");
  assert.equal(url.searchParams.get("token"), "t&k");
});

Deno.test("the typed client gives media elements a stream URL with its own token", () => {
  const plain = createClient("http://127.0.0.1:3030");
  assert.equal(
    plain.peerReadUrl("abcd", "M/a.mp3"),
    "http://127.0.0.1:3030/api/peers/abcd/read?path=M%2Fa.mp3",
  );
  const tokened = createClient("http://nas.lan:3030", { token: "s3cret" });
  const url = new URL(tokened.peerReadUrl("abcd", "M/a.mp3"));
  assert.equal(url.origin, "http://nas.lan:3030");
  assert.equal(url.searchParams.get("token"), "s3cret");
});
