import assert from "node:assert/strict";
import { fakeNode, GUARD } from "./_fake_node.ts";
import { fakeFile } from "./_fake_read.ts";
import { createApp } from "./app.ts";

const URL_OF_SONG = "http://127.0.0.1:3030/api/peers/Bob/read?path=music%2FSo%20What.mp3";
const ETAG = '"5000-1700000000123"';

/** An app over a fake peer holding a 5,000-byte song, and the Reads it was asked for. */
function streaming(size = 5000) {
  const file = fakeFile(size);
  const app = createApp(fakeNode({ peerRead: file.peerRead }), GUARD);
  const get = (headers: Record<string, string> = {}, init: RequestInit = {}) =>
    app.request(URL_OF_SONG, { headers, ...init });
  /** The Reads, as start-end, after checking that none was left open. */
  const reads = () => {
    assert.deepEqual(file.reads.filter((r) => r.state === "open"), [], "every Read ended");
    return file.reads.map((r) => `${r.start ?? ""}-${r.end ?? ""}`);
  };
  return { file, app, get, reads };
}

async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

Deno.test("without a Range the whole file is sent (200) in one Read, with what describes it", async () => {
  const { file, get, reads } = streaming();
  const response = await get();
  assert.equal(response.status, 200);
  assert.deepEqual(await bytesOf(response), file.bytes);
  assert.equal(response.headers.get("accept-ranges"), "bytes");
  assert.equal(response.headers.get("content-length"), "5000");
  assert.equal(response.headers.get("content-range"), null);
  assert.equal(response.headers.get("content-type"), "audio/mpeg");
  assert.equal(response.headers.get("etag"), ETAG);
  assert.equal(response.headers.get("last-modified"), "Tue, 14 Nov 2023 22:13:20 GMT");
  assert.deepEqual(reads(), ["-"]);
  assert.equal(file.reads[0]!.path, "music/So What.mp3");
  assert.equal(file.reads[0]!.peer, "Bob");
});

Deno.test("a peer's file never runs as a page of the API's origin", async () => {
  const response = await streaming().get();
  assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  assert.equal(response.headers.get("content-security-policy"), "sandbox");
  await response.body?.cancel();
});

Deno.test("Range bytes=a-b answers 206 with exactly those bytes, from one Read of them", async () => {
  const { file, get, reads } = streaming();
  const response = await get({ range: "bytes=1000-1999" });
  assert.equal(response.status, 206);
  assert.equal(response.headers.get("content-range"), "bytes 1000-1999/5000");
  assert.equal(response.headers.get("content-length"), "1000");
  assert.equal(response.headers.get("etag"), ETAG);
  assert.deepEqual(await bytesOf(response), file.bytes.subarray(1000, 2000));
  assert.deepEqual(reads(), ["1000-2000"]);
});

Deno.test("Range bytes=a- answers the rest of the file from one Read", async () => {
  const { file, get, reads } = streaming();
  const response = await get({ range: "bytes=4000-" });
  assert.equal(response.status, 206);
  assert.equal(response.headers.get("content-range"), "bytes 4000-4999/5000");
  assert.deepEqual(await bytesOf(response), file.bytes.subarray(4000));
  assert.deepEqual(reads(), ["4000-"]);
});

Deno.test("a range past the end is clamped by the one Read", async () => {
  const { file, get, reads } = streaming();
  const response = await get({ range: "bytes=4500-99999999999999999999" });
  assert.equal(response.status, 206);
  assert.equal(response.headers.get("content-range"), "bytes 4500-4999/5000");
  assert.deepEqual(await bytesOf(response), file.bytes.subarray(4500));
  assert.deepEqual(reads(), ["4500-"], "an end too large for the wire is left out");
});

Deno.test("a suffix range learns the size from a Read of no bytes, then reads the last bytes", async () => {
  const { file, get, reads } = streaming();
  const response = await get({ range: "bytes=-500" });
  assert.equal(response.status, 206);
  assert.equal(response.headers.get("content-range"), "bytes 4500-4999/5000");
  assert.equal(response.headers.get("content-length"), "500");
  assert.deepEqual(await bytesOf(response), file.bytes.subarray(4500));
  assert.deepEqual(reads(), ["0-0", "4500-5000"]);
});

Deno.test("a range starting past the end is 416 with the size", async () => {
  const { get, reads } = streaming();
  const response = await get({ range: "bytes=6000-" });
  assert.equal(response.status, 416);
  assert.equal(response.headers.get("content-range"), "bytes */5000");
  assert.equal((await response.json()).error.code, "OUT_OF_RANGE");
  assert.deepEqual(reads(), ["6000-", "0-0"], "the peer's refusal has no size: one more Read");
});

Deno.test("a range starting at the very end, or a suffix of zero bytes, is 416", async () => {
  const atEnd = streaming();
  const response = await atEnd.get({ range: "bytes=5000-5100" });
  assert.equal(response.status, 416);
  assert.equal(response.headers.get("content-range"), "bytes */5000");
  await response.body?.cancel();
  assert.deepEqual(atEnd.reads(), ["5000-5101"]);

  const zero = streaming();
  const none = await zero.get({ range: "bytes=-0" });
  assert.equal(none.status, 416);
  assert.equal(none.headers.get("content-range"), "bytes */5000");
  await none.body?.cancel();
  assert.deepEqual(zero.reads(), ["0-0"]);
});

Deno.test("a malformed Range, or one of several ranges, is ignored: 200 with the whole file", async () => {
  for (const range of ["bytes=abc", "bytes=20-10", "lines=1-2", "bytes=0-9,20-29"]) {
    const { file, get, reads } = streaming();
    const response = await get({ range });
    assert.equal(response.status, 200, range);
    assert.deepEqual(await bytesOf(response), file.bytes, range);
    assert.deepEqual(reads(), ["-"], range);
  }
});

Deno.test("HEAD answers the headers of a GET from a Read of no bytes, and sends no body", async () => {
  const { get, reads } = streaming();
  const whole = await get({}, { method: "HEAD" });
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get("content-length"), "5000");
  assert.equal(whole.headers.get("accept-ranges"), "bytes");
  assert.equal(whole.headers.get("etag"), ETAG);
  assert.equal(whole.headers.get("content-type"), "audio/mpeg");
  assert.equal(whole.body, null);

  const part = await get({ range: "bytes=-100" }, { method: "HEAD" });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), "bytes 4900-4999/5000");
  assert.equal(part.headers.get("content-length"), "100");
  assert.equal(part.body, null);
  assert.deepEqual(reads(), ["0-0", "0-0"]);
});

Deno.test("If-None-Match with the file's tag answers 304 after a Read of no bytes", async () => {
  const { get, reads } = streaming();
  const response = await get({ "if-none-match": ETAG });
  assert.equal(response.status, 304);
  assert.equal(response.headers.get("etag"), ETAG);
  assert.equal(response.body, null);
  assert.deepEqual(reads(), ["0-0"]);
});

Deno.test("If-None-Match with another tag gets the file", async () => {
  const { file, get, reads } = streaming();
  const response = await get({ "if-none-match": '"5000-1"' });
  assert.equal(response.status, 200);
  assert.deepEqual(await bytesOf(response), file.bytes);
  assert.deepEqual(reads(), ["0-0", "-"]);
});

Deno.test("If-Range keeps the range for the same version and drops it for another", async () => {
  const same = streaming();
  const part = await same.get({ range: "bytes=0-99", "if-range": ETAG });
  assert.equal(part.status, 206);
  assert.deepEqual(await bytesOf(part), same.file.bytes.subarray(0, 100));
  assert.deepEqual(same.reads(), ["0-0", "0-100"]);

  const changed = streaming();
  const whole = await changed.get({ range: "bytes=0-99", "if-range": '"4000-1"' });
  assert.equal(whole.status, 200);
  assert.deepEqual(await bytesOf(whole), changed.file.bytes);
  assert.deepEqual(changed.reads(), ["0-0", "-"]);
});

Deno.test("the Read is withdrawn with the request's signal, and cancelled when the client leaves", async () => {
  const { file, app } = streaming();
  const client = new AbortController();
  const response = await app.request(new Request(URL_OF_SONG, { signal: client.signal }));
  const reader = response.body!.getReader();
  assert.equal((await reader.read()).value?.length, 4096);
  assert.equal(file.reads[0]!.signal?.aborted, false, "the Read is given the request's signal");
  client.abort();
  assert.equal(file.reads[0]!.signal?.aborted, true);
  assert.equal(file.reads[0]!.state, "cancelled");
  await reader.cancel();
});

Deno.test("cancelling the response body cancels the Read", async () => {
  const { file, get } = streaming();
  const response = await get({ range: "bytes=0-" });
  await response.body!.cancel();
  assert.deepEqual(file.reads.map((r) => r.state), ["cancelled"]);
});

Deno.test("start and end in the query answer that slice with 200, as the CLI's read expects", async () => {
  const file = fakeFile(5000);
  const app = createApp(fakeNode({ peerRead: file.peerRead }), GUARD);
  const response = await app.request(`${URL_OF_SONG}&start=10&end=20`, {
    headers: { range: "bytes=0-0" },
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-length"), "10");
  assert.equal(response.headers.get("x-hdp-size"), "5000");
  assert.equal(response.headers.get("x-hdp-start"), "10");
  assert.deepEqual(await bytesOf(response), file.bytes.subarray(10, 20));
  const head = await app.request(`${URL_OF_SONG}&start=4990&end=6000`, { method: "HEAD" });
  assert.equal(head.headers.get("content-length"), "10");
  assert.deepEqual(file.reads.map((r) => [r.start, r.end, r.state]), [
    [10, 20, "drained"],
    [4990, 4990, "drained"],
  ]);
});

Deno.test("an empty file is 200 with no bytes, and a range of it 416", async () => {
  const empty = streaming(0);
  const whole = await empty.get();
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get("content-length"), "0");
  assert.deepEqual(await bytesOf(whole), new Uint8Array());
  const range = await empty.get({ range: "bytes=0-" });
  assert.equal(range.status, 416);
  assert.equal(range.headers.get("content-range"), "bytes */0");
  await range.body?.cancel();
  assert.deepEqual(empty.reads(), ["-", "0-"]);
});
