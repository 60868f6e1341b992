import assert from "node:assert/strict";
import { generateIdentity } from "../transport/mod.ts";
import { Connectivity, type PeerDirectory } from "./connectivity.ts";
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
