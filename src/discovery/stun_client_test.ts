import assert from "node:assert/strict";
import {
  learnPublicAddress,
  mappingsFromDistinctServers,
  retransmitSchedule,
  stunProbe,
  type StunResult,
} from "./stun_client.ts";
import {
  bindingRequest,
  bindingSuccessResponse,
  type MappedAddress,
  newTransactionId,
  transactionIdOf,
} from "./stun_message.ts";

/** What a fake server does with the n-th request (0-based) it receives from `from`. */
type Behaviour = (n: number, id: Uint8Array, from: Deno.NetAddr) => Uint8Array[];

/** A STUN server on a loopback address that answers as `behaviour` says. */
function fakeStun(hostname: string, behaviour: Behaviour) {
  const socket = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
  const requests: number[] = [];
  const started = performance.now();
  const serving = (async () => {
    try {
      for await (const [bytes, from] of socket) {
        const id = transactionIdOf(bytes);
        if (!id) continue;
        requests.push(Math.round(performance.now() - started));
        for (const reply of behaviour(requests.length - 1, id, from as Deno.NetAddr)) {
          await socket.send(reply, from);
        }
      }
    } catch { /* closed */ }
  })();
  return {
    server: { hostname, port: (socket.addr as Deno.NetAddr).port },
    requests,
    async [Symbol.asyncDispose]() {
      socket.close();
      await serving;
    },
  };
}

const honest: Behaviour = (_n, id, from) => [
  bindingSuccessResponse(id, { ip: from.hostname, port: from.port }),
];
const silent: Behaviour = () => [];

/** A UDP socket that `using` closes (unless the code under test closed it already). */
function udp(hostname = "127.0.0.1", port = 0): Deno.DatagramConn & Disposable {
  const socket = Deno.listenDatagram({ transport: "udp", hostname, port });
  const dispose = (): void => {
    try {
      socket.close();
    } catch { /* already closed */ }
  };
  return Object.assign(socket, { [Symbol.dispose]: dispose });
}

function portOf(socket: Deno.DatagramConn): number {
  return (socket.addr as Deno.NetAddr).port;
}

Deno.test("stunProbe learns the mapped address from every server over one socket", async () => {
  await using a = fakeStun("127.0.0.1", honest);
  await using b = fakeStun("127.0.0.2", honest);
  using socket = udp();
  const results = await stunProbe(socket, [a.server, b.server]);
  const expected = { ip: "127.0.0.1", port: portOf(socket) };
  assert.deepEqual(results.map((r) => r.mapped), [expected, expected]);
  assert.deepEqual(results.map((r) => r.address), ["127.0.0.1", "127.0.0.2"]);
  assert.deepEqual(results.map((r) => r.server), [a.server, b.server]);
  for (const result of results) {
    assert.equal(result.error, undefined);
    assert.ok(typeof result.rttMs === "number" && result.rttMs >= 0);
  }
});

Deno.test("stunProbe retransmits a lost request with growing waits", async () => {
  await using lossy = fakeStun("127.0.0.1", (n, id, from) => n < 2 ? [] : honest(n, id, from));
  using socket = udp();
  const [result] = await stunProbe(socket, [lossy.server], { timeoutMs: 700, retries: 2 });
  assert.equal(result?.mapped?.port, portOf(socket));
  assert.equal(lossy.requests.length, 3);
  const [first = 0, second = 0, third = 0] = lossy.requests;
  assert.ok(third - second > second - first, `requests at ${lossy.requests.join(", ")} ms`);
});

Deno.test("stunProbe gives up after the timeout with a TIMEOUT result", async () => {
  await using quiet = fakeStun("127.0.0.1", silent);
  using socket = udp();
  const started = performance.now();
  const [result] = await stunProbe(socket, [quiet.server], { timeoutMs: 300, retries: 2 });
  const elapsed = performance.now() - started;
  assert.equal(result?.code, "TIMEOUT");
  assert.match(result?.error ?? "", /No answer from 127\.0\.0\.1:/);
  assert.equal(result?.mapped, undefined);
  assert.equal(quiet.requests.length, 3);
  assert.ok(elapsed >= 290 && elapsed < 1000, `${elapsed} ms`);
});

Deno.test("stunProbe ignores garbage, other transactions and junk STUN on the socket", async () => {
  await using noisy = fakeStun("127.0.0.1", (n, id, from) => {
    const other = bindingSuccessResponse(newTransactionId(), { ip: "6.6.6.6", port: 666 });
    const stunLooking = bindingRequest(newTransactionId());
    const junk = crypto.getRandomValues(new Uint8Array(100));
    return [new Uint8Array(0), junk, other, stunLooking, ...honest(n, id, from)];
  });
  using socket = udp();
  const [result] = await stunProbe(socket, [noisy.server]);
  assert.deepEqual(result?.mapped, { ip: "127.0.0.1", port: portOf(socket) });
});

Deno.test("stunProbe reports a malformed answer to its request as PROTOCOL", async () => {
  await using broken = fakeStun("127.0.0.1", (_n, id) => {
    const error = bindingRequest(id);
    error.set([0x01, 0x11], 0); // a binding error response
    return [error];
  });
  using socket = udp();
  const [result] = await stunProbe(socket, [broken.server]);
  assert.equal(result?.code, "PROTOCOL");
  assert.match(result?.error ?? "", /error response/);
});

Deno.test("an unresolvable server name is a failed probe, the others still answer", async () => {
  await using a = fakeStun("127.0.0.1", honest);
  using socket = udp();
  const lookedUp: string[] = [];
  const results = await stunProbe(socket, [{ hostname: "stun.invalid", port: 3478 }, a.server], {
    resolve: (name) => {
      lookedUp.push(name);
      return Promise.reject(new Error("NXDOMAIN"));
    },
  });
  assert.deepEqual(lookedUp, ["stun.invalid"]);
  assert.equal(results[0]?.code, "NOT_FOUND");
  assert.equal(results[0]?.address, undefined);
  assert.equal(results[1]?.mapped?.port, portOf(socket));
});

Deno.test("a server name resolves through the resolver, IPv4 first for an IPv4 socket", async () => {
  await using a = fakeStun("127.0.0.1", honest);
  using socket = udp();
  const families: number[] = [];
  const [result] = await stunProbe(socket, [{ hostname: "stun.test", port: a.server.port }], {
    resolve: (_name, family) => {
      families.push(family);
      return Promise.resolve(["::1", "127.0.0.1"]);
    },
  });
  assert.deepEqual(families, [4]);
  assert.equal(result?.address, "127.0.0.1");
  assert.equal(result?.mapped?.port, portOf(socket));
});

Deno.test("a name with no address at all is NOT_FOUND", async () => {
  using socket = udp();
  const [result] = await stunProbe(socket, [{ hostname: "empty.test", port: 1 }], {
    resolve: () => Promise.resolve([]),
  });
  assert.equal(result?.code, "NOT_FOUND");
});

Deno.test("a send that fails ends that probe at once with IO", async () => {
  using socket = udp();
  const started = performance.now();
  // An IPv4 socket cannot send to an IPv6 address.
  const [result] = await stunProbe(socket, [{ hostname: "[::1]", port: 3478 }], {
    timeoutMs: 5000,
  });
  assert.equal(result?.code, "IO");
  assert.ok(performance.now() - started < 2000);
});

Deno.test("learnPublicAddress frees the port at once and sees no NAT on loopback", async () => {
  await using a = fakeStun("127.0.0.1", honest);
  await using b = fakeStun("127.0.0.2", honest);
  using probe = udp("0.0.0.0");
  const port = portOf(probe);
  probe.close();
  const learned = await learnPublicAddress(port, [a.server, b.server], {
    localAddresses: ["127.0.0.1"],
  });
  assert.deepEqual(learned.mapped, [{ ip: "127.0.0.1", port }, { ip: "127.0.0.1", port }]);
  assert.equal(learned.natType, "none");
  using again = udp("0.0.0.0", port);
  assert.equal(portOf(again), port);
});

Deno.test("learnPublicAddress says hard when servers see different ports", async () => {
  const lie = (port: number): Behaviour => (_n, id) => [
    bindingSuccessResponse(id, { ip: "203.0.113.5", port }),
  ];
  await using a = fakeStun("127.0.0.1", lie(1111));
  await using b = fakeStun("127.0.0.2", lie(2222));
  const learned = await learnPublicAddress(0, [a.server, b.server], { localAddresses: [] });
  assert.equal(learned.natType, "hard");
  await using c = fakeStun("127.0.0.3", lie(1111));
  const easy = await learnPublicAddress(0, [a.server, c.server], { localAddresses: [] });
  assert.equal(easy.natType, "easy");
});

Deno.test("learnPublicAddress says unknown when only one server IP answers", async () => {
  await using a = fakeStun("127.0.0.1", honest);
  await using sameIp = fakeStun("127.0.0.1", honest);
  await using quiet = fakeStun("127.0.0.2", silent);
  const learned = await learnPublicAddress(0, [a.server, sameIp.server, quiet.server], {
    localAddresses: [],
    timeoutMs: 200,
  });
  assert.equal(learned.mapped.length, 1);
  assert.equal(learned.natType, "unknown");
  assert.equal(learned.results[2]?.code, "TIMEOUT");
});

Deno.test("learnPublicAddress refuses a port that is taken with CONFLICT", async () => {
  using taken = udp("0.0.0.0");
  await assert.rejects(learnPublicAddress(portOf(taken), []), {
    code: "CONFLICT",
    message: /Cannot bind UDP port/,
  });
});

Deno.test("mappingsFromDistinctServers keeps the first answer per server IP", () => {
  const m = (port: number): MappedAddress => ({ ip: "203.0.113.5", port });
  const server = { hostname: "x", port: 1 };
  const results: StunResult[] = [
    { server, address: "198.51.100.10", mapped: m(1) },
    { server, address: "198.51.100.10", mapped: m(2) },
    { server, error: "no", code: "NOT_FOUND" },
    { server, address: "198.51.100.20", error: "late", code: "TIMEOUT" },
    { server, address: "198.51.100.20", mapped: m(3) },
  ];
  assert.deepEqual(mappingsFromDistinctServers(results), [m(1), m(3)]);
});

Deno.test("the retransmit schedule doubles its waits within the timeout", () => {
  assert.deepEqual(retransmitSchedule(1500, 2), [0, 214, 643]);
  assert.deepEqual(retransmitSchedule(1000, 0), [0]);
  assert.deepEqual(retransmitSchedule(1000, -3), [0]);
  assert.deepEqual(retransmitSchedule(1500, 3), [0, 100, 300, 700]);
});
