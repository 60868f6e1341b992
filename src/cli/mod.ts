/** The command line: picks the command, parses its flags, runs it, and maps errors to exit codes. */
import { HdpError, toHdpError } from "../wire/light.ts";
import { type Command, commandHelp, type Io, parseCommandArgs, UsageError } from "./command.ts";
import { infoCommand, stopCommand } from "./control.ts";
import { connectCommand, lsCommand, peersCommand, readCommand, searchCommand } from "./peers.ts";
import { sharesCommand } from "./shares.ts";
import { limitsCommand } from "./limits.ts";
import { settingsCommand } from "./settings.ts";
import {
  actionCommands,
  cancelUploadCommand,
  downloadCommand,
  transfersCommand,
} from "./transfers.ts";
import { startCommand } from "./start.ts";
import { VERSION } from "../node/light.ts";

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  startCommand,
  infoCommand,
  stopCommand,
  sharesCommand,
  connectCommand,
  peersCommand,
  lsCommand,
  searchCommand,
  readCommand,
  downloadCommand,
  transfersCommand,
  limitsCommand,
  settingsCommand,
  ...actionCommands,
  cancelUploadCommand,
];

/** The default {@link Io}: the real terminal and environment. */
export const DENO_IO: Io = {
  stdout: (text) => void Deno.stdout.writeSync(new TextEncoder().encode(text)),
  stderr: (text) => void Deno.stderr.writeSync(new TextEncoder().encode(text)),
  stdoutBytes: async (bytes) => {
    let written = 0;
    while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
  },
  env: (name) => Deno.env.get(name),
  cwd: () => Deno.cwd(),
};

/** Runs the CLI with `argv` (without the program name) and returns the exit code. */
export async function main(argv: string[], io: Io = DENO_IO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(programHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    io.stdout(`harddrive-party ${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`error: unknown command "${name}"\n\n${programHelp()}`);
    return 2;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args.values.help) {
      io.stdout(commandHelp(command));
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\nUsage: harddrive-party ${command.usage}\n`);
      io.stderr(`Run "harddrive-party ${command.name} --help" for all options.\n`);
      return 2;
    }
    // Anything else (a file system or permission error from Deno) still gets one clean line.
    const coded = error instanceof HdpError ? error : toHdpError(error);
    io.stderr(`error: ${coded.message} [${coded.code}]\n`);
    return 1;
  }
}

function programHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `harddrive-party ${VERSION}: share directories with friends, peer to peer.`,
    "",
    "Usage: harddrive-party <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    'Run "harddrive-party <command> --help" for a command\'s options.',
    "",
  ].join("\n");
}

// The CLI's face for other folders
export { spawnEngineWorker } from "./supervisor.ts";
