/** `shares list|add|rm`: what this node shares. */
import { formatBytes, problemText } from "../api/light.ts";
import { resolve } from "node:path";
import { type Command, CONTROL_OPTIONS, UsageError } from "./command.ts";
import { clientFor, printJson } from "./control.ts";

/** `shares` */
export const sharesCommand: Command = {
  name: "shares",
  summary: "List, add or remove shared directories (adding or removing restarts the engine).",
  usage: "shares [list] | shares add DIR | shares rm NAME   [--json]",
  options: CONTROL_OPTIONS,
  positionals: { min: 0, max: 2 },
  async run(args, io) {
    const [action = "list", operand] = args.positionals;
    const client = clientFor(args, io);
    const json = args.values.json === true;
    switch (action) {
      case "list": {
        if (operand !== undefined) {
          throw new UsageError(`shares list: unexpected argument "${operand}"`);
        }
        const shares = await client.shares();
        if (json) return printJson(io, shares);
        if (shares.length === 0) {
          io.stdout("Nothing is shared. Add a directory with: harddrive-party shares add DIR\n");
        }
        for (const s of shares) {
          const state = s.scanning
            ? `scanning, ${s.scannedFiles} files so far`
            : `${s.files} files`;
          const error = s.problem ? `  error: ${problemText(s.problem)}` : "";
          io.stdout(`${s.name}\t${formatBytes(s.bytes)}\t${state}\t${s.path}${error}\n`);
        }
        return 0;
      }
      case "add": {
        if (operand === undefined) throw new UsageError("shares add: missing DIR");
        // The daemon's working directory is not ours: send an absolute path.
        const result = await client.addShare(resolve(io.cwd(), operand));
        if (json) return printJson(io, result);
        io.stdout(
          `Sharing ${result.share.path} as "${result.share.name}" (the engine restarts to apply it).\n`,
        );
        return 0;
      }
      case "rm":
      case "remove": {
        if (operand === undefined) throw new UsageError("shares rm: missing NAME");
        const result = await client.removeShare(operand);
        if (json) return printJson(io, result);
        io.stdout(`Stopped sharing "${result.share.name}" (${result.share.path}).\n`);
        return 0;
      }
      default:
        throw new UsageError(`shares: unknown action "${action}" (use list, add or rm)`);
    }
  },
};
