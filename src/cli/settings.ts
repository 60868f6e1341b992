/** `settings`: what can change while the daemon runs, shown or set (transfers at once). */
import type { TransferCounts } from "../api/light.ts";
import { type Command, CONTROL_OPTIONS, integerValue, UsageError } from "./command.ts";
import { clientFor, printJson } from "./control.ts";

const FLAGS = {
  "upload-slots": "uploadSlots",
  "downloads-per-peer": "downloadsPerPeer",
  "max-downloads": "maxDownloads",
} as const;

/** `settings [--upload-slots N] [--downloads-per-peer N] [--max-downloads N]` */
export const settingsCommand: Command = {
  name: "settings",
  summary: "Show or change the transfers at once, applied now and kept for the next start.",
  usage: "settings [--upload-slots N] [--downloads-per-peer N] [--max-downloads N] [--json]",
  options: {
    "upload-slots": { type: "string", arg: "N", help: "large uploads at once (1 to 1000)" },
    "downloads-per-peer": {
      type: "string",
      arg: "N",
      help: "files downloaded at once from one peer (1 to 1000)",
    },
    "max-downloads": {
      type: "string",
      arg: "N",
      help: "files downloaded at once in all (1 to 1000)",
    },
    ...CONTROL_OPTIONS,
  },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const change: Partial<TransferCounts> = {};
    for (const [flag, key] of Object.entries(FLAGS)) {
      const n = integerValue(args, flag);
      if (n === undefined) continue;
      if (n < 1 || n > 1000) throw new UsageError(`--${flag}: expected 1 to 1000, got ${n}`);
      change[key] = n;
    }
    const client = clientFor(args, io);
    const counts = Object.keys(change).length > 0
      ? await client.setTransfers(change)
      : (await client.info()).transfers;
    if (args.values.json) return printJson(io, counts);
    io.stdout(
      `Large uploads at once:           ${counts.uploadSlots}\n` +
        `Downloads at once from one peer: ${counts.downloadsPerPeer}\n` +
        `Downloads at once in all:        ${counts.maxDownloads}\n`,
    );
    return 0;
  },
};
