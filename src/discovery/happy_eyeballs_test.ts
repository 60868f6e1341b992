import assert from "node:assert/strict";
import { firstToConnect, type Race } from "./happy_eyeballs.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function race(label: string, ms: number, outcome: "ok" | "fail", log: string[]): Race<string> {
  return {
    label,
    run: async () => {
      log.push(`start ${label}`);
      await sleep(ms);
      if (outcome === "fail") throw new Error(`${label} refused`);
      return label;
    },
  };
}

Deno.test("the first candidate to connect wins and later ones are discarded", async () => {
  const log: string[] = [];
  const discarded: string[] = [];
  const winner = await firstToConnect(
    [race("v6", 200, "ok", log), race("v4", 10, "ok", log)],
    { staggerMs: 20, discard: (late) => discarded.push(late) },
  );
  assert.equal(winner, "v4"); // v6 was slow: v4, started 20 ms later, got there first
  await sleep(250);
  assert.deepEqual(discarded, ["v6"]);
  assert.deepEqual(log, ["start v6", "start v4"]);
});

Deno.test("a failure starts the next candidate at once, without waiting for the stagger", async () => {
  const log: string[] = [];
  const started = performance.now();
  const winner = await firstToConnect(
    [race("a", 5, "fail", log), race("b", 5, "ok", log)],
    { staggerMs: 5000, discard: () => {} },
  );
  assert.equal(winner, "b");
  assert.ok(performance.now() - started < 1000);
});

Deno.test("a patient attempt starts only after every earlier one failed", async () => {
  const log: string[] = [];
  const winner = await firstToConnect(
    [race("direct", 50, "ok", log), { ...race("punch", 1, "ok", log), patient: true }],
    { staggerMs: 1, discard: () => {} },
  );
  assert.equal(winner, "direct");
  await sleep(20);
  assert.deepEqual(log, ["start direct"]);
  const log2: string[] = [];
  const second = await firstToConnect(
    [race("direct", 20, "fail", log2), { ...race("punch", 1, "ok", log2), patient: true }],
    { staggerMs: 1, discard: () => {} },
  );
  assert.equal(second, "punch");
});

Deno.test("when every candidate fails the error says why each did", async () => {
  await assert.rejects(
    firstToConnect([race("a", 1, "fail", []), race("b", 1, "fail", [])], {
      staggerMs: 1,
      discard: () => {},
    }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, "UNAVAILABLE");
      assert.match(error.message, /a: a refused; b: b refused/);
      return true;
    },
  );
  // one candidate: its own error, unchanged
  await assert.rejects(
    firstToConnect([race("a", 1, "fail", [])], { discard: () => {} }),
    /a refused/,
  );
});
