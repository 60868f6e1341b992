/** Transfer rates as people write them: `5MB/s`, `500 KiB/s`, `2M`, `0` or `unlimited`. */
import { bytesIn } from "./byte_units.ts";
import { hdpError } from "./errors.ts";

/** The highest rate accepted: 100 GB/s (faster is no limit at all). */
export const MAX_RATE = 100 * 1000 ** 3;

/**
 * Bytes a second from a rate: a number with an optional unit (`k`, `KB`, `KiB`, `M`, `MB`, `MiB`,
 * `G`…, decimal or binary as written) and an optional `/s`; `0`, `off`, `none` and `unlimited`
 * mean no limit (0). Throws `BAD_REQUEST` saying what it expected.
 */
export function parseRate(text: string): number {
  const t = text.trim().toLowerCase();
  if (["0", "off", "none", "unlimited"].includes(t)) return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*?)(?:\/s|ps)?$/.exec(t);
  const bytes = m ? bytesIn(m[1]!, m[2]!) : undefined;
  if (bytes === undefined) {
    throw hdpError("BAD_REQUEST", `Not a rate: "${text}" (try 5MB/s, 500KiB/s or unlimited)`);
  }
  return checkRate(bytes, text);
}

/**
 * A rate in the decimal units people type (`5 MB/s`, `500 KB/s`, `1.05 MB/s`), or `unlimited`
 * for 0: what `parseRate` reads back as the same number, to three significant digits.
 */
export function formatRate(bytesPerSecond: number): string {
  if (bytesPerSecond === 0) return "unlimited";
  const [unit, size] = bytesPerSecond >= 1e9
    ? ["GB", 1e9]
    : bytesPerSecond >= 1e6
    ? ["MB", 1e6]
    : bytesPerSecond >= 1e3
    ? ["KB", 1e3]
    : ["B", 1];
  return `${Number((bytesPerSecond / (size as number)).toPrecision(3))} ${unit}/s`;
}

/** A rate given as a number (the API): whole bytes a second, 0 for none, at most {@link MAX_RATE}. */
export function checkRate(value: unknown, what = String(value)): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > MAX_RATE) {
    throw hdpError("BAD_REQUEST", `Not a rate: ${what} (whole bytes a second, 0 for no limit)`);
  }
  return value;
}
