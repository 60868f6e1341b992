import assert from "node:assert/strict";
import { upsert, without } from "./lists.ts";

const key = (item: { id: string }) => item.id;

Deno.test("upsert replaces an item in place and appends a new one", () => {
  const list = [{ id: "a", n: 1 }, { id: "b", n: 1 }];
  assert.deepEqual(upsert(list, { id: "a", n: 2 }, key), [{ id: "a", n: 2 }, { id: "b", n: 1 }]);
  assert.deepEqual(upsert(list, { id: "c", n: 1 }, key).map(key), ["a", "b", "c"]);
  assert.equal(list[0]?.n, 1, "the original list is left alone");
});

Deno.test("without drops the item of that key only", () => {
  assert.deepEqual(without([{ id: "a" }, { id: "b" }], "a", key), [{ id: "b" }]);
  assert.deepEqual(without([{ id: "a" }], "z", key), [{ id: "a" }]);
});
