/** `settings`: what can change while the daemon runs, shown or set (transfers at once). */
import type { TransferCounts } from "../api/light.ts";
import { MAX_COUNT, parseTransferChange, TRANSFER_FLAGS } from "../node/light.ts";
import { type Command, CONTROL_OPTIONS, integerValue, UsageError } from "./command.ts";
import { clientFor, printJson } from "./control.ts";

const KEYS = Object.keys(TRANSFER_FLAGS) as (keyof TransferCounts)[];
const RANGE = `(1 to ${MAX_COUNT})`;

/** `settings [--upload-slots N] [--downloads-per-peer N] [--max-downloads N]` */
export const settingsCommand: Command = {
  name: "settings",
  summary: "Show or change the transfers at once, applied now and kept for the next start.",
  usage: "settings [--upload-slots N] [--downloads-per-peer N] [--max-downloads N] [--json]",
  options: {
    "upload-slots": { type: "string", arg: "N", help: `large uploads at once ${RANGE}` },
    "downloads-per-peer": {
      type: "string",
      arg: "N",
      help: `files downloaded at once from one peer ${RANGE}`,
    },
    "max-downloads": {
      type: "string",
      arg: "N",
      help: `files downloaded at once in all ${RANGE}`,
    },
    ...CONTROL_OPTIONS,
  },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const given: Partial<TransferCounts> = {};
    for (const key of KEYS) {
      const n = integerValue(args, TRANSFER_FLAGS[key].slice(2));
      if (n !== undefined) given[key] = n;
    }
    // the daemon checks them too; checked here, a mistake is a usage error before any request
    let change: Partial<TransferCounts>;
    try {
      change = parseTransferChange(given, (key) => TRANSFER_FLAGS[key]);
    } catch (error) {
      throw new UsageError((error as Error).message);
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
