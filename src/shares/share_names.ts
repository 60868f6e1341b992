/** Naming shares: a share is called by its directory's basename, made unique and wire-safe. */
import { basename } from "node:path";
import { checkName } from "../wire/light.ts";

/** Picks the name for a new share at `path`, distinct from `taken` (`Music`, then `Music-2`…). */
export function nameForShare(path: string, taken: readonly string[]): string {
  const base = safeName(basename(path));
  const used = new Set(taken.map((n) => n.toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let i = 2;; i++) {
    const candidate = `${base}-${i}`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}

function safeName(raw: string): string {
  // deno-lint-ignore no-control-regex
  const cleaned = raw.replace(/[\u0000-\u001f\u007f-\u009f\\/]/g, "_").slice(0, 100);
  if (cleaned === "" || cleaned === "." || cleaned === "..") return "share";
  try {
    checkName(cleaned);
    return cleaned;
  } catch {
    return "share";
  }
}
