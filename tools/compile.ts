/**
 * Builds the single-file binary with `deno compile`, with the same permission flags as
 * `deno task start` (a test keeps the two equal). Usage:
 *   deno task compile [--target TRIPLE] [--output PATH]
 */
import { parseArgs } from "node:util";

/**
 * The flags of the program, as `deno task start` has them: V8's young generation capped at 2 MiB
 * a half (by default it grows to tens of MiB under a download's garbage: 30-90 MiB more peak RSS
 * per daemon, for no speed), then the permissions of the main thread, which the engine worker
 * narrows further.
 */
export const RUN_FLAGS = [
  "--v8-flags=--max-semi-space-size=2",
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-sys=networkInterfaces",
];

/** Modules the binary loads at run time that static analysis does not see. */
export const INCLUDES = ["src/cli/engine_worker.ts", "src/downloads/small_file_worker.ts"];

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { target: { type: "string" }, output: { type: "string" } },
  });
  const args = [
    "compile",
    ...RUN_FLAGS,
    // deno.json's "unstable" list applies too; naming them keeps the binary independent of it
    "--unstable-kv",
    "--unstable-net",
    "--unstable-worker-options",
    // request.signal aborts only when the client goes away (a stream withdraws its Read then)
    "--unstable-no-legacy-abort",
    ...INCLUDES.flatMap((i) => ["--include", i]),
    ...(values.target ? ["--target", values.target] : []),
    "--output",
    values.output ?? "dist/harddrive-party",
    "main.ts",
  ];
  console.error(`deno ${args.join(" ")}`);
  const { code } = await new Deno.Command(Deno.execPath(), { args, stdin: "null" }).spawn().status;
  Deno.exit(code);
}
