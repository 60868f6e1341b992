/**
 * Amounts of bytes as people write them: a number and an optional unit, decimal (`k`, `KB`, `M`,
 * `MB`, …) or binary (`Ki`, `KiB`, `MiB`, …) as written, any case. Sizes and rates share it.
 */
import { hdpError } from "./errors.ts";

const DECIMAL = ["k", "m", "g", "t"];

/** Unit (lower case, as written) → bytes. */
const UNITS: Record<string, number> = Object.fromEntries([
  ["", 1],
  ["b", 1],
  ...DECIMAL.flatMap((prefix, i) => {
    const decimal = 1000 ** (i + 1);
    const binary = 1024 ** (i + 1);
    return [[prefix, decimal], [`${prefix}b`, decimal], [`${prefix}i`, binary], [
      `${prefix}ib`,
      binary,
    ]];
  }),
]);

/** `number` times `unit` (as written, any case), in whole bytes; undefined for an unknown unit. */
export function bytesIn(number: string, unit: string): number | undefined {
  const factor = UNITS[unit.toLowerCase()];
  return factor === undefined ? undefined : Math.round(Number(number) * factor);
}

/** A size as people type it: `500MB`, `1.5 GiB`, `700k`, or bytes. Throws `BAD_REQUEST`. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const bytes = m ? bytesIn(m[1]!, m[2]!) : undefined;
  if (bytes === undefined || !Number.isSafeInteger(bytes)) {
    throw hdpError("BAD_REQUEST", `Not a size: "${text}" (try 500MB, 1.5GiB or 700k)`);
  }
  return bytes;
}
