/**
 * `deno task bench [NAME…] [-- FLAGS]`: runs the named benchmarks of this folder one after the
 * other, each in its own process (as users run the daemon: nothing shared between runs), passing
 * FLAGS on; without a name it lists them with the first line of their doc comment.
 *
 *   deno task bench                      the list
 *   deno task bench index transfer       bench/index_bench.ts, then bench/transfer_bench.ts
 *   deno task bench index -- --files 1000000
 */
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));

/** The benchmarks here: `NAME_bench.ts` and `NAME_soak.ts`, by name. */
function benchmarks(): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of Deno.readDirSync(HERE)) {
    const match = entry.name.match(/^(\w+?)_(bench|soak)\.ts$/);
    if (entry.isFile && match) found.set(match[1]!, join(HERE, entry.name));
  }
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}

function summary(path: string): string {
  const text = Deno.readTextFileSync(path);
  const doc = text.match(/\/\*\*\s*\n?\s*\*?\s*(.+)/);
  return doc?.[1]?.trim() ?? "";
}

async function main(args: string[]): Promise<number> {
  const split = args.indexOf("--");
  const names = split < 0 ? args : args.slice(0, split);
  const flags = split < 0 ? [] : args.slice(split + 1);
  const all = benchmarks();
  if (names.length === 0) {
    for (const [name, path] of all) console.log(`${name.padEnd(16)} ${summary(path)}`);
    return 0;
  }
  const unknown = names.filter((n) => !all.has(n));
  if (unknown.length) {
    console.error(
      `error: no benchmark named ${unknown.join(", ")}; known: ${[...all.keys()].join(", ")}`,
    );
    return 2;
  }
  for (const name of names) {
    const path = all.get(name)!;
    console.log(`\n== ${basename(path)} ${flags.join(" ")}`);
    const status = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", path, ...flags],
      stdout: "inherit",
      stderr: "inherit",
    }).spawn().status;
    if (!status.success) return status.code || 1;
  }
  return 0;
}

Deno.exit(await main(Deno.args));
