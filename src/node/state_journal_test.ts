import assert from "node:assert/strict";
import type { ItemRecord } from "../downloads/mod.ts";
import type { HdpError } from "../wire/mod.ts";
import { decodeJournal, encodeJournal, type Journal } from "./state_journal.ts";

const KEY = "ab".repeat(32);

function item(overrides: Partial<ItemRecord> = {}): ItemRecord {
  return {
    id: "item-1",
    peer: { keyHex: KEY, name: "Peer" },
    path: "Music/Jazz",
    isDir: true,
    state: "queued",
    createdAt: 1000,
    order: 1,
    expanded: true,
    files: 3,
    filesDone: 1,
    filesFailed: 0,
    bytes: 300,
    bytesDone: 100,
    localPath: "Peer/Music/Jazz",
    ...overrides,
  };
}

const journal: Journal = {
  writtenAt: 5000,
  items: [item()],
  itemsLeftOut: 0,
  peers: [{ keyHex: KEY, address: { ip: "10.0.0.2", port: 4000 }, source: "manual", lastSeen: 9 }],
};

function codeOf(text: string): string | undefined {
  try {
    decodeJournal(text);
    return undefined;
  } catch (error) {
    return (error as HdpError).code;
  }
}

Deno.test("a journal reads back as it was written", () => {
  const read = decodeJournal(encodeJournal(journal));
  assert.deepEqual(read, { ...journal, skipped: 0 });
});

Deno.test("text that is not JSON is refused with BAD_REQUEST", () => {
  assert.equal(codeOf('{"format": '), "BAD_REQUEST");
  assert.equal(codeOf(""), "BAD_REQUEST");
});

Deno.test("JSON that is not a journal is refused with BAD_REQUEST", () => {
  assert.equal(codeOf("[]"), "BAD_REQUEST");
  assert.equal(codeOf("null"), "BAD_REQUEST");
  assert.equal(codeOf(JSON.stringify({ version: 1, items: [], peers: [] })), "BAD_REQUEST");
  const good = JSON.parse(encodeJournal(journal));
  assert.equal(codeOf(JSON.stringify({ ...good, items: "x" })), "BAD_REQUEST");
  assert.equal(codeOf(JSON.stringify({ ...good, peers: undefined })), "BAD_REQUEST");
  assert.equal(codeOf(JSON.stringify({ ...good, version: "1" })), "BAD_REQUEST");
  assert.equal(codeOf(JSON.stringify({ ...good, version: 0 })), "BAD_REQUEST");
});

Deno.test("a journal of a future version is refused with UNSUPPORTED", () => {
  const future = { ...JSON.parse(encodeJournal(journal)), version: 2 };
  assert.equal(codeOf(JSON.stringify(future)), "UNSUPPORTED");
});

Deno.test("items and peers of the wrong shape are skipped and counted, the rest kept", () => {
  const good = JSON.parse(encodeJournal(journal));
  const text = JSON.stringify({
    ...good,
    items: [
      ...good.items,
      { ...good.items[0], id: 7 },
      { ...good.items[0], id: "x", state: "exploded" },
      { ...good.items[0], id: "y", peer: { keyHex: "nothex", name: "P" } },
      { ...good.items[0], id: "z", order: "first" },
      "an item",
      null,
    ],
    peers: [...good.peers, { ...good.peers[0], address: { ip: "1.2.3.4", port: 70000 } }, 3],
  });
  const read = decodeJournal(text);
  assert.deepEqual(read.items.map((i) => i.id), ["item-1"]);
  assert.equal(read.peers.length, 1);
  assert.equal(read.skipped, 8);
});

Deno.test("a journalled item cannot point its download outside the download dir", () => {
  const good = JSON.parse(encodeJournal(journal));
  const text = JSON.stringify({
    ...good,
    items: [
      { ...good.items[0], id: "up", path: "../../etc", localPath: "../../etc" },
      { ...good.items[0], id: "moved", localPath: "/etc/passwd" },
    ],
  });
  const read = decodeJournal(text);
  assert.deepEqual(read.items.map((i) => [i.id, i.localPath]), [["moved", "Peer/Music/Jazz"]]);
  assert.equal(read.skipped, 1);
});
