import assert from "node:assert/strict";
import { SMALL_FILE_BYTES } from "../wire/mod.ts";
import { FileCursor } from "./file_cursor.ts";
import type { FileRecord } from "./wishlist.ts";

function file(seq: number, size = 10, state: FileRecord["state"] = "queued"): FileRecord {
  return { itemId: "i", seq, remotePath: `Share/f${seq}`, size, mtime: 0, state };
}

/** A wishlist that holds `stored` files, all listed once `listed` is set. */
function source(stored: FileRecord[], listed = { complete: true }) {
  return {
    files: (after: number | undefined, limit: number) =>
      Promise.resolve(stored.filter((f) => after === undefined || f.seq > after).slice(0, limit)),
    complete: () => listed.complete,
  };
}

Deno.test("files come in listing order, queued ones only, across wishlist pages", async () => {
  const stored = Array.from(
    { length: 1200 },
    (_, i) => file(i, 10, i % 3 === 0 ? "done" : "queued"),
  );
  const cursor = new FileCursor(source(stored));
  const seen: number[] = [];
  for (let next = await cursor.next(); next; next = await cursor.next()) seen.push(next.seq);
  assert.deepEqual(seen, stored.filter((f) => f.state === "queued").map((f) => f.seq));
  assert.ok(cursor.done);
});

Deno.test("a listing still arriving is waited for, not taken as the end", async () => {
  const stored = [file(0), file(1)];
  const listed = { complete: false };
  const cursor = new FileCursor(source(stored, listed));
  assert.equal((await cursor.next())?.seq, 0);
  assert.equal((await cursor.next())?.seq, 1);
  assert.equal(await cursor.next(), undefined);
  assert.ok(!cursor.done);
  stored.push(file(2));
  listed.complete = true;
  assert.equal((await cursor.peek())?.seq, 2);
  assert.equal((await cursor.next())?.seq, 2);
  assert.equal(await cursor.next(), undefined);
  assert.ok(cursor.done);
});

Deno.test("files handed back go first, in the order given", async () => {
  const stored = [file(0), file(1), file(2), file(3)];
  const cursor = new FileCursor(source(stored));
  const a = (await cursor.next())!;
  const b = (await cursor.next())!;
  cursor.again(a, b);
  assert.ok(cursor.hasAgain);
  assert.deepEqual([(await cursor.next())?.seq, (await cursor.next())?.seq], [0, 1]);
  assert.equal((await cursor.next())?.seq, 2);
});

Deno.test("a batch takes small files up to its limits and stops before a large or skipped one", async () => {
  const stored = [file(0), file(1), file(2, SMALL_FILE_BYTES + 1), file(3), file(4)];
  const cursor = new FileCursor(source(stored));
  assert.deepEqual((await cursor.takeBatch(() => false)).map((f) => f.seq), [0, 1]);
  assert.deepEqual(await cursor.takeBatch(() => false), []); // the large one is next
  assert.equal((await cursor.next())?.seq, 2);
  assert.deepEqual((await cursor.takeBatch((f) => f.seq === 4)).map((f) => f.seq), [3]);
  const many = new FileCursor(source(Array.from({ length: 100 }, (_, i) => file(i))));
  assert.equal((await many.takeBatch(() => false)).length, 64);
});

Deno.test("rewinding reads the wishlist again from the first file", async () => {
  const stored = [file(0), file(1, 10, "failed")];
  const cursor = new FileCursor(source(stored));
  assert.equal((await cursor.next())?.seq, 0);
  assert.equal(await cursor.next(), undefined);
  stored[1] = file(1); // retried: queued again
  cursor.rewind();
  assert.equal((await cursor.next())?.seq, 0); // its record still says queued in this fake
  assert.equal((await cursor.next())?.seq, 1);
});

Deno.test("a file put off is not handed out before its time, and the item is not done meanwhile", async () => {
  const clock = { now: 1000 };
  const cursor = new FileCursor({ ...source([file(0), file(1)]), now: () => clock.now });
  const first = (await cursor.next())!;
  cursor.later(first, 4000);
  assert.equal(cursor.nextDue, 4000);
  assert.equal((await cursor.next())?.seq, 1);
  assert.equal(await cursor.next(), undefined);
  assert.ok(!cursor.done, "a file put off still has to be fetched");
  clock.now = 3999;
  assert.equal(await cursor.peek(), undefined);
  clock.now = 4000;
  assert.equal((await cursor.peek())?.seq, 0);
  assert.equal((await cursor.next())?.seq, 0);
  assert.equal(cursor.nextDue, undefined);
  assert.ok(cursor.done);
});

Deno.test("files put off come back earliest first; a rewind forgets them with the rest", async () => {
  const clock = { now: 0 };
  const stored = [file(0), file(1), file(2)];
  const cursor = new FileCursor({ ...source(stored), now: () => clock.now });
  const [a, b] = [(await cursor.next())!, (await cursor.next())!];
  cursor.later(a, 300);
  cursor.later(b, 100);
  assert.equal(cursor.nextDue, 100);
  clock.now = 500;
  assert.deepEqual([(await cursor.next())?.seq, (await cursor.next())?.seq], [1, 0]);
  cursor.later(a, 900);
  cursor.rewind();
  assert.equal(cursor.nextDue, undefined);
  assert.deepEqual(
    [(await cursor.next())?.seq, (await cursor.next())?.seq, (await cursor.next())?.seq],
    [0, 1, 2],
  );
});
