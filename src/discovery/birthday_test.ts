import assert from "node:assert/strict";
import { seeded } from "../../bench/_util.ts";
import { probe, spray } from "./birthday.ts";

Deno.test("probing stops at the first port that answers", async () => {
  const tried: number[] = [];
  const hit = await probe(async (port) => {
    tried.push(port);
    if (tried.length === 40) return `connected on ${port}`;
    await new Promise((r) => setTimeout(r, 5));
    throw new Error("no answer");
  }, { perSecond: 2000, random: seeded(7) });
  assert.equal(hit, `connected on ${tried[39]}`);
  assert.equal(new Set(tried).size, tried.length, "no port twice");
  assert.ok(tried.every((p) => p >= 1024 && p <= 65535));
});

Deno.test("probing gives up with TIMEOUT when every probe misses", async () => {
  await assert.rejects(
    probe(() => Promise.reject(new Error("no")), { probes: 30, perSecond: 3000 }),
    { code: "TIMEOUT" },
  );
});

Deno.test("spraying opens many sockets and returns the one a packet from the target reached", async () => {
  const target = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const port = (target.addr as Deno.NetAddr).port;
    const sprayed = spray({ ip: "127.0.0.1", port }, {
      sockets: 16,
      intervalMs: 50,
      timeoutMs: 5000,
    });
    const senders = new Set<number>();
    let answered: number | undefined;
    for (let i = 0; i < 16; i++) {
      const [data, from] = await target.receive();
      assert.equal(new TextDecoder().decode(data), "hdp-punch");
      senders.add((from as Deno.NetAddr).port);
      if (senders.size === 5 && answered === undefined) {
        answered = (from as Deno.NetAddr).port;
        await target.send(new Uint8Array([1]), from);
        break;
      }
    }
    assert.equal(await sprayed, answered);
  } finally {
    target.close();
  }
});

Deno.test("spraying gives up with TIMEOUT when nothing comes back", async () => {
  const target = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const port = (target.addr as Deno.NetAddr).port;
    await assert.rejects(spray({ ip: "127.0.0.1", port }, { sockets: 4, timeoutMs: 200 }), {
      code: "TIMEOUT",
    });
  } finally {
    target.close();
  }
});
