import assert from "node:assert/strict";
import { getLogLevel, setLogLevel, setLogSink } from "../log.ts";
import { generateIdentity } from "../transport/mod.ts";
import { encodeAnnounceAddress } from "./announce_address.ts";
import { Connectivity, type PeerDirectory } from "./connectivity.ts";
import { signAnnouncement } from "./gossip_signature.ts";
import type { LocalAddress } from "./local_addresses.ts";

Deno.test("a changed host address brings the pending redials forward", async () => {
  let addresses: LocalAddress[] = [{ address: "192.0.2.5", family: "IPv4", interface: "wlan0" }];
  const redialed = Promise.withResolvers<void>();
  let redials = 0;
  const directory: PeerDirectory = {
    isConnected: () => false,
    connect: () => Promise.resolve(),
    connections: () => [],
    send: () => Promise.resolve(),
    redialSoon: () => {
      redials++;
      redialed.resolve();
    },
  };
  const connectivity = new Connectivity(await generateIdentity(), {
    stun: false,
    stunServers: [],
    mdns: false,
    watchMs: 5,
    addresses: () => addresses,
  });
  connectivity.start({ hostname: "127.0.0.1", port: 4000 }, directory);
  try {
    addresses = [{ address: "198.51.100.7", family: "IPv4", interface: "eth0" }];
    await redialed.promise; // the failure bound is the test's own timeout
    assert.ok(redials >= 1);
  } finally {
    connectivity.close();
  }
});

Deno.test("an announcement refused for its time is logged at info with the clock offset", async () => {
  const alice = await generateIdentity();
  const connectivity = new Connectivity(await generateIdentity(), {
    stun: false,
    stunServers: [],
    mdns: false,
  });
  const address = encodeAnnounceAddress({
    publicKey: alice.publicKey,
    ip: "192.0.2.5",
    port: 4000,
    natType: "easy",
  });
  const time = Date.now() + 20 * 3_600_000;
  const signature = await signAnnouncement(alice, address, time);
  const lines: string[] = [];
  const level = getLogLevel();
  setLogLevel("info");
  setLogSink((line) => lines.push(line));
  try {
    await assert.rejects(
      connectivity.announced(alice.publicKeyHex, { address, time, signature }),
      { code: "UNAUTHORIZED" },
    );
  } finally {
    setLogSink(undefined);
    setLogLevel(level);
  }
  const refused = lines.filter((l) => l.includes("refused an announcement"));
  assert.equal(refused.length, 1);
  assert.match(refused[0]!, / INFO {2}\[connectivity\] .* offset=\+20 h /);
  assert.ok(refused[0]!.includes(`from=${alice.name}`), refused[0]!);
});
