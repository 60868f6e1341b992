// Runs src/discovery/mdns.ts inside a lab namespace for a while and reports whom it found.
//
//   deno run -A tests/lab/mdns_peer.ts [--port 40000] [--duration 4000]
//
// Announces a fresh signed identity at this host's first LAN address and prints one JSON line:
// {"announce", "readyAt", "found": [{"announce", "verified", "from", "at"}]} (times: Date.now()).
import {
  encodeAnnounceAddress,
  localAddresses,
  signAnnouncement,
  startMdns,
} from "../../src/discovery/mod.ts";
import { generateIdentity } from "../../src/transport/mod.ts";

const option = (name: string, fallback: number): number => {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
};
const port = option("port", 40000);
const duration = option("duration", 4000);

const identity = await generateIdentity();
const ip = localAddresses().find((a) => a.family === "IPv4")?.address ?? "127.0.0.1";
const address = encodeAnnounceAddress({
  publicKey: identity.publicKey,
  ip,
  port,
  natType: "unknown",
});
const time = Date.now();
const announcement = { address, time, signature: await signAnnouncement(identity, address, time) };

const found: { announce: string; verified: boolean; from: string; at: number }[] = [];
const mdns = startMdns({
  announce: () => announcement,
  onPeer: (peer) => {
    if (found.some((f) => f.announce === peer.announce)) return;
    const from = `${peer.from.ip}:${peer.from.port}`;
    found.push({ announce: peer.announce, verified: peer.verified, from, at: Date.now() });
  },
});
const readyAt = Date.now();
await new Promise((resolve) => setTimeout(resolve, duration));
mdns.close();
console.log(JSON.stringify({ announce: address, readyAt, found }));
