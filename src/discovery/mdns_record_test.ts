import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { type AnnounceAddress, encodeAnnounceAddress } from "./announce_address.ts";
import {
  buildMdnsRecords,
  instanceName,
  isMdnsQueryForUs,
  MDNS_SERVICE,
  parseMdnsResponse,
} from "./mdns_record.ts";

const KEY = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const OTHER_KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
const PEER: AnnounceAddress = {
  publicKey: KEY,
  ip: "192.168.3.10",
  port: 40000,
  natType: "easy",
  candidates: [{ kind: "lan", ip: "192.168.3.10", port: 40000 }],
};
const ADDRESS = encodeAnnounceAddress(PEER);
const NAME = instanceName(KEY);
const SIGNATURE = Uint8Array.from({ length: 64 }, (_, i) => i * 3);
const SIG64 = btoa(String.fromCharCode(...SIGNATURE));
const TIME = 1_735_689_600_000;

/** A TXT record as multicast-dns decodes it: data is an array of Buffers. */
function txt(strings: (string | Uint8Array)[], name = NAME): Record<string, unknown> {
  const data = strings.map((s) => typeof s === "string" ? Buffer.from(s) : s);
  return { name, type: "TXT", ttl: 120, class: "IN", flush: false, data };
}

function response(...answers: unknown[]): Record<string, unknown> {
  return { type: "response", answers, additionals: [] };
}

Deno.test("the instance name is the first 16 hex digits of the key under the service", () => {
  assert.equal(NAME, `fffefdfcfbfaf9f8.${MDNS_SERVICE}`);
  assert.equal(MDNS_SERVICE, "_harddrive-party._udp.local");
});

Deno.test("built records are a PTR to our instance and a TXT with version and address", () => {
  const [ptr, record] = buildMdnsRecords({ address: ADDRESS });
  assert.deepEqual(ptr, { name: MDNS_SERVICE, type: "PTR", ttl: 120, data: NAME });
  assert.deepEqual(record, { name: NAME, type: "TXT", ttl: 120, data: ["v=1", `a=${ADDRESS}`] });
  const signed = buildMdnsRecords({ address: ADDRESS, signature: SIGNATURE, time: TIME });
  assert.deepEqual(signed[1]?.data, ["v=1", `a=${ADDRESS}`, `t=${TIME}`, `s=${SIG64}`]);
  for (const text of signed[1]?.data ?? []) assert.ok(text.length <= 255);
});

Deno.test("building records for a malformed address throws BAD_REQUEST", () => {
  assert.throws(() => buildMdnsRecords({ address: "hdp1oops" }), { code: "BAD_REQUEST" });
});

Deno.test("built records parse back, as strings and as the Buffers the library decodes", () => {
  const signed = buildMdnsRecords({ address: ADDRESS, signature: SIGNATURE, time: TIME });
  const asStrings = parseMdnsResponse({ answers: signed });
  const asBuffers = parseMdnsResponse(response(txt(signed[1]!.data as string[])));
  for (const peers of [asStrings, asBuffers]) {
    assert.equal(peers.length, 1);
    assert.equal(peers[0]?.announce, ADDRESS);
    assert.deepEqual(peers[0]?.address, PEER);
    assert.deepEqual(peers[0]?.signature, SIGNATURE);
    assert.equal(peers[0]?.time, TIME);
  }
  const unsigned = parseMdnsResponse({ answers: buildMdnsRecords({ address: ADDRESS }) });
  assert.deepEqual(unsigned, [{ address: PEER, announce: ADDRESS }]);
  assert.ok(!("signature" in unsigned[0]!) && !("time" in unsigned[0]!));
});

Deno.test("peers are found in additionals too, once per announce address", () => {
  const other = encodeAnnounceAddress({ ...PEER, publicKey: OTHER_KEY });
  const packet = {
    answers: [txt(["v=1", `a=${ADDRESS}`])],
    additionals: [
      txt(["v=1", `a=${ADDRESS}`]),
      txt(["v=1", `a=${other}`], instanceName(OTHER_KEY)),
    ],
  };
  assert.deepEqual(parseMdnsResponse(packet).map((p) => p.announce), [ADDRESS, other]);
});

Deno.test("names are compared without case or a trailing dot, the first repeated key wins", () => {
  const peers = parseMdnsResponse(response(
    txt(["V=1", `A=${ADDRESS}`, "a=hdp1ignored", "junk", "=x", "x"], `${NAME.toUpperCase()}.`),
  ));
  assert.equal(peers[0]?.announce, ADDRESS);
});

const OTHER_ADDRESS = encodeAnnounceAddress({ ...PEER, publicKey: OTHER_KEY });
const MALFORMED: [string, unknown][] = [
  ["undefined", undefined],
  ["null", null],
  ["a number", 42],
  ["a string", "answers"],
  ["an array", [txt(["v=1", `a=${ADDRESS}`])]],
  ["answers is an object", { answers: { 0: txt(["v=1", `a=${ADDRESS}`]) } }],
  ["answers is a string", { answers: "TXT" }],
  ["answers holds null", response(null, undefined, 7, "x", [])],
  ["no type", response({ name: NAME, data: [Buffer.from(`a=${ADDRESS}`)] })],
  ["a PTR only", response({ name: MDNS_SERVICE, type: "PTR", data: NAME })],
  ["an A record with our name", response({ ...txt(["v=1", `a=${ADDRESS}`]), type: "A" })],
  ["name is a number", response(txt(["v=1", `a=${ADDRESS}`], 5 as unknown as string))],
  ["another service", response(txt(["v=1", `a=${ADDRESS}`], "fffefdfcfbfaf9f8._http._tcp.local"))],
  ["the service name itself", response(txt(["v=1", `a=${ADDRESS}`], MDNS_SERVICE))],
  ["instance of another key", response(txt(["v=1", `a=${OTHER_ADDRESS}`]))],
  ["no version", response(txt([`a=${ADDRESS}`]))],
  ["version 2", response(txt(["v=2", `a=${ADDRESS}`]))],
  ["no address", response(txt(["v=1"]))],
  ["an empty address", response(txt(["v=1", "a="]))],
  ["a mistyped address", response(txt(["v=1", `a=${ADDRESS.slice(0, -1)}a`]))],
  ["a cut address", response(txt(["v=1", `a=${ADDRESS.slice(0, 30)}`]))],
  ["data is null", response({ ...txt([]), data: null })],
  ["data is a number", response({ ...txt([]), data: 12 })],
  ["data is an object", response({ ...txt([]), data: { 0: "v=1", 1: `a=${ADDRESS}` } })],
  ["data holds numbers", response({ ...txt([]), data: [1, 2, 3] })],
  ["data holds nested arrays", response({ ...txt([]), data: [["v=1"], [`a=${ADDRESS}`]] })],
  ["invalid UTF-8", response(txt([Uint8Array.of(0x76, 0x3d, 0xff), `a=${ADDRESS}`]))],
  ["an over-long string", response(txt(["v=1", `a=${ADDRESS}${" ".repeat(300)}`]))],
  ["time without signature", response(txt(["v=1", `a=${ADDRESS}`, `t=${TIME}`]))],
  ["signature without time", response(txt(["v=1", `a=${ADDRESS}`, `s=${SIG64}`]))],
  ["a negative time", response(txt(["v=1", `a=${ADDRESS}`, "t=-1", `s=${SIG64}`]))],
  ["a fractional time", response(txt(["v=1", `a=${ADDRESS}`, "t=1.5", `s=${SIG64}`]))],
  ["a huge time", response(txt(["v=1", `a=${ADDRESS}`, `t=${"9".repeat(17)}`, `s=${SIG64}`]))],
  ["a short signature", response(txt(["v=1", `a=${ADDRESS}`, `t=${TIME}`, "s=AAAA"]))],
  [
    "a signature not base64",
    response(txt(["v=1", `a=${ADDRESS}`, `t=${TIME}`, `s=${"!".repeat(88)}`])),
  ],
  ["the address in the key", response(txt(["v=1", `${ADDRESS}=a`]))],
];

Deno.test("a table of malformed packets yields no peer and never throws", () => {
  assert.ok(MALFORMED.length >= 30);
  for (const [what, packet] of MALFORMED) {
    assert.deepEqual(parseMdnsResponse(packet), [], what);
  }
});

Deno.test("hostile objects, getters that throw and huge arrays do not throw", () => {
  const throwing = Object.defineProperty({}, "answers", {
    get() {
      throw new Error("boom");
    },
  });
  const proxy = new Proxy({}, {
    get() {
      throw new Error("trap");
    },
  });
  const recordProxy = response(
    new Proxy(txt(["v=1", `a=${ADDRESS}`]), {
      get() {
        throw new Error("trap");
      },
    }),
  );
  for (const packet of [throwing, proxy, recordProxy]) {
    assert.deepEqual(parseMdnsResponse(packet), []);
    assert.equal(isMdnsQueryForUs(packet), false);
  }
  const good = txt(["v=1", `a=${ADDRESS}`]);
  const huge = response(...Array.from({ length: 100_000 }, () => txt(["junk"])), good);
  const started = performance.now();
  assert.deepEqual(parseMdnsResponse(huge), [], "records past the first 64 are ignored");
  assert.ok(performance.now() - started < 500);
  const manyStrings = txt([...Array.from({ length: 100_000 }, () => "x=1"), "v=1", `a=${ADDRESS}`]);
  assert.deepEqual(parseMdnsResponse(response(manyStrings)), []);
});

Deno.test("random junk objects never make the parser throw", () => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const atoms: unknown[] = [
    null,
    undefined,
    0,
    -1,
    Number.NaN,
    "",
    "TXT",
    "PTR",
    NAME,
    MDNS_SERVICE,
    "v=1",
    `a=${ADDRESS}`,
    `s=${SIG64}`,
    `t=${TIME}`,
    true,
    Buffer.from("v=1"),
    Buffer.from(`a=${ADDRESS}`),
    new Uint8Array(300),
    Symbol("x"),
    () => 1,
    new Date(),
    BigInt(5),
  ];
  const junk = (depth: number): unknown => {
    const kind = random(depth > 3 ? 1 : 4);
    if (kind === 0) return atoms[random(atoms.length)];
    if (kind === 1) return Array.from({ length: random(6) }, () => junk(depth + 1));
    const keys = ["type", "name", "data", "answers", "additionals", "questions", "ttl", "x"];
    return Object.fromEntries(
      Array.from({ length: random(6) }, () => [keys[random(keys.length)]!, junk(depth + 1)]),
    );
  };
  for (let i = 0; i < 5000; i++) {
    const packet = junk(0);
    const peers = parseMdnsResponse(packet);
    isMdnsQueryForUs(packet);
    for (const peer of peers) assert.deepEqual(peer.address.publicKey, KEY);
  }
});

Deno.test("a query for our service is recognised, other queries are not", () => {
  const query = (...questions: unknown[]) => ({ type: "query", questions });
  assert.ok(isMdnsQueryForUs(query({ name: MDNS_SERVICE, type: "PTR", class: "IN" })));
  assert.ok(isMdnsQueryForUs(query({ name: "_HARDDRIVE-party._udp.local.", type: "ANY" })));
  assert.ok(
    isMdnsQueryForUs(query({ name: "x.local", type: "A" }, { name: MDNS_SERVICE, type: "PTR" })),
  );
  assert.ok(!isMdnsQueryForUs(query({ name: MDNS_SERVICE, type: "A" })));
  assert.ok(!isMdnsQueryForUs(query({ name: "_http._tcp.local", type: "PTR" })));
  assert.ok(
    !isMdnsQueryForUs({ type: "response", questions: [{ name: MDNS_SERVICE, type: "PTR" }] }),
  );
  assert.ok(!isMdnsQueryForUs(query()));
  assert.ok(!isMdnsQueryForUs({ type: "query", questions: "PTR" }));
  assert.ok(!isMdnsQueryForUs(null));
});
