/** Commands about peers: `connect`, `peers`, `ls`, `read`. */
import {
  formatBytes,
  type LsEntry,
  type OwnerStanding,
  parseSearchFilter,
  parseSize,
  pathText,
  type PeerInfo,
  type PeerSearchResult,
  problemText,
  type SearchFilter,
} from "../api/light.ts";
import { describeBandwidth, rateOption } from "./limits.ts";
import {
  type Command,
  CONTROL_OPTIONS,
  integerValue,
  type Io,
  stringValue,
  UsageError,
} from "./command.ts";
import { clientFor, printJson } from "./control.ts";

/** `connect ANNOUNCE` */
export const connectCommand: Command = {
  name: "connect",
  summary: "Connect to a peer by its announce address (hdp1…).",
  usage: "connect ANNOUNCE_ADDRESS [--json]",
  options: CONTROL_OPTIONS,
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const peer = await clientFor(args, io).connect(args.positionals[0]!);
    if (args.values.json) return printJson(io, peer);
    io.stdout(`${peer.name}: ${describe(peer)}\n`);
    return 0;
  },
};

/** What each `peers` verb sets a peer's standing to, and says after. */
const STANDING_VERBS: Record<string, { standing: OwnerStanding; done: string }> = {
  accept: { standing: "friend", done: "is a friend now: it sees your friends-only shares" },
  friend: { standing: "friend", done: "is a friend now: it sees your friends-only shares" },
  refuse: { standing: "known", done: "was refused: it sees only shares for everyone" },
  unfriend: { standing: "known", done: "is no longer a friend" },
  block: { standing: "blocked", done: "is blocked: disconnected, refused and not passed on" },
  unblock: { standing: "known", done: "is no longer blocked" },
};

/** `peers [list]`, `peers accept|refuse|friend|unfriend|block|unblock|forget PEER` */
export const peersCommand: Command = {
  name: "peers",
  summary: "List known peers with their standing; accept or refuse friend requests; block peers.",
  usage: "peers [list] | peers accept|refuse|friend|unfriend|block|unblock|forget PEER | " +
    "peers limit PEER [RATE] [--upload RATE] [--download RATE]   [--json]",
  options: {
    upload: { type: "string", arg: "RATE", help: "with limit: cap what you upload to the peer" },
    download: { type: "string", arg: "RATE", help: "with limit: cap what you download from it" },
    ...CONTROL_OPTIONS,
  },
  positionals: { min: 0, max: 3 },
  async run(args, io) {
    const [action = "list", operand, rateArg] = args.positionals;
    const client = clientFor(args, io);
    if (action === "limit") return await limitPeer(args, io, operand, rateArg);
    if (rateArg !== undefined) throw new UsageError(`peers ${action}: unexpected "${rateArg}"`);
    if (action === "forget") {
      if (operand === undefined) throw new UsageError("peers forget: missing PEER");
      const result = await client.forgetPeer(operand);
      if (args.values.json) return printJson(io, result);
      io.stdout(`Forgot ${result.peer.name}: disconnected, and not dialled again.
`);
      return 0;
    }
    if (action !== "list") {
      const verb = STANDING_VERBS[action];
      if (!verb) {
        throw new UsageError(
          `peers: unknown action "${action}" (use list, ${
            Object.keys(STANDING_VERBS).join(", ")
          }, forget or limit)`,
        );
      }
      if (operand === undefined) throw new UsageError(`peers ${action}: missing PEER`);
      const peer = await client.setPeerStanding(operand, verb.standing);
      if (args.values.json) return printJson(io, peer);
      io.stdout(`${peer.name} ${verb.done}.\n`);
      return 0;
    }
    if (operand !== undefined) throw new UsageError(`peers list: unexpected argument "${operand}"`);
    const peers = await client.peers();
    if (args.values.json) return printJson(io, peers);
    if (peers.length === 0) {
      io.stdout("No peers yet. Connect with: harddrive-party connect ANNOUNCE_ADDRESS\n");
    }
    for (const peer of peers) {
      io.stdout(`${peer.name}\t${peer.keyHex.slice(0, 8)}\t${describe(peer)}\n`);
    }
    const asking = peers.filter((p) => p.standing === "requested");
    if (asking.length > 0) {
      io.stdout(
        `${asking.map((p) => p.name).join(", ")} ${asking.length === 1 ? "wants" : "want"} ` +
          "to be your friend: harddrive-party peers accept|refuse PEER\n",
      );
    }
    return 0;
  },
};

/** `ls PEER[/PATH]` */
export const lsCommand: Command = {
  name: "ls",
  summary: "List or search a peer's shared files (PEER is a name or key prefix; yours works too).",
  usage: "ls PEER[/PATH] [--recursive] [--search TERM] [--json]",
  options: {
    recursive: { type: "boolean", short: "r", help: "everything below the path" },
    search: {
      type: "string",
      short: "s",
      arg: "TERM",
      help: "only paths in which every word of TERM begins a word",
    },
    limit: { type: "string", arg: "N", help: "stop after N entries" },
    ...CONTROL_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const [peer, path] = splitPeerPath(args.positionals[0]!);
    const client = clientFor(args, io);
    const max = integerValue(args, "limit") ?? Infinity;
    const searchTerm = stringValue(args, "search");
    const entries: LsEntry[] = [];
    let cursor: string | undefined;
    let last;
    do {
      const page = await client.peerLs(peer, {
        path,
        recursive: args.values.recursive === true,
        ...(searchTerm !== undefined ? { searchTerm } : {}),
        ...(cursor ? { cursor } : {}),
        limit: Math.min(1000, Math.max(1, max - entries.length)),
      });
      last = page;
      for (const entry of page.entries) {
        if (entries.length >= max) break;
        entries.push(entry);
        if (!args.values.json) io.stdout(formatEntry(entry));
      }
      cursor = page.cursor;
    } while (cursor && entries.length < max);
    if (args.values.json) {
      return printJson(io, {
        peer: last.peer,
        entries,
        partial: last.partial,
        ...(last.totals ? { totals: last.totals } : {}),
      });
    }
    if (entries.length === 0) io.stdout("(empty)\n");
    if (last.totals && !searchTerm) {
      io.stderr(`${last.totals.files} files, ${formatBytes(last.totals.bytes)}\n`);
    }
    if (last.partial) io.stderr("(the peer is still indexing: this may be incomplete)\n");
    return 0;
  },
};

/** `read PEER/PATH` */
export const readCommand: Command = {
  name: "read",
  summary: "Write a peer's file (or a byte range) to stdout; --json prints only its details.",
  usage: "read PEER/PATH [--start N] [--end N] [--json] > FILE",
  options: {
    start: { type: "string", arg: "N", help: "first byte (default 0)" },
    end: { type: "string", arg: "N", help: "one past the last byte (default: the end)" },
    ...CONTROL_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const [peer, path] = splitPeerPath(args.positionals[0]!);
    if (path === "") throw new UsageError("read: name a file: PEER/PATH");
    const start = integerValue(args, "start");
    const end = integerValue(args, "end");
    const response = await clientFor(args, io).peerRead(peer, path, {
      ...(start !== undefined ? { start } : {}),
      ...(end !== undefined ? { end } : {}),
    });
    const details = {
      path,
      size: Number(response.headers.get("x-hdp-size")),
      mtime: Number(response.headers.get("x-hdp-mtime")),
      start: Number(response.headers.get("x-hdp-start")),
      length: Number(response.headers.get("content-length")),
    };
    if (args.values.json) {
      await response.body?.cancel();
      return printJson(io, details);
    }
    let written = 0;
    try {
      for await (const chunk of response.body!) {
        await writeBytes(io, chunk);
        written += chunk.length;
      }
    } catch {
      // the daemon cut the response: the peer's transfer broke; say so below, with the count
    }
    if (written !== details.length) {
      io.stderr(`error: the transfer broke off after ${written} of ${details.length} bytes\n`);
      return 1;
    }
    return 0;
  },
};

/** Splits `PEER/some/path` into the peer and the path. */
export function splitPeerPath(text: string): [string, string] {
  const slash = text.indexOf("/");
  if (slash === 0) throw new UsageError("name the peer first: PEER/PATH");
  return slash < 0 ? [text, ""] : [text.slice(0, slash), text.slice(slash + 1)];
}

async function writeBytes(io: Io, bytes: Uint8Array): Promise<void> {
  if (!io.stdoutBytes) throw new Error("This output cannot take bytes");
  await io.stdoutBytes(bytes);
}

/** `peers limit PEER [RATE]`: RATE caps both ways; --upload and --download one way each. */
async function limitPeer(
  args: Parameters<Command["run"]>[0],
  io: Io,
  peer: string | undefined,
  both: string | undefined,
): Promise<number> {
  if (peer === undefined) throw new UsageError("peers limit: missing PEER");
  const upload = rateOption(stringValue(args, "upload"), "--upload") ?? rateOption(both, "RATE");
  const download = rateOption(stringValue(args, "download"), "--download") ??
    rateOption(both, "RATE");
  if (upload === undefined && download === undefined) {
    throw new UsageError("peers limit: give RATE, --upload RATE or --download RATE");
  }
  const status = await clientFor(args, io).setPeerLimit(peer, {
    ...(upload !== undefined ? { upload } : {}),
    ...(download !== undefined ? { download } : {}),
  });
  if (args.values.json) return printJson(io, status);
  io.stdout(describeBandwidth(status));
  return 0;
}

function describe(peer: PeerInfo): string {
  const where = peer.address ? ` ${peer.address.ip}:${peer.address.port}` : "";
  const via = peer.path && peer.status === "connected" ? ` via ${pathText(peer.path)}` : "";
  const reason = peer.problem ? ` (${problemText(peer.problem)})` : "";
  const standing = peer.standing === "requested" ? "wants to be your friend" : peer.standing;
  return `${peer.status}${where}${via}${reason}\t${standing}`;
}

function formatEntry(entry: LsEntry): string {
  const date = new Date(entry.mtime).toISOString().slice(0, 10);
  return `${entry.isDir ? "d" : "-"} ${
    formatBytes(entry.size).padStart(9)
  }  ${date}  ${entry.name}${entry.isDir ? "/" : ""}\n`;
}

/** `search TERM` */
export const searchCommand: Command = {
  name: "search",
  summary:
    "Search the files of every connected peer at once, each printed as it answers (each word of TERM must begin a word of the path: 'hom' finds Homogenic).",
  usage: "search TERM [--kind audio|video|pictures|documents] [--min-size SIZE] " +
    "[--max-size SIZE] [--limit N] [--json]",
  options: {
    limit: { type: "string", arg: "N", help: "at most N results per peer (default 100)" },
    kind: {
      type: "string",
      arg: "KIND",
      help: "only files of this kind: audio, video, pictures or documents (a comma list)",
    },
    "min-size": { type: "string", arg: "SIZE", help: "only files of at least SIZE (500MB, 1GiB…)" },
    "max-size": { type: "string", arg: "SIZE", help: "only files of at most SIZE" },
    ...CONTROL_OPTIONS,
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const searchTerm = args.positionals[0]!;
    if (searchTerm.trim() === "") throw new UsageError("search: give the words to look for");
    const limit = integerValue(args, "limit") ?? 100;
    const options = { limit: Math.max(1, Math.min(limit, 5000)), ...searchFilterOptions(args) };
    const client = clientFor(args, io);
    // the shape `search --json` has always printed: the error as its message, `more` for a cursor
    const shown = (result: PeerSearchResult) =>
      result.error ? { peer: result.peer, entries: [], error: result.error.message } : {
        peer: result.peer,
        entries: result.entries.slice(0, limit),
        partial: result.partial,
        more: result.cursor !== undefined,
      };
    if (args.values.json) {
      return printJson(io, (await client.search(searchTerm, options)).results.map(shown));
    }
    // each peer as it answers: a slow one does not hold back the others
    let peers = 0;
    for await (const found of client.searchStream(searchTerm, options)) {
      const result = shown(found);
      peers++;
      io.stdout(
        `${result.peer.name}: ${
          "error" in result
            ? `error: ${result.error}`
            : `${result.entries.length} found${result.more ? " (more: use ls --search)" : ""}`
        }\n`,
      );
      for (const entry of result.entries) io.stdout(`  ${formatEntry(entry)}`);
    }
    if (peers === 0) io.stderr("No peer is connected.\n");
    return 0;
  },
};

/** `--kind`, `--min-size` and `--max-size` of `search`, checked as the API checks them. */
function searchFilterOptions(args: Parameters<Command["run"]>[0]): SearchFilter {
  const kind = stringValue(args, "kind");
  const size = (flag: string) => {
    const text = stringValue(args, flag);
    if (text === undefined) return undefined;
    try {
      return parseSize(text);
    } catch (error) {
      throw new UsageError(`--${flag}: ${(error as Error).message}`);
    }
  };
  try {
    return parseSearchFilter({
      ...(kind === undefined ? {} : { kinds: kind.split(",").map((k) => k.trim()) }),
      minSize: size("min-size"),
      maxSize: size("max-size"),
    });
  } catch (error) {
    throw new UsageError(`search: ${(error as Error).message}`);
  }
}
