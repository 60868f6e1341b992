import assert from "node:assert/strict";
import { type Ordered, Queue } from "./queue.ts";

function queue(): Queue<Ordered> {
  return new Queue<Ordered>((entry) => entry);
}

Deno.test("appended entries come in the order they were added", () => {
  const q = queue();
  for (const id of ["a", "b", "c"]) q.append({ id, order: 99 });
  assert.deepEqual(q.ordered().map((e) => e.id), ["a", "b", "c"]);
  assert.deepEqual(q.ordered().map((e) => e.order), [0, 1, 2]);
});

Deno.test("entries loaded with their order keep it", () => {
  const q = queue();
  q.insert({ id: "late", order: 5 });
  q.insert({ id: "early", order: -3 });
  q.append({ id: "new", order: 0 });
  assert.deepEqual(q.ordered().map((e) => e.id), ["early", "late", "new"]);
  assert.equal(q.get("new")?.order, 6);
});

Deno.test("bringing an entry to the front puts it before all others, once", () => {
  const q = queue();
  for (const id of ["a", "b", "c"]) q.append({ id, order: 0 });
  q.bringToFront("c");
  assert.deepEqual(q.ordered().map((e) => e.id), ["c", "a", "b"]);
  const order = q.get("c")!.order;
  q.bringToFront("c"); // already first: nothing moves
  assert.equal(q.get("c")!.order, order);
  q.bringToFront("missing");
  assert.deepEqual(q.ordered().map((e) => e.id), ["c", "a", "b"]);
});

Deno.test("a deleted entry leaves the order; the others keep theirs", () => {
  const q = queue();
  for (const id of ["a", "b", "c"]) q.append({ id, order: 0 });
  assert.ok(q.delete("b"));
  assert.ok(!q.delete("b"));
  assert.deepEqual(q.ordered().map((e) => e.id), ["a", "c"]);
  assert.equal(q.size, 2);
});

Deno.test("the position counts only the entries asked for", () => {
  const q = queue();
  const entries = ["a", "b", "c", "d"].map((id) => ({ id, order: 0 }));
  for (const entry of entries) q.append(entry);
  const waiting = (e: Ordered) => e.id !== "b";
  assert.equal(q.position(entries[0]!, waiting), 1);
  assert.equal(q.position(entries[2]!, waiting), 2);
  assert.equal(q.position(entries[3]!, waiting), 3);
  assert.equal(q.position(entries[1]!, waiting), 0);
});
