/** `shares list|add|rm`: what this node shares. */
import { type Audience, formatBytes, type PeerInfo, problemText } from "../api/light.ts";
import { resolve } from "node:path";
import { type Command, CONTROL_OPTIONS, UsageError } from "./command.ts";
import { clientFor, printJson } from "./control.ts";

/** `shares` */
export const sharesCommand: Command = {
  name: "shares",
  summary:
    "List, add or remove shared directories (adding or removing restarts the engine); set who sees each.",
  usage:
    "shares [list] | shares add DIR [--audience WHO] | shares audience NAME WHO | shares rm NAME   [--json]",
  options: {
    audience: {
      type: "string",
      arg: "WHO",
      help: "with add: friends (the default), everyone, or peers (names or keys, comma-separated)",
    },
    ...CONTROL_OPTIONS,
  },
  positionals: { min: 0, max: 3 },
  async run(args, io) {
    const [action = "list", operand, who] = args.positionals;
    if (who !== undefined && action !== "audience") {
      throw new UsageError(`shares ${action}: unexpected argument "${who}"`);
    }
    const client = clientFor(args, io);
    const json = args.values.json === true;
    switch (action) {
      case "list": {
        if (operand !== undefined) {
          throw new UsageError(`shares list: unexpected argument "${operand}"`);
        }
        const shares = await client.shares();
        if (json) return printJson(io, shares);
        const named = shares.some((s) => typeof s.audience === "object");
        const peers = named ? await client.peers() : [];
        if (shares.length === 0) {
          io.stdout("Nothing is shared. Add a directory with: harddrive-party shares add DIR\n");
        }
        for (const s of shares) {
          const state = s.scanning
            ? `scanning, ${s.scannedFiles} files so far`
            : `${s.files} files`;
          const error = s.problem ? `  error: ${problemText(s.problem)}` : "";
          const audience = `for ${audienceText(s.audience, peers)}`;
          io.stdout(
            `${s.name}\t${formatBytes(s.bytes)}\t${state}\t${s.path}\t${audience}${error}\n`,
          );
        }
        return 0;
      }
      case "add": {
        if (operand === undefined) throw new UsageError("shares add: missing DIR");
        // The daemon's working directory is not ours: send an absolute path.
        const audience = args.values.audience;
        // asked first: the engine restarts once the share is added, and answers nothing meanwhile
        const peers = json ? [] : await client.peers();
        const result = await client.addShare(
          resolve(io.cwd(), operand),
          typeof audience === "string" ? { audience } : {},
        );
        if (json) return printJson(io, result);
        const who = audienceText(result.share.audience ?? "everyone", peers);
        io.stdout(
          `Sharing ${result.share.path} as "${result.share.name}" for ${who} ` +
            "(the engine restarts to apply it).\n",
        );
        return 0;
      }
      case "audience": {
        if (operand === undefined || who === undefined) {
          throw new UsageError("shares audience: give NAME and WHO (friends, everyone or peers)");
        }
        const share = await client.setShareAudience(operand, who);
        if (json) return printJson(io, share);
        io.stdout(
          `"${share.name}" is now for ${audienceText(share.audience, await client.peers())}.\n`,
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
        throw new UsageError(`shares: unknown action "${action}" (use list, add, audience or rm)`);
    }
  },
};

/** An audience in words: named peers by their names where this node knows them. */
function audienceText(audience: Audience, peers: readonly PeerInfo[]): string {
  if (audience === "everyone") return "everyone connected";
  if (audience === "friends") return "friends";
  const name = (key: string) => peers.find((p) => p.keyHex === key)?.name ?? key.slice(0, 8);
  return audience.peers.map(name).join(", ");
}
