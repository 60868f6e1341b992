import assert from "node:assert/strict";
import { DialLimit } from "./dial_limit.ts";

Deno.test("no more than max dials run at once, and an urgent one goes first", async () => {
  const limit = new DialLimit(2);
  let running = 0;
  let most = 0;
  const order: string[] = [];
  const gates = new Map<string, PromiseWithResolvers<void>>();
  const dial = (name: string, urgent = false) =>
    limit.run(async () => {
      running++;
      most = Math.max(most, running);
      order.push(name);
      const gate = Promise.withResolvers<void>();
      gates.set(name, gate);
      await gate.promise;
      running--;
      return name;
    }, urgent);
  const all = [dial("a"), dial("b"), dial("c"), dial("d"), dial("manual", true)];
  await Promise.resolve();
  assert.deepEqual(order, ["a", "b"]);
  assert.deepEqual(limit.snapshot(), { running: 2, waiting: 3 });
  const release = async (name: string) => {
    while (!gates.has(name)) await new Promise((r) => setTimeout(r, 1));
    gates.get(name)!.resolve();
  };
  await release("a");
  await release("b");
  await release("manual");
  await release("c");
  await release("d");
  assert.deepEqual(await Promise.all(all), ["a", "b", "c", "d", "manual"]);
  assert.deepEqual(order, ["a", "b", "manual", "c", "d"]);
  assert.equal(most, 2);
  assert.deepEqual(limit.snapshot(), { running: 0, waiting: 0 });
});

Deno.test("a dial that fails gives its place on", async () => {
  const limit = new DialLimit(1);
  const first = limit.run(() => Promise.reject(new Error("no route")));
  const second = limit.run(() => Promise.resolve("ok"));
  await assert.rejects(first, /no route/);
  assert.equal(await second, "ok");
  assert.deepEqual(limit.snapshot(), { running: 0, waiting: 0 });
});
