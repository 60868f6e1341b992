/**
 * Commands about transfers: `download`, `transfers`, `pause`, `resume`, `cancel`, `retry`, `front`,
 * and `cancel-upload`.
 */
import {
  type BandwidthStatus,
  DOWNLOAD_ACTIONS,
  type DownloadAction,
  type DownloadItem,
  formatBytes,
  formatBytesPerSecond,
  formatDate,
  type HistoryEntry,
  problemText,
  type UploadInfo,
  waitingText,
} from "../api/light.ts";
import { type Command, CONTROL_OPTIONS, type Io, UsageError } from "./command.ts";
import { clientFor, printJson } from "./control.ts";
import { splitPeerPath } from "./peers.ts";
import { rateText, speedText } from "./limits.ts";

/** `download PEER/PATH` */
export const downloadCommand: Command = {
  name: "download",
  summary: "Download a file or a folder of a peer (queued; survives restarts).",
  usage: "download PEER/PATH [--json]",
  options: CONTROL_OPTIONS,
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const [peer, path] = splitPeerPath(args.positionals[0]!);
    const item = await clientFor(args, io).download(peer, path);
    if (args.values.json) return printJson(io, item);
    io.stdout(
      `Queued ${item.peer.name}/${item.path} (id ${item.id.slice(0, 8)}) → ${item.localPath}\n`,
    );
    return 0;
  },
};

/** `transfers` */
export const transfersCommand: Command = {
  name: "transfers",
  summary:
    "Show downloads and uploads, live (or --once, --json); --history: what finished, with whom; clear: forget finished downloads.",
  usage: "transfers [clear] [--once] [--history] [--json]",
  options: {
    once: { type: "boolean", help: "print once and exit" },
    history: { type: "boolean", help: "print the finished transfers, newest first, and exit" },
    ...CONTROL_OPTIONS,
  },
  positionals: { min: 0, max: 1 },
  async run(args, io) {
    const [action] = args.positionals;
    if (action !== undefined && action !== "clear") {
      throw new UsageError(`transfers: unknown subcommand "${action}" (use clear)`);
    }
    const client = clientFor(args, io);
    if (action === "clear") {
      const cleared = await client.clearDownloads();
      if (args.values.json) return printJson(io, cleared);
      io.stdout(`Forgot ${cleared.removed.length} finished downloads (their files stay)\n`);
      return 0;
    }
    if (args.values.history) {
      const history = await client.history();
      if (args.values.json) return printJson(io, history);
      io.stdout(renderHistory(history));
      return 0;
    }
    if (args.values.json) {
      const [downloads, uploads, bandwidth] = await Promise.all([
        client.downloads(),
        client.uploads(),
        client.bandwidth(),
      ]);
      return printJson(io, { downloads, uploads, bandwidth });
    }
    let lines = 0;
    for (;;) {
      const [downloads, uploads, bandwidth] = await Promise.all([
        client.downloads(),
        client.uploads(),
        client.bandwidth(),
      ]);
      const screen = render(downloads, uploads, bandwidth);
      // redraw in place: move up over the previous frame and clear it
      io.stdout((lines > 0 ? `\x1b[${lines}F\x1b[J` : "") + screen);
      lines = screen.split("\n").length - 1;
      if (args.values.once) return 0;
      await new Promise((r) => setTimeout(r, 1000));
    }
  },
};

function actionCommand(action: DownloadAction, summary: string): Command {
  return {
    name: action,
    summary,
    usage: `${action} ID [--json]   (an id prefix from "transfers" is enough)`,
    options: CONTROL_OPTIONS,
    positionals: { min: 1, max: 1 },
    async run(args, io) {
      const client = clientFor(args, io);
      const id = resolveId(io, await client.downloads(), args.positionals[0]!);
      if (id === undefined) return 1;
      const item = await client.downloadAction(id, action);
      if (args.values.json) return printJson(io, item);
      io.stdout(`${item.peer.name}/${item.path}: ${item.state}\n`);
      return 0;
    },
  };
}

/** What each action's command does, for its help. */
const ACTION_SUMMARIES: Record<DownloadAction, string> = {
  pause: "Pause a download (its partial files stay).",
  resume: "Resume a paused download.",
  cancel: "Cancel a download and delete its partial files.",
  retry: "Retry the failed files of a download.",
  front: "Move a download to the front of the queue.",
};

/** One command per download action (`pause`, `resume`, `cancel`, `retry`, `front`), in order. */
export const actionCommands: Command[] = DOWNLOAD_ACTIONS.map((action) =>
  actionCommand(action, ACTION_SUMMARIES[action])
);

/** `cancel-upload ID`: stops an upload to a peer; the peer's download of that file fails. */
export const cancelUploadCommand: Command = {
  name: "cancel-upload",
  summary: "Cancel an upload to a peer: its download of that file stops, and is not retried.",
  usage: `cancel-upload ID [--json]   (an upload's id prefix from "transfers" is enough)`,
  options: CONTROL_OPTIONS,
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const client = clientFor(args, io);
    const uploads = await client.uploads();
    const id = resolveId(io, uploads, args.positionals[0]!, "upload");
    if (id === undefined) return 1;
    const answer = await client.cancelUpload(id);
    if (args.values.json) return printJson(io, answer);
    const upload = uploads.find((u) => u.id === id)!;
    io.stdout(`cancelled the upload of ${upload.path} to ${upload.peer.name}\n`);
    return 0;
  },
};

function resolveId(
  io: Io,
  items: Array<{ id: string }>,
  prefix: string,
  noun = "download",
): string | undefined {
  const matches = items.filter((i) => i.id.startsWith(prefix));
  if (matches.length === 1) return matches[0]!.id;
  io.stderr(
    matches.length === 0
      ? `error: no ${noun} "${prefix}" [NOT_FOUND]\n`
      : `error: "${prefix}" matches ${matches.length} ${noun}s [CONFLICT]\n`,
  );
  return undefined;
}

/** One screen of the live view. */
export function render(
  downloads: DownloadItem[],
  uploads: UploadInfo[],
  bandwidth?: BandwidthStatus,
): string {
  const out: string[] = [];
  if (bandwidth) {
    const { rates, inForce } = bandwidth;
    const of = (n: number) => (n === 0 ? "" : ` of ${rateText(n)}`);
    const by = inForce.schedule ? ` (schedule "${inForce.schedule}")` : "";
    out.push(
      `↑ ${speedText(rates.upload)}${of(inForce.upload)}  ` +
        `↓ ${speedText(rates.download)}${of(inForce.download)}${by}`,
    );
  }
  out.push(downloads.length ? "Downloads" : "No downloads.");
  for (const d of downloads) {
    const pct = d.bytes > 0
      ? Math.floor((100 * d.bytesDone) / d.bytes)
      : d.state === "done"
      ? 100
      : 0;
    const bar = progressBar(pct);
    const where = d.waitingForPeer
      ? ` ${waitingText(d)}`
      : d.queuePosition
      ? ` #${d.queuePosition} in queue`
      : d.remotePosition
      ? ` #${d.remotePosition} at peer`
      : "";
    const rate = d.state === "downloading"
      ? ` ${formatBytesPerSecond(d.speed)}${d.eta !== undefined ? ` ETA ${eta(d.eta)}` : ""}`
      : "";
    out.push(
      `${d.id.slice(0, 8)} ${bar} ${String(pct).padStart(3)}% ${
        d.state.padEnd(11)
      } ${d.peer.name}/${d.path}` +
        ` ${formatBytes(d.bytesDone)}/${
          formatBytes(d.bytes)
        } ${d.filesDone}/${d.files} files${rate}${where}` +
        (d.problem && d.state !== "downloading" ? ` (${problemText(d.problem)})` : ""),
    );
  }
  if (uploads.length) out.push("Uploads");
  for (const u of uploads) {
    const pct = u.bytes > 0 ? Math.floor((100 * u.bytesDone) / u.bytes) : 0;
    const where = u.position ? ` #${u.position} in queue` : ` ${formatBytesPerSecond(u.speed)}`;
    out.push(
      `${u.id.slice(0, 8)} ${progressBar(pct)} ${String(pct).padStart(3)}% ${
        u.state.padEnd(11)
      } → ${u.peer.name} ${u.path}${where}`,
    );
  }
  return out.join("\n") + "\n";
}

/** The history, a line each: `↓ 2026-05-01 14:03  1.2 GiB  Music/Jazz (120 files) from Peer`. */
export function renderHistory(history: HistoryEntry[]): string {
  if (history.length === 0) return "No finished transfers yet.\n";
  return [...history].sort((a, b) => b.at - a.at).map((h) => {
    const down = h.direction === "download";
    const files = h.files !== undefined ? ` (${h.files} file${h.files === 1 ? "" : "s"})` : "";
    return `${down ? "↓" : "↑"} ${formatDate(h.at)} ${
      formatBytes(h.bytes).padStart(9)
    }  ${h.path}${files} ${down ? "from" : "to"} ${h.peer.name}\n`;
  }).join("");
}

function progressBar(pct: number): string {
  const filled = Math.round(pct / 5);
  return `[${"#".repeat(filled)}${".".repeat(20 - filled)}]`;
}

function eta(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
  }
  return `${Math.floor(seconds / 3600)}h${String(Math.floor(seconds / 60) % 60).padStart(2, "0")}m`;
}
