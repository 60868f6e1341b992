/**
 * A Deno KV store watched for damage: every call goes through unchanged (its errors still reach
 * the caller), and a corruption error seen on the way is also reported, so the node can say so in
 * `info` and move the file aside at the next start instead of failing on it forever.
 */

/**
 * What SQLite (behind Deno KV) says of a damaged file. Tried on Deno 2.9: a truncated file or one
 * with a zeroed page 2 fails `openKv` with "database disk image is malformed", a file of garbage
 * with "file is not a database"; a page zeroed deeper fails only the reads and writes that touch it
 * (a `TypeError` with the same message). The `SQLITE_*` names cover other builds that print codes.
 */
const CORRUPTION =
  /file is not a database|database disk image is malformed|SQLITE_CORRUPT|SQLITE_NOTADB/i;

/** Tells whether an error thrown by Deno KV says the file is damaged (not locked, not full). */
export function isCorruption(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return CORRUPTION.test(message);
}

/** `kv` with every call watched: `onCorrupt` hears each corruption error before the caller. */
export function observeKv(kv: Deno.Kv, onCorrupt: (error: unknown) => void): Deno.Kv {
  const report = (error: unknown) => {
    if (isCorruption(error)) onCorrupt(error);
  };
  return watched(kv, report);
}

/**
 * A proxy whose methods run on the real object (Deno's classes keep private fields, which a proxy
 * as `this` would not reach), with rejections reported; an atomic operation or a list iterator it
 * hands out is watched too, and one that returns itself (`atomic().set(…)`) returns the proxy.
 */
function watched<T extends object>(target: T, report: (error: unknown) => void): T {
  const proxy: T = new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = value.apply(t, args);
        } catch (error) {
          report(error);
          throw error;
        }
        if (result === t) return proxy;
        if (result instanceof Promise) {
          return result.catch((error) => {
            report(error);
            throw error;
          });
        }
        if (isWatchable(result)) return watched(result, report);
        return result;
      };
    },
  });
  return proxy;
}

/** An atomic operation (it commits) or a list iterator (it is iterated). */
function isWatchable(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  return "commit" in value || (Symbol.asyncIterator in value && "next" in value);
}
