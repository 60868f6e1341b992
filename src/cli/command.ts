/** The shape of a CLI command, and parsing its arguments with `node:util` parseArgs. */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** Where a command writes; tests capture these. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Raw bytes to stdout (the `read` command). */
  stdoutBytes?(bytes: Uint8Array): Promise<void>;
  env(name: string): string | undefined;
  cwd(): string;
}

/** Parsed arguments handed to a command. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** One CLI command. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The usage line(s) after `harddrive-party`. */
  usage: string;
  /** The options, each with a help text. */
  options: Record<string, ParseArgsOptionsConfig[string] & { help: string; arg?: string }>;
  /** How many positional arguments the command takes. */
  positionals: { min: number; max: number };
  run(args: Parsed, io: Io): Promise<number>;
}

/** Raised for bad command lines: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Parses `argv` for `command`, throwing {@link UsageError} with a one-line reason. */
export function parseCommandArgs(command: Command, argv: string[]): Parsed {
  const options: ParseArgsOptionsConfig = {};
  for (const [name, { help: _help, arg: _arg, ...config }] of Object.entries(command.options)) {
    options[name] = config;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(cleanParseError(error));
  }
  const { min, max } = command.positionals;
  if (!parsed.values.help) {
    if (parsed.positionals.length < min) {
      throw new UsageError(`${command.name}: missing argument`);
    }
    if (parsed.positionals.length > max) {
      throw new UsageError(
        `${command.name}: unexpected argument "${parsed.positionals[max]}"`,
      );
    }
  }
  return parsed as Parsed;
}

/** The help text of one command. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: harddrive-party ${command.usage}`, "", command.summary, "", "Options:"];
  const width = Math.max(
    ...Object.entries(command.options).map(([n, o]) => optionLabel(n, o).length),
  );
  for (const [name, option] of Object.entries(command.options)) {
    lines.push(`  ${optionLabel(name, option).padEnd(width)}  ${option.help}`);
  }
  return lines.join("\n") + "\n";
}

/** The value of a string option, or undefined. */
export function stringValue(args: Parsed, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}

/** The values of a multiple string option. */
export function stringValues(args: Parsed, name: string): string[] {
  const value = args.values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Parses a non-negative integer option, throwing {@link UsageError} naming it. */
export function integerValue(args: Parsed, name: string): number | undefined {
  const text = stringValue(args, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${name}: expected a whole number, got "${text}"`);
  }
  return Number(text);
}

/** Turns a coded BAD_REQUEST from deeper code into a usage error. */
export function usageFrom(error: unknown): never {
  if (error instanceof Error && "code" in error && error.code === "BAD_REQUEST") {
    throw new UsageError(error.message);
  }
  throw error;
}

function optionLabel(
  name: string,
  option: { type: string; short?: string | undefined; arg?: string | undefined },
): string {
  const short = option.short ? `-${option.short}, ` : "    ";
  const arg = option.type === "string" ? ` ${option.arg ?? "VALUE"}` : "";
  return `${short}--${name}${arg}`;
}

function cleanParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // node's messages carry a hint after ". " that names its own API; keep the first sentence
  return message.split(/\. (?:To specify|Did you)/)[0]!.replace(/\.$/, "");
}

/** Shared by every command that talks to a running daemon. */
export const CONTROL_OPTIONS = {
  "ui-address": {
    type: "string",
    arg: "HOST:PORT",
    help: "where the daemon's control API listens (default 127.0.0.1:3030, or HDP_UI_ADDRESS)",
  },
  token: {
    type: "string",
    arg: "TOKEN",
    help: "API token, needed when the daemon listens beyond loopback (or HDP_TOKEN)",
  },
  json: { type: "boolean", help: "print one JSON document, for scripts" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies Command["options"];
