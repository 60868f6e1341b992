/**
 * The counts of transfers at once, pure: which a node starts with (flag, saved, default), and the
 * check of a change to them.
 */
import { hdpError } from "../wire/light.ts";
import type { TransferCounts } from "./node_info.ts";

/** The keys of {@link TransferCounts}, with the `start` flag of each. */
export const TRANSFER_FLAGS: Record<keyof TransferCounts, string> = {
  uploadSlots: "--upload-slots",
  downloadsPerPeer: "--downloads-per-peer",
  maxDownloads: "--max-downloads",
};

/** The most of each count. */
export const MAX_COUNT = 1000;

/**
 * The counts a node starts with: a flag given to `start` first, then what was saved, then the
 * default (`config`, which holds the flag or the default). Pure.
 */
export function startingTransfers(
  config: TransferCounts,
  given: Partial<TransferCounts>,
  saved: Partial<TransferCounts> | undefined,
): TransferCounts {
  const pick = (key: keyof TransferCounts) =>
    given[key] !== undefined ? config[key] : saved?.[key] ?? config[key];
  return {
    uploadSlots: pick("uploadSlots"),
    downloadsPerPeer: pick("downloadsPerPeer"),
    maxDownloads: pick("maxDownloads"),
  };
}

/**
 * Checks a change of counts (from the API, a settings file or the CLI): whole numbers from 1 to
 * {@link MAX_COUNT}, known keys only. Throws `BAD_REQUEST` naming the field as `nameOf` does
 * (the CLI names its flags).
 */
export function parseTransferChange(
  input: unknown,
  nameOf: (key: keyof TransferCounts) => string = (key) => `Transfers: ${key}`,
): Partial<TransferCounts> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw hdpError("BAD_REQUEST", "Transfers: expected an object of counts");
  }
  const change: Partial<TransferCounts> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!(key in TRANSFER_FLAGS)) {
      throw hdpError(
        "BAD_REQUEST",
        `Transfers: unknown "${key}" (give ${Object.keys(TRANSFER_FLAGS).join(", ")})`,
      );
    }
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_COUNT) {
      throw hdpError(
        "BAD_REQUEST",
        `${nameOf(key as keyof TransferCounts)} must be a whole number from 1 to ${MAX_COUNT}`,
      );
    }
    change[key as keyof TransferCounts] = value as number;
  }
  return change;
}
