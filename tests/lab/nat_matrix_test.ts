/**
 * The NAT-lab connectivity matrix: real daemons (`deno task start` flags) inside the lab's
 * namespaces. Pairs behind every combination of NAT types connect by both running `connect` at
 * once (the hole punch; easy ↔ symmetric by the birthday paradox, 20 tries, ≥ 95%), then browse
 * and read a 64 MiB file both ways; symmetric pairs must be
 * told at once that they need a relay; two peers on an offline LAN must find each other by mDNS.
 * Prints a Markdown table and writes it to /tmp/hdp-nat-matrix.md. Skipped (with the reason
 * printed) where the lab cannot run. `HDP_LAB_TRIES=N` sets the tries per scenario (default 5);
 * `HDP_LAB_ONLY=TEXT` runs only the scenarios whose name contains TEXT.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { LsEntry, NodeInfo, PeerInfo } from "../../src/api/mod.ts";
import { type CliResult, type NsDaemon, startDaemonInNs } from "./_daemon_in_ns.ts";
import { Lab, labSkipReason, namespacesLeft } from "./_lab.ts";
import { markdownTable, type ScenarioOutcome, type TryOutcome } from "./_matrix_table.ts";

const skip = await labSkipReason();
if (skip) console.log(`nat_matrix_test: skipped: ${skip}`);

const STUN = ["198.51.100.10:3478", "198.51.100.20:3478"];
const UDP_PORT = 40000;
const TRIES = Number(Deno.env.get("HDP_LAB_TRIES") || 5);
if (!Number.isInteger(TRIES) || TRIES < 1) {
  throw new Error("HDP_LAB_TRIES must be a whole number ≥ 1");
}
const BIG_BYTES = 64 * 1024 * 1024;
/** A dial gives up after 10 s; a little more lets the other side's dial land. */
const CONNECT_WINDOW_MS = 12_000;
const RELAY_REFUSAL_MS = 3_000;
const MDNS_LIMIT_MS = 5_000;
const REPORT = "/tmp/hdp-nat-matrix.md";

type Kind = "punch" | "birthday" | "needs-relay" | "mdns";

interface Scenario {
  name: string;
  left: string;
  right: string;
  kind: Kind;
}

const LAB_PEERS: [string, string][] = [
  ["n1", "none"],
  ["n2", "none"],
  ["c1", "cone"],
  ["c2", "cone"],
  ["r1", "restricted"],
  ["r2", "restricted"],
  ["s1", "symmetric"],
  ["s2", "symmetric"],
];

const SCENARIOS: Scenario[] = [
  { name: "none ↔ none", left: "n1", right: "n2", kind: "punch" },
  { name: "none ↔ restricted", left: "n1", right: "r1", kind: "punch" },
  { name: "cone ↔ cone", left: "c1", right: "c2", kind: "punch" },
  { name: "restricted ↔ restricted", left: "r1", right: "r2", kind: "punch" },
  { name: "cone ↔ restricted", left: "c1", right: "r1", kind: "punch" },
  { name: "restricted ↔ symmetric", left: "r1", right: "s1", kind: "birthday" },
  { name: "symmetric ↔ symmetric", left: "s1", right: "s2", kind: "needs-relay" },
  { name: "LAN via mDNS, STUN unreachable", left: "m1", right: "m2", kind: "mdns" },
];

const EXPECTED: Record<Kind, string> = {
  punch: "both dial → both connected",
  birthday: "both dial → both connected, by the birthday paradox (≥ 95% of tries)",
  "needs-relay": `both \`connect\` fail in < ${RELAY_REFUSAL_MS / 1000} s with "Needs relay"`,
  mdns: `found by mDNS and connected ≤ ${MDNS_LIMIT_MS / 1000} s after both nodes are up`,
};

/** One side's share, made once: share/big.bin (random) and share/<side>.txt. */
interface Side {
  shareDir: string;
  files: string[];
  bigSha: string;
}

interface Matrix {
  lab: Lab;
  root: string;
  ns: Map<string, string>;
  sides: [Side, Side];
  /** Every daemon still running: killed in the test's finally. */
  running: Set<NsDaemon>;
  /** Every daemon pid ever started, to prove none is left. */
  pids: number[];
}

Deno.test({
  name:
    "Peers behind every NAT connect (easy to symmetric by the birthday paradox), two symmetric NATs need a relay, " +
    "LAN peers find each other by mDNS",
  ignore: skip !== undefined,
  fn: async () => {
    const started = Date.now();
    const root = await Deno.makeTempDir({ prefix: "hdp-nat-matrix-" });
    const pids: number[] = [];
    let labId = "";
    let rows: ScenarioOutcome[];
    try {
      await using lab = new Lab("x");
      labId = lab.id;
      const running = new Set<NsDaemon>();
      try {
        const sides: [Side, Side] = [await makeSide(root, "left"), await makeSide(root, "right")];
        rows = await runMatrix({ lab, root, ns: new Map(), sides, running, pids });
      } finally {
        await Promise.all([...running].map((daemon) => daemon.kill()));
      }
    } finally {
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const report = `## NAT lab connectivity matrix\n\n${TRIES} tries per scenario; ` +
      `ms = from issuing \`connect\` (mDNS: from both nodes up) to both sides connected.\n\n` +
      markdownTable(rows) + `\nWhole test: ${seconds} s (${new Date().toISOString()})\n`;
    console.log("\n" + report);
    await Deno.writeTextFile(REPORT, report);

    assert.equal(await namespacesLeft(labId), "", "namespaces left");
    const alive = pids.filter((pid) => isAlive(pid));
    assert.deepEqual(alive, [], "daemons left running");

    for (const row of rows) {
      const kind = SCENARIOS.find((s) => s.name === row.scenario)!.kind;
      const why = `${row.scenario}: ${JSON.stringify(row.tries)}`;
      const wins = row.tries.filter((t) => t.ok).length;
      if (kind === "birthday") assert.ok(wins >= Math.ceil(0.95 * row.tries.length), why);
      else assert.equal(wins, row.tries.length, why);
      if (kind !== "needs-relay") {
        assert.ok(row.tries.every((t) => !t.ok || t.transfer === true), why);
      }
    }
  },
});

async function runMatrix(matrix: Matrix): Promise<ScenarioOutcome[]> {
  const { lab, ns } = matrix;
  await lab.run("up");
  for (const [name, nat] of LAB_PEERS) {
    const [peer] = await lab.run("peer", name, nat);
    ns.set(name, peer!.ns!);
  }
  for (const peer of await lab.run("lan", "--offline", "--site", "dark", "m1", "m2")) {
    ns.set(peer.peer!, peer.ns!);
  }
  const rows: ScenarioOutcome[] = [];
  const only = Deno.env.get("HDP_LAB_ONLY");
  for (const scenario of SCENARIOS.filter((s) => !only || s.name.includes(only))) {
    const tries: TryOutcome[] = [];
    // the birthday paradox succeeds by chance: enough tries to tell 95% apart
    const count = scenario.kind === "birthday" ? Math.max(TRIES, 20) : TRIES;
    for (let i = 1; i <= count; i++) {
      let outcome: TryOutcome;
      try {
        outcome = await oneTry(matrix, scenario, i);
      } catch (error) {
        outcome = { ok: false, note: firstLine(error), detail: String(error) };
      }
      tries.push(outcome);
      console.log(
        `${scenario.name} try ${i}: ${outcome.ok ? "ok" : "FAILED"}` +
          `${outcome.ms !== undefined ? ` ${outcome.ms} ms` : ""}` +
          `${
            outcome.transfer !== undefined ? ` transfer ${outcome.transfer ? "ok" : "FAILED"}` : ""
          }` +
          `${outcome.detail ?? outcome.note ? ` (${outcome.detail ?? outcome.note})` : ""}`,
      );
    }
    rows.push({ scenario: scenario.name, expected: EXPECTED[scenario.kind], tries });
  }
  return rows;
}

/** One try: flush NAT state, a fresh pair of daemons (fresh storage), the scenario, both killed. */
async function oneTry(matrix: Matrix, scenario: Scenario, i: number): Promise<TryOutcome> {
  await matrix.lab.run("flush");
  const dir = join(matrix.root, `${scenario.left}-${scenario.right}-${i}`);
  const mdns = scenario.kind === "mdns";
  // Offline, 198.51.100.10 has no route: STUN fails at once and the node starts anyway.
  const stunServers = mdns ? [STUN[0]!] : STUN;
  const started = await Promise.allSettled([
    start(matrix, scenario.left, matrix.sides[0], join(dir, "left"), stunServers, mdns),
    start(matrix, scenario.right, matrix.sides[1], join(dir, "right"), stunServers, mdns),
  ]);
  const [a, b] = started.map((s) => (s.status === "fulfilled" ? s.value : undefined));
  if (!a || !b) {
    // One came up: it must not hold the ports of the next try.
    await Promise.all([a, b].map((daemon) => daemon && stop(matrix, daemon)));
    throw started.find((s) => s.status === "rejected")!.reason;
  }
  const dialling: Promise<unknown>[] = [];
  try {
    const [infoA, infoB] = await Promise.all([a.json<NodeInfo>("info"), b.json<NodeInfo>("info")]);
    if (scenario.kind === "needs-relay") return await relayTry(a, b, infoA, infoB);
    const outcome = mdns
      ? await mdnsTry(a, b, infoA, infoB)
      : await punchTry(a, b, infoA, infoB, dialling);
    if (outcome.ok) {
      const since = Date.now();
      const problems = (await Promise.all([
        browseAndRead(a, infoB, matrix.sides[1], join(dir, "left-got.bin")),
        browseAndRead(b, infoA, matrix.sides[0], join(dir, "right-got.bin")),
      ])).filter((p) => p !== undefined);
      outcome.transfer = problems.length === 0;
      if (problems.length) {
        outcome.note = transferNote(problems, [a, b], since);
        outcome.detail = `${problems.join("; ")} [left: ${peerLog(a)}] [right: ${peerLog(b)}]`;
      }
    }
    return outcome;
  } finally {
    await Promise.all([stop(matrix, a), stop(matrix, b)]);
    await Promise.allSettled(dialling); // a `connect` still dialling ends with its daemon
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function start(
  matrix: Matrix,
  peer: string,
  side: Side,
  dir: string,
  stunServers: string[],
  mdns: boolean,
): Promise<NsDaemon> {
  const daemon = await startDaemonInNs(matrix.ns.get(peer)!, {
    storage: join(dir, "storage"),
    downloadDir: join(dir, "downloads"),
    shareDir: side.shareDir,
    port: UDP_PORT,
    stunServers,
    mdns,
  });
  matrix.running.add(daemon);
  matrix.pids.push(daemon.pid);
  return daemon;
}

async function stop(matrix: Matrix, daemon: NsDaemon): Promise<void> {
  await daemon.kill();
  matrix.running.delete(daemon);
}

/**
 * Both run `connect` with the other's announce address at once; both must see the other. The
 * `connect` calls go into `dialling`: after a success one may still be dialling.
 */
async function punchTry(
  a: NsDaemon,
  b: NsDaemon,
  infoA: NodeInfo,
  infoB: NodeInfo,
  dialling: Promise<unknown>[],
): Promise<TryOutcome> {
  const issued = Date.now();
  const results: (CliResult | undefined)[] = [undefined, undefined];
  const connects = [
    a.cli("connect", infoB.announceAddress, "--json"),
    b.cli("connect", infoA.announceAddress, "--json"),
  ].map((call, i) => call.then((result) => (results[i] = result)));
  dialling.push(...connects);
  const at = await connectedAt(a, b, infoA, infoB, () =>
    Date.now() - issued > CONNECT_WINDOW_MS ||
    results.every((r) => r !== undefined && r.code !== 0));
  if (at !== undefined) return { ok: true, ms: Math.max(0, at - issued) };
  const said = results.map((r) => (r ? r.stderr.trim() || `exit ${r.code}` : "still dialling"));
  const nat = `NAT ${infoA.natType}/${infoB.natType}`;
  return {
    ok: false,
    // Mapped ports differ per try: leave them out so that the table counts one cause once.
    note: `${nat}: ${said.map((text) => text.replace(/:\d+ /g, ":PORT ")).join(" / ")}`,
    detail: `${nat}: ${said.join(" / ")}`,
  };
}

/** Two symmetric NATs: both `connect` calls must be refused at once, saying "Needs relay". */
async function relayTry(
  a: NsDaemon,
  b: NsDaemon,
  infoA: NodeInfo,
  infoB: NodeInfo,
): Promise<TryOutcome> {
  const issued = Date.now();
  const results = await Promise.all([
    a.cli("connect", infoB.announceAddress, "--json"),
    b.cli("connect", infoA.announceAddress, "--json"),
  ]);
  const ms = Date.now() - issued;
  const refused = results.every((r) => r.code === 1 && r.stderr.includes("Needs relay"));
  const ok = refused && ms < RELAY_REFUSAL_MS;
  const note = ok
    ? undefined
    : `NAT ${infoA.natType}/${infoB.natType}, ${ms} ms: ${
      results.map((r) => r.stderr.trim() || `exit ${r.code}`).join(" / ")
    }`;
  return { ok, ms, ...(note ? { note } : {}) };
}

/** Nobody dials: mDNS must find and connect them within the limit after both nodes are up. */
async function mdnsTry(
  a: NsDaemon,
  b: NsDaemon,
  infoA: NodeInfo,
  infoB: NodeInfo,
): Promise<TryOutcome> {
  const up = Math.max(nodeStartedAt(a), nodeStartedAt(b));
  const at = await connectedAt(a, b, infoA, infoB, () => Date.now() - up > MDNS_LIMIT_MS + 3000);
  if (at === undefined) {
    return { ok: false, note: `not connected ${MDNS_LIMIT_MS + 3000} ms after both were up` };
  }
  const ms = Math.max(0, at - up);
  const ok = ms <= MDNS_LIMIT_MS;
  return { ok, ms, ...(ok ? {} : { note: `${ms} ms` }) };
}

/**
 * Polls `peers` on both sides until each shows the other connected, and returns when that last
 * happened (the later `since`), or undefined once `giveUp()` says so.
 */
async function connectedAt(
  a: NsDaemon,
  b: NsDaemon,
  infoA: NodeInfo,
  infoB: NodeInfo,
  giveUp: () => boolean,
): Promise<number | undefined> {
  for (;;) {
    const last = giveUp();
    const [peersA, peersB] = await Promise.all([
      a.json<PeerInfo[]>("peers"),
      b.json<PeerInfo[]>("peers"),
    ]);
    const seenByA = peersA.find((p) => p.keyHex === infoB.publicKey && p.status === "connected");
    const seenByB = peersB.find((p) => p.keyHex === infoA.publicKey && p.status === "connected");
    if (seenByA && seenByB) return Math.max(seenByA.since, seenByB.since);
    if (last) return undefined;
    await new Promise((r) => setTimeout(r, 50)); // another process's state: no event to await
  }
}

/** Browses the other's share and reads its 64 MiB file into `out`; returns what went wrong. */
async function browseAndRead(
  self: NsDaemon,
  other: NodeInfo,
  side: Side,
  out: string,
): Promise<string | undefined> {
  const peer = other.publicKey.slice(0, 16);
  try {
    const listing = await self.json<{ entries: LsEntry[]; partial: boolean }>(
      "ls",
      `${peer}/share`,
      "--recursive",
    );
    const names = listing.entries.map((e) => e.name).sort();
    if (listing.partial || JSON.stringify(names) !== JSON.stringify(side.files)) {
      return `ls ${peer}/share showed ${JSON.stringify(names)} partial=${listing.partial}`;
    }
    const started = Date.now();
    const read = await self.readToFile(`${peer}/share/big.bin`, out);
    if (read.code !== 0) {
      const when = `${clock(started)}–${clock(Date.now())}`;
      return `read ${when} failed (${read.code}): ${firstLine(read.stderr.trim())}`;
    }
    const got = await Deno.readFile(out);
    if (got.length !== BIG_BYTES || await sha256(got) !== side.bigSha) {
      return `read gave ${got.length} bytes with another sha256 in ${Date.now() - started} ms`;
    }
    return undefined;
  } catch (error) {
    return firstLine(error);
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}

async function makeSide(root: string, name: string): Promise<Side> {
  const shareDir = join(root, name, "share");
  await Deno.mkdir(shareDir, { recursive: true });
  const big = new Uint8Array(BIG_BYTES);
  for (let at = 0; at < big.length; at += 65536) {
    crypto.getRandomValues(big.subarray(at, at + 65536));
  }
  await Deno.writeFile(join(shareDir, "big.bin"), big);
  await Deno.writeTextFile(join(shareDir, `${name}.txt`), `the ${name} side\n`);
  return {
    shareDir,
    files: ["share/big.bin", `share/${name}.txt`].sort(),
    bigSha: await sha256(big),
  };
}

/**
 * The table's note for failed reads: when a side adopted a second connection (both dials landed)
 * after the reads began, that is the cause, and it says so.
 */
function transferNote(problems: string[], daemons: NsDaemon[], readsFrom: number): string {
  const what = [...new Set(problems.map((p) => p.replace(/^read \S+ /, "read ")))].join("; ");
  for (const daemon of daemons) {
    const times = daemon.output().split("\n")
      .filter((line) => /\[peers\] connected /.test(line))
      .map((line) => Date.parse(line.split(/\s/)[0]!));
    if (times.length >= 2 && times[1]! >= readsFrom) {
      const gap = Math.round((times[1]! - times[0]!) / 1000);
      return `${what}: the connection in use was closed as a duplicate (0x102) when the other ` +
        `dial landed ~${gap} s after connecting`;
    }
  }
  return what;
}

/** The daemon's connection history, from its `[peers]` log lines, for failure notes. */
function peerLog(daemon: NsDaemon): string {
  return daemon.output().split("\n").filter((line) => line.includes("[peers]"))
    .map((line) => line.replace(/^\S+T(\S+)Z\s+\w+\s+\[peers\]\s+/, "$1 ")).join(", ");
}

/** The engine's "node started" log line: the node is up (its ready line may come later). */
function nodeStartedAt(daemon: NsDaemon): number {
  const match = daemon.output().match(/^(\S+)\s+INFO\s+\[node\] node started/m);
  const at = match ? Date.parse(match[1]!) : NaN;
  return Number.isNaN(at) ? daemon.readyAt : at;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function isAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}
