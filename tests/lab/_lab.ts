/**
 * Helpers for Deno tests that drive the namespace lab (lab.sh): a skip reason computed up front,
 * a lab with its own HDP_LAB_ID, and running Deno scripts inside its namespaces.
 *
 * HDP_LAB_DENO_CONFIG, when set, is passed as `--config` to the Deno processes in the namespaces.
 */
import { fileURLToPath as fromFileUrl } from "node:url";

const LAB_SH = fromFileUrl(new URL("./lab.sh", import.meta.url));
const REPO = fromFileUrl(new URL("../../", import.meta.url));

/** Why the lab cannot run on this host, or undefined when it can. */
export async function labSkipReason(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return "the lab needs Linux network namespaces";
  if (Deno.uid() !== 0) return "the lab needs root (ip netns)";
  try {
    const check = await new Deno.Command("bash", { args: [LAB_SH, "check"], stdout: "null" })
      .output();
    if (!check.success) {
      return new TextDecoder().decode(check.stderr).trim() || "lab.sh check failed";
    }
  } catch (error) {
    return `cannot run lab.sh: ${error instanceof Error ? error.message : error}`;
  }
  return undefined;
}

/** One row of a lab's report: a scenario, what success means there, what happened. */
export interface LabRow {
  scenario: string;
  expected: string;
  ok: boolean;
  result: string;
}

/** Prints the rows as a Markdown table under `title` and writes it to `path`. */
export async function writeLabReport(title: string, rows: LabRow[], path: string): Promise<void> {
  const report =
    `## ${title}\n\n| scenario | success means | result | ok |\n| --- | --- | --- | --- |\n` +
    rows.map((r) => `| ${r.scenario} | ${r.expected} | ${r.result} | ${r.ok ? "yes" : "NO"} |`)
      .join("\n") +
    "\n";
  console.log("\n" + report);
  await Deno.writeTextFile(path, report);
}

/** The namespaces of lab `labId` still there after it was torn down ("" when none). */
export async function namespacesLeft(labId: string): Promise<string> {
  const out = await new Deno.Command("ip", { args: ["netns", "list"] }).output();
  return new TextDecoder().decode(out.stdout).split("\n")
    .filter((line) => line.startsWith(`hdp${labId}-`)).join("\n");
}

/** One lab, with a random id so that tests running in parallel do not meet. */
export class Lab implements AsyncDisposable {
  readonly id: string;

  constructor(prefix: string) {
    this.id = (prefix + Math.random().toString(36).slice(2)).slice(0, 4);
  }

  /** Runs `lab.sh ARGS` and returns its `key=value` lines, one record per line. */
  async run(...args: string[]): Promise<Record<string, string>[]> {
    const out = await new Deno.Command("bash", {
      args: [LAB_SH, ...args],
      env: { HDP_LAB_ID: this.id },
      signal: AbortSignal.timeout(60_000),
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      throw new Error(`lab.sh ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
    }
    return text.split("\n").filter((line) => line.includes("=")).map((line) =>
      Object.fromEntries(
        line.trim().split(/\s+/).map((pair) => {
          const at = pair.indexOf("=");
          return [pair.slice(0, at), pair.slice(at + 1)];
        }),
      )
    );
  }

  /** Runs a Deno script of this repo inside namespace `ns` and parses its last stdout line. */
  async deno(ns: string, script: string, args: string[], timeoutMs = 30_000): Promise<unknown> {
    const config = Deno.env.get("HDP_LAB_DENO_CONFIG");
    const out = await new Deno.Command("ip", {
      args: [
        ...["netns", "exec", ns, Deno.execPath(), "run", "-A"],
        ...(config ? ["--config", config] : []),
        script,
        ...args,
      ],
      cwd: REPO,
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    const stdout = new TextDecoder().decode(out.stdout).trim();
    const stderr = new TextDecoder().decode(out.stderr).trim();
    if (!out.success) throw new Error(`${script} in ${ns} failed (${out.code}): ${stderr}`);
    const last = stdout.split("\n").pop() ?? "";
    try {
      return JSON.parse(last);
    } catch {
      throw new Error(`${script} in ${ns} printed no JSON: ${stdout} ${stderr}`);
    }
  }

  /** Tears the lab down: no namespaces, processes or files left. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.run("down");
  }
}
