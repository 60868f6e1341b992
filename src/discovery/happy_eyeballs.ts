/**
 * Dialling several candidates of one peer at once, the best first (RFC 8305's "happy eyeballs"):
 * each next attempt starts a short stagger after the one before, or as soon as it fails; the first
 * that connects wins and the ones that connect later are discarded.
 */
import { hdpError, messageOf } from "../wire/mod.ts";

/** One way to connect. */
export interface Race<T> {
  /** What the attempt is, for the error when every one fails. */
  label: string;
  run: () => Promise<T>;
  /**
   * Start only once every earlier attempt failed (for costly ones: the birthday paradox sends
   * thousands of packets). Default false.
   */
  patient?: boolean;
}

/** Options of {@link firstToConnect}. */
export interface FirstToConnectOptions<T> {
  /** Delay between the starts of two attempts. Default 250 ms (RFC 8305 suggests 250). */
  staggerMs?: number;
  /** Called with every connection that came in after the winner. */
  discard: (late: T) => void;
}

/**
 * Runs `races` as described above and resolves with the first connection. Rejects with the only
 * attempt's error, or `UNAVAILABLE` listing why each failed.
 */
export function firstToConnect<T>(
  races: readonly Race<T>[],
  options: FirstToConnectOptions<T>,
): Promise<T> {
  const stagger = options.staggerMs ?? 250;
  if (races.length === 0) return Promise.reject(hdpError("UNAVAILABLE", "Nothing to dial"));
  return new Promise<T>((resolve, reject) => {
    const errors: unknown[] = [];
    let started = 0;
    let failed = 0;
    let won = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (won || started >= races.length) return;
      const race = races[started]!;
      if (race.patient && failed < started) return; // waits for the earlier ones to fail
      const index = started++;
      race.run().then(
        (connection) => {
          if (won) return options.discard(connection);
          won = true;
          if (timer !== undefined) clearTimeout(timer);
          resolve(connection);
        },
        (error) => {
          errors[index] = error;
          failed++;
          if (won) return;
          if (failed === races.length) return reject(combined(races, errors));
          if (started === index + 1 || failed === started) next();
        },
      );
      if (started < races.length) timer = setTimeout(next, stagger);
    };
    next();
  });
}

function combined<T>(races: readonly Race<T>[], errors: unknown[]): unknown {
  if (races.length === 1) return errors[0];
  const why = races.map((race, i) => `${race.label}: ${messageOf(errors[i])}`).join("; ");
  return hdpError("UNAVAILABLE", `No candidate answered (${why})`);
}
