import assert from "node:assert/strict";
import { getLogLevel, setLogLevel, setLogSink } from "../log.ts";
import {
  generateIdentity,
  type Identity,
  type PeerConnection,
  type Standing,
  toHex,
} from "../transport/mod.ts";
import { decodeAnnounceAddress, encodeAnnounceAddress } from "./announce_address.ts";
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
    remoteOf: () => undefined,
    trusted: () => false,
    standing: () => "known",
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

Deno.test("gossip dials only addresses that make sense for its path, once each, 10 a minute per announcer", async () => {
  const dials: Array<{ address: string; punch: boolean }> = [];
  const announcer = await generateIdentity();
  let announcerIp = "198.51.100.20"; // a peer on the internet
  const directory: PeerDirectory = {
    isConnected: () => false,
    connect: (address, _source, { punch }) => {
      dials.push({ address, punch });
      return Promise.resolve();
    },
    remoteOf: (
      key,
    ) => (key === announcer.publicKeyHex ? { ip: announcerIp, port: 4000 } : undefined),
    trusted: () => false,
    standing: () => "known",
    connections: () => [],
    send: () => Promise.resolve(),
    redialSoon: () => {},
  };
  const connectivity = new Connectivity(await generateIdentity(), {
    stun: false,
    stunServers: [],
    mdns: false,
  });
  connectivity.start({ hostname: "127.0.0.1", port: 4000 }, directory);
  const announce = async (ip: string, natType: "easy" | "hard" = "easy") => {
    const stranger = await generateIdentity(); // keys cost nothing
    const address = encodeAnnounceAddress({ publicKey: stranger.publicKey, ip, port: 53, natType });
    const time = Date.now();
    const signature = await signAnnouncement(stranger, address, time);
    await connectivity.announced(announcer.publicKeyHex, { address, time, signature });
    return address;
  };
  try {
    for (const ip of ["127.0.0.1", "0.0.0.0", "224.0.0.251", "255.255.255.255", "10.0.0.1"]) {
      await announce(ip);
    }
    assert.equal(
      dials.length,
      0,
      "no dial for loopback, unspecified, multicast, broadcast, private",
    );
    const global = await announce("203.0.113.9");
    assert.deepEqual(
      dials,
      [{ address: global, punch: false }],
      "a stranger's news: one plain dial",
    );
    announcerIp = "192.168.1.20"; // now the announcer is on the LAN
    const lan = await announce("192.168.1.30");
    assert.ok(dials.some((d) => d.address === lan), "a LAN peer may name a LAN address");
    for (let i = 0; i < 20; i++) await announce(`203.0.113.${20 + i}`);
    assert.equal(dials.length, 10, "at most 10 gossip dials a minute from one announcer");
  } finally {
    connectivity.close();
  }
});

Deno.test("of two peers told of each other, the larger key lets the smaller dial first, unless punching", async () => {
  const dialled: string[] = [];
  const announcer = await generateIdentity();
  const own = await generateIdentity();
  const connected = new Set<string>();
  const directory: PeerDirectory = {
    isConnected: (key) => connected.has(key),
    connect: (address) => {
      dialled.push(address);
      return Promise.resolve();
    },
    remoteOf: (
      key,
    ) => (key === announcer.publicKeyHex ? { ip: "198.51.100.20", port: 4000 } : undefined),
    trusted: () => true,
    standing: () => "friend",
    connections: () => [],
    send: () => Promise.resolve(),
    redialSoon: () => {},
  };
  const connectivity = new Connectivity(own, { stun: false, stunServers: [], mdns: false });
  connectivity.start({ hostname: "127.0.0.1", port: 4000 }, directory);
  /** A peer whose key is smaller (or larger) than ours, with its NAT type, announced. */
  const announce = async (smaller: boolean, natType: "none" | "easy", ip: string) => {
    let peer = await generateIdentity();
    while ((peer.publicKeyHex < own.publicKeyHex) !== smaller) peer = await generateIdentity();
    const address = encodeAnnounceAddress({ publicKey: peer.publicKey, ip, port: 53, natType });
    const time = Date.now();
    const signature = await signAnnouncement(peer, address, time);
    await connectivity.announced(announcer.publicKeyHex, { address, time, signature });
    return { address, key: peer.publicKeyHex };
  };
  try {
    const waits = await announce(true, "none", "203.0.113.1"); // it dials us: we wait
    const dialsNow = await announce(false, "none", "203.0.113.2");
    const punches = await announce(true, "easy", "203.0.113.3"); // punching: both at once
    const cameMeanwhile = await announce(true, "none", "203.0.113.4");
    assert.deepEqual(dialled, [dialsNow.address, punches.address]);
    connected.add(cameMeanwhile.key); // its dial reached us while we waited
    await new Promise((resolve) => setTimeout(resolve, 4_200));
    assert.deepEqual(dialled, [dialsNow.address, punches.address, waits.address]);
  } finally {
    connectivity.close();
  }
});

Deno.test("gossip passes a peer on only between two friends, and never one that signed itself unlisted", async () => {
  const friend = await generateIdentity();
  const shy = await generateIdentity();
  const known = await generateIdentity();
  const newcomer = await generateIdentity();
  const standings: Record<string, Standing> = {
    [friend.publicKeyHex]: "friend",
    [shy.publicKeyHex]: "friend",
    [known.publicKeyHex]: "known",
    [newcomer.publicKeyHex]: "friend",
  };
  const sent: Array<{ to: string; about: string }> = [];
  const connection = (key: string) => ({ peerKeyHex: key, direction: "inbound" }) as PeerConnection;
  const connected = [friend, shy, known].map((i) => connection(i.publicKeyHex));
  const directory: PeerDirectory = {
    isConnected: (key) => connected.some((c) => c.peerKeyHex === key),
    connect: () => Promise.resolve(),
    remoteOf: () => ({ ip: "198.51.100.1", port: 4000 }),
    trusted: () => false,
    standing: (key) => standings[key] ?? "known",
    connections: () => connected,
    send: (to, announcement) => {
      const about = toHex(decodeAnnounceAddress(announcement.address).publicKey);
      sent.push({ to: to.peerKeyHex, about });
      return Promise.resolve();
    },
    redialSoon: () => {},
  };
  const own = await generateIdentity();
  const connectivity = new Connectivity(own, { stun: false, stunServers: [], mdns: false });
  connectivity.start({ hostname: "127.0.0.1", port: 4000 }, directory);
  const selfAnnounce = async (identity: Identity, unlisted = false) => {
    const address = encodeAnnounceAddress({
      publicKey: identity.publicKey,
      ip: "203.0.113.7",
      port: 4000,
      natType: "easy",
    });
    const time = Date.now();
    const signature = await signAnnouncement(identity, address, time, { unlisted });
    await connectivity.announced(identity.publicKeyHex, {
      address,
      time,
      signature,
      ...(unlisted ? { unlisted } : {}),
    });
  };
  try {
    await selfAnnounce(friend);
    await selfAnnounce(shy, true);
    await selfAnnounce(known);
    const name = (key: string) =>
      [[own, "own"], [friend, "friend"], [shy, "shy"], [known, "known"], [newcomer, "newcomer"]]
        .find(([i]) => (i as Identity).publicKeyHex === key)![1];
    const told = () => sent.splice(0).map((s) => `${name(s.about)}→${name(s.to)}`).sort();
    assert.deepEqual(told(), ["friend→shy"], "each heard of: only the friend, to the other friend");
    connected.push(connection(newcomer.publicKeyHex));
    await connectivity.connected(connected.at(-1)!);
    assert.deepEqual(told(), ["friend→newcomer", "own→newcomer"]);
    // an unlisted announcement whose flag was dropped on the way no longer verifies
    const address = encodeAnnounceAddress({
      publicKey: shy.publicKey,
      ip: "203.0.113.8",
      port: 4000,
      natType: "easy",
    });
    const time = Date.now();
    const signature = await signAnnouncement(shy, address, time, { unlisted: true });
    await assert.rejects(
      connectivity.announced(friend.publicKeyHex, { address, time, signature }),
      { code: "UNAUTHORIZED" },
    );
  } finally {
    connectivity.close();
  }
});

Deno.test("a router's mapping on a public address is announced; one behind a carrier's NAT is shown, not announced", async () => {
  const lan: LocalAddress[] = [{ address: "192.168.1.20", family: "IPv4", interface: "eth0" }];
  let changes = 0;
  const connectivity = new Connectivity(await generateIdentity(), {
    stun: false,
    stunServers: [],
    mdns: false,
    portMapping: true,
    addresses: () => lan,
    onChange: () => changes++,
  });
  connectivity.start({ hostname: "::", port: 41000 }, {
    isConnected: () => false,
    connect: () => Promise.resolve(),
    remoteOf: () => undefined,
    trusted: () => false,
    standing: () => "known",
    connections: () => [],
    send: () => Promise.resolve(),
    redialSoon: () => {},
  });
  try {
    assert.deepEqual(connectivity.mappingStatus(), { state: "trying" });
    connectivity.setMapping(undefined);
    assert.deepEqual(connectivity.mappingStatus(), { state: "none" });
    assert.deepEqual(connectivity.candidates().map((c) => c.kind), ["lan"]);

    const mapped = { protocol: "pcp", externalIp: "203.0.113.9", externalPort: 41000 };
    connectivity.setMapping(mapped);
    assert.deepEqual(connectivity.mappingStatus(), { state: "mapped", mapping: mapped });
    assert.deepEqual(connectivity.mapping, mapped);
    const decoded = decodeAnnounceAddress(connectivity.announceAddress());
    assert.deepEqual(
      decoded.candidates.map((c) => `${c.kind} ${c.ip}:${c.port}`),
      ["mapped 203.0.113.9:41000", "lan 192.168.1.20:41000"],
    );

    const carrier = { protocol: "nat-pmp", externalIp: "100.64.1.2", externalPort: 41000 };
    connectivity.setMapping(carrier);
    const status = connectivity.mappingStatus();
    assert.equal(status.state, "unusable");
    assert.deepEqual(status.mapping, carrier);
    assert.match(status.why ?? "", /100\.64\.1\.2 is not a public one/);
    assert.equal(connectivity.mapping, undefined);
    assert.deepEqual(connectivity.candidates().map((c) => c.kind), ["lan"]);
    assert.equal(changes, 3);
  } finally {
    connectivity.close();
  }
});

Deno.test("without port mapping the status is off whatever is set", async () => {
  const connectivity = new Connectivity(await generateIdentity(), {
    stun: false,
    stunServers: [],
    mdns: false,
  });
  try {
    assert.deepEqual(connectivity.mappingStatus(), { state: "off" });
  } finally {
    connectivity.close();
  }
});
