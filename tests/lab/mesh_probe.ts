/**
 * The mesh lab's eyes, run in the lab's internet namespace (one process, not a CLI run per look):
 * it drives the daemons' APIs over their public addresses with their tokens and prints one JSON
 * line. Commands:
 *
 *   mesh_probe.ts NODES.json join TIMEOUT_MS     every node pastes the seed's address, the seed
 *                                                befriends each, so gossip introduces them all;
 *                                                waits until each sees every other connected
 *   mesh_probe.ts NODES.json search TERM         a streamed search from the first node
 *   mesh_probe.ts NODES.json gone TIMEOUT_MS N   the last N nodes were killed: waits until each
 *                                                of the others sees them gone and the rest
 *                                                still connected
 *
 * NODES.json: `[{ "url": "http://IP:3030", "token": "…" }, …]`, the seed first.
 */
import { type ApiClient, createClient, type PeerInfo } from "../../src/api/mod.ts";

interface NodeRef {
  url: string;
  token: string;
}

const [file, command, ...args] = Deno.args;
const nodes: NodeRef[] = JSON.parse(await Deno.readTextFile(file!));
const clients = nodes.map((n) => createClient(n.url, { token: n.token }));
const started = Date.now();

/** Connected peers each node sees, by its key. */
async function connectedOf(client: ApiClient): Promise<Set<string>> {
  const peers: PeerInfo[] = await client.peers();
  return new Set(peers.filter((p) => p.status === "connected").map((p) => p.keyHex));
}

async function pause(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

if (command === "join") {
  const timeoutMs = Number(args[0]);
  const infos = await Promise.all(clients.map((c) => c.info()));
  const keys = infos.map((i) => i.publicKey);
  const [seed, ...rest] = clients;
  // every node pastes the seed's address (the seed is its friend) …
  await Promise.all(rest.map((c) => c.connect(infos[0]!.announceAddress)));
  // … and the seed befriends each once it has dialled in, which introduces it to the others
  const befriended = new Set<string>();
  const firstSeen = new Map<number, number>();
  let done = false;
  while (!done && Date.now() - started < timeoutMs) {
    const seedPeers = await seed!.peers();
    for (const peer of seedPeers) {
      if (peer.status === "connected" && !befriended.has(peer.keyHex)) {
        befriended.add(peer.keyHex);
        await seed!.setPeerStanding(peer.keyHex, "friend");
      }
    }
    const seen = await Promise.all(clients.map(connectedOf));
    seen.forEach((set, i) => {
      const all = keys.every((k, j) => j === i || set.has(k));
      if (all && !firstSeen.has(i)) firstSeen.set(i, Date.now() - started);
    });
    done = firstSeen.size === clients.length;
    if (!done) await pause(500);
  }
  const seen = await Promise.all(clients.map(connectedOf));
  console.log(JSON.stringify({
    ok: done,
    ms: Date.now() - started,
    fullAt: [...firstSeen.values()].sort((a, b) => a - b),
    connected: seen.map((s) => s.size),
  }));
} else if (command === "search") {
  const results: Array<{ peer: string; files: number; error?: string; ms: number }> = [];
  for await (const result of clients[0]!.searchStream(args[0]!)) {
    results.push({
      peer: result.peer.name,
      files: result.entries.filter((e) => !e.isDir).length,
      ...(result.error ? { error: result.error.message } : {}),
      ms: Date.now() - started,
    });
  }
  console.log(JSON.stringify({ ms: Date.now() - started, results }));
} else if (command === "gone") {
  const [timeoutMs, killed] = [Number(args[0]), Number(args[1])];
  const infos = await Promise.all(clients.slice(0, clients.length - killed).map((c) => c.info()));
  const up = infos.map((i) => i.publicKey);
  const down = new Set<string>();
  // the killed ones are the last `killed` of the list: their keys come from the survivors' lists
  const lists = await Promise.all(clients.slice(0, up.length).map((c) => c.peers()));
  for (const p of lists[0]!) if (!up.includes(p.keyHex)) down.add(p.keyHex);
  let settled = false;
  let states: Array<{ connected: number; goneSeen: number }> = [];
  while (Date.now() - started < timeoutMs) {
    const peers = await Promise.all(clients.slice(0, up.length).map((c) => c.peers()));
    states = peers.map((list) => ({
      connected: list.filter((p) => p.status === "connected").length,
      goneSeen: list.filter((p) => down.has(p.keyHex) && p.status !== "connected").length,
    }));
    settled = states.every((s) => s.goneSeen === down.size && s.connected === up.length - 1);
    if (settled) break;
    await pause(500);
  }
  console.log(JSON.stringify({ ok: settled, ms: Date.now() - started, down: down.size, states }));
} else {
  throw new Error(`unknown command ${command}`);
}
