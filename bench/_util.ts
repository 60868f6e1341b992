import { createHash } from "node:crypto";
import { join } from "node:path";
/** Helpers shared by the benchmarks. */

/** What /proc says of a process's memory, in MiB: resident now and at its peak (VmHWM). */
export interface MemoryMiB {
  rss: number;
  peak: number;
}

/** The memory of process `pid` (default this one), from /proc; NaN where /proc is missing. */
export function memoryMiB(pid: number | "self" = "self"): MemoryMiB {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kib = (name: string) => Number(status.match(new RegExp(`${name}:\\s+(\\d+) kB`))?.[1]);
    return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

/** Peak resident memory of this process so far (VmHWM), in MiB; NaN where /proc is missing. */
export function peakRssMiB(): number {
  return memoryMiB().peak;
}

/** The p-th percentile (0–100) of samples. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

/** A seeded pseudo-random generator (mulberry32), so trees and queries repeat run to run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rounds for printing. */
export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

/** CPU seconds (user + system) process `pid` (default this one) has used, from /proc; NaN where it is missing. */
export function cpuSeconds(pid: number | "self" = "self"): number {
  return cpuTimes(pid).cpu;
}

/** {@link cpuSeconds}, and the system part of them; NaN where /proc is missing. */
export function cpuTimes(pid: number | "self" = "self"): { cpu: number; sys: number } {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [user, sys] = [Number(fields[11]) / 100, Number(fields[12]) / 100]; // clock ticks
    return { cpu: user + sys, sys };
  } catch {
    return { cpu: NaN, sys: NaN };
  }
}

/** The sha256 of a file's contents, in hex. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk); // closes the file at the end
  return hash.digest("hex");
}

/** Writes `bytes` random bytes (not repeatable: see {@link benchFile}) to `path`; their sha256. */
export async function writeRandom(path: string, bytes: number): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path, { create: true, write: true, truncate: true });
  const chunk = new Uint8Array(1024 * 1024);
  for (let at = 0; at < bytes; at += chunk.length) {
    const piece = chunk.subarray(0, Math.min(chunk.length, bytes - at));
    for (let i = 0; i < piece.length; i += 65536) {
      crypto.getRandomValues(piece.subarray(i, i + 65536));
    }
    hash.update(piece);
    let written = 0;
    while (written < piece.length) written += await file.write(piece.subarray(written));
  }
  return hash.digest("hex");
}

/** Makes (or reuses) a file of `bytes` pseudo-random bytes at `path`. */
export async function benchFile(path: string, bytes: number): Promise<void> {
  try {
    if ((await Deno.stat(path)).size === bytes) return;
  } catch { /* not made yet */ }
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const chunk = new Uint8Array(4 * 1024 * 1024);
    const words = new Uint32Array(chunk.buffer);
    const random = seeded(bytes);
    for (let written = 0; written < bytes;) {
      for (let i = 0; i < words.length; i++) words[i] = (random() * 4294967296) >>> 0;
      const n = Math.min(chunk.length, bytes - written);
      let offset = 0;
      while (offset < n) offset += await file.write(chunk.subarray(offset, n));
      written += n;
    }
  } finally {
    file.close();
  }
}

/** Runs a benchmark helper script as a child process speaking JSON lines on stdout. */
export function spawnHelper(script: string, args: string[]): {
  process: Deno.ChildProcess;
  lines: AsyncIterator<string>;
} {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(script, import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "inherit",
    stdin: "piped",
  }).spawn();
  const lines = process.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter())
    [Symbol.asyncIterator]();
  return { process, lines };
}

function lineSplitter(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const part of parts) if (part) controller.enqueue(part);
    },
    flush(controller) {
      if (rest) controller.enqueue(rest);
    },
  });
}

/** A sha256 over every file of a tree: relative paths and contents, in name order. */
export async function treeHash(dir: string): Promise<string> {
  const hash = createHash("sha256");
  const walk = async (path: string, rel: string) => {
    const entries = (await Array.fromAsync(Deno.readDir(path))).sort((
      a,
      b,
    ) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.isDirectory) await walk(join(path, entry.name), `${rel}/${entry.name}`);
      else {hash.update(`${rel}/${entry.name}\u0000`).update(
          await Deno.readFile(join(path, entry.name)),
        );}
    }
  };
  await walk(dir, "");
  return hash.digest("hex");
}
