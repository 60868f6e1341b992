/**
 * Transfer rates and limits for people, in the decimal units people type into a limit (`5 MB/s`
 * is 5,000,000 bytes a second, as `parseRate` reads it); pure functions, no DOM.
 */
import {
  formatBytesPerSecond,
  HdpError,
  hdpError,
  type Limits,
  parseRate,
} from "../src/api/light.ts";

/** Units a limit is written back in, largest first: decimal before binary of the same order. */
const EXACT: readonly [string, number][] = [
  ["GiB", 1024 ** 3],
  ["GB", 1e9],
  ["MiB", 1024 ** 2],
  ["MB", 1e6],
  ["KiB", 1024],
  ["kB", 1e3],
];

/** A rate, rounded for reading: `1.2 MB/s`, `512 kB/s`, `0 B/s` (the CLI prints the same). */
export const formatRate = formatBytesPerSecond;

/** A limit: its rate, or `unlimited` for 0. */
export function limitText(bytesPerSecond: number): string {
  return bytesPerSecond === 0 ? "unlimited" : formatRate(bytesPerSecond);
}

/** What moves against what may: `1.2 MB/s of 5 MB/s`, or `1.2 MB/s, unlimited`. */
export function rateAgainstLimit(rate: number, limit: number): string {
  return limit === 0
    ? `${formatRate(rate)}, unlimited`
    : `${formatRate(rate)} of ${formatRate(limit)}`;
}

/**
 * A limit as the text of its input, exact so that saving it unchanged changes nothing: `5 MB/s`,
 * `1.5 MiB/s`, `1234567 B/s`, or `unlimited` for 0.
 */
export function rateInputText(bytesPerSecond: number): string {
  if (bytesPerSecond === 0) return "unlimited";
  for (const [unit, size] of EXACT) {
    const hundredths = (bytesPerSecond * 100) / size;
    if (bytesPerSecond >= size && Number.isInteger(hundredths)) {
      return `${hundredths / 100} ${unit}/s`;
    }
  }
  return `${bytesPerSecond} B/s`;
}

/**
 * The rate typed into the input `what` (`5MB/s`, `unlimited`…), in bytes a second; throws the
 * `BAD_REQUEST` of `parseRate` with the input's name in front: `Upload limit: Not a rate: …`.
 */
export function readRate(text: string, what: string): number {
  try {
    return parseRate(text);
  } catch (error) {
    if (error instanceof HdpError) throw hdpError(error.code, `${what}: ${error.message}`);
    throw error;
  }
}

/** A peer's caps in a few words: `none`, `1 MB/s` (both ways), `↑ 1 MB/s · ↓ unlimited`. */
export function capText(caps: Limits | undefined): string {
  if (!caps || (caps.upload === 0 && caps.download === 0)) return "none";
  if (caps.upload === caps.download) return formatRate(caps.upload);
  return `↑ ${limitText(caps.upload)} · ↓ ${limitText(caps.download)}`;
}

/** One decimal below 100, none above; no trailing `.0`. */
