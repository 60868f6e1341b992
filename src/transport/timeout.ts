/** Giving up on a promise after a while, with a coded error of the caller's choice. */

/** What {@link withTimeout} waits for and what it throws then. */
export interface Timeout {
  /** How long to wait, in ms. */
  ms: number;
  /** The error to reject with when the time is up (called once, then). */
  error: () => Error;
}

/**
 * Settles as `promise` does, or rejects with `timeout.error()` after `timeout.ms`. The timer is
 * cleared either way; the promise itself runs on (its owner cleans it up if it lands late).
 */
export function withTimeout<T>(promise: Promise<T>, timeout: Timeout): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout.error()), timeout.ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
