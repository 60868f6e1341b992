import assert from "node:assert/strict";
import { type ApiClient, hdpError, type NodeInfo } from "../src/api/light.ts";
import { hasRestarted, waitForRestart } from "./restart.ts";

function info(shares: string[]): NodeInfo {
  return { shares: shares.map((name) => ({ name, path: `/srv/${name}` })) } as NodeInfo;
}

/** A client whose info() answers from a script, one step per call. */
function scripted(steps: (NodeInfo | Error)[]): ApiClient {
  return {
    info: () => {
      const step = steps.length > 1 ? steps.shift() : steps[0];
      return step instanceof Error ? Promise.reject(step) : Promise.resolve(step as NodeInfo);
    },
  } as ApiClient;
}

Deno.test("hasRestarted tells the old engine from the new one by its shares", () => {
  assert.equal(hasRestarted(info(["a"]), { op: "add", name: "b" }), false);
  assert.equal(hasRestarted(info(["a", "b"]), { op: "add", name: "b" }), true);
  assert.equal(hasRestarted(info(["a", "b"]), { op: "remove", name: "b" }), false);
  assert.equal(hasRestarted(info(["a"]), { op: "remove", name: "b" }), true);
});

Deno.test("waitForRestart polls through the old engine and the outage to the new engine", async () => {
  const down = hdpError("UNAVAILABLE", "Cannot reach the daemon");
  const client = scripted([info(["a"]), down, down, info(["a", "b"])]);
  const answer = await waitForRestart(client, { op: "add", name: "b" }, { intervalMs: 1 });
  assert.deepEqual(answer.shares.map((s) => s.name), ["a", "b"]);
});

Deno.test("waitForRestart gives up on a refused token at once, and after its timeout", async () => {
  const refused = scripted([hdpError("UNAUTHORIZED", "Bad token")]);
  await assert.rejects(waitForRestart(refused, { op: "add", name: "b" }), { code: "UNAUTHORIZED" });
  const stuck = scripted([info(["a"])]);
  await assert.rejects(
    waitForRestart(stuck, { op: "add", name: "b" }, { intervalMs: 1, timeoutMs: 20 }),
    { code: "TIMEOUT" },
  );
});

Deno.test("waitForRestart asks again when a poll is never answered", async () => {
  let calls = 0;
  const client = {
    info: () => ++calls === 1 ? new Promise<NodeInfo>(() => {}) : Promise.resolve(info(["b"])),
  } as ApiClient;
  const answer = await waitForRestart(client, { op: "add", name: "b" }, {
    intervalMs: 1,
    pollTimeoutMs: 20,
  });
  assert.deepEqual(answer.shares.map((s) => s.name), ["b"]);
  assert.equal(calls, 2);
});
