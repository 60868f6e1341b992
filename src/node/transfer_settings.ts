/**
 * How many transfers run at once (upload slots, downloads per peer, downloads in all), changed
 * while the daemon runs (Settings, `PUT /api/settings/transfers`) and kept in settings.json for the
 * next start. A flag given to `start` (`--upload-slots`…) wins over the saved value for that run.
 */
import type { TransferCounts } from "./node_info.ts";
import { readSettings, withSettingsLock, writeSettings } from "./settings.ts";
import { parseTransferChange } from "./transfer_counts.ts";

/** The counts in force, applied to the parts that use them and saved when changed. */
export class TransferSettings {
  readonly #storageDir: string;
  readonly #apply: (counts: TransferCounts) => void;
  #counts: TransferCounts;

  constructor(storageDir: string, counts: TransferCounts, apply: (counts: TransferCounts) => void) {
    this.#storageDir = storageDir;
    this.#counts = { ...counts };
    this.#apply = apply;
  }

  /** The counts in force. */
  get counts(): TransferCounts {
    return { ...this.#counts };
  }

  /**
   * Changes some counts (validated as {@link parseTransferChange} does): applied at once (running
   * transfers go on; fewer slots only hold back the next ones) and saved. Returns the counts.
   */
  async set(input: unknown): Promise<TransferCounts> {
    const change = parseTransferChange(input);
    await withSettingsLock(this.#storageDir, async () => {
      const settings = await readSettings(this.#storageDir);
      await writeSettings(this.#storageDir, {
        ...settings,
        transfers: { ...settings.transfers, ...change },
      });
    });
    this.#counts = { ...this.#counts, ...change };
    this.#apply(this.counts);
    return this.counts;
  }
}
