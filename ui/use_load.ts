/** Loading data from the daemon into a component, refetched when the event stream reconnects. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { useApp } from "./context.ts";
import { errorCode } from "./errors.ts";

/** What {@link useLoad} gives: the data (kept while reloading), the last error, and controls. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Fetches again. */
  reload(): void;
  /** Changes the data in place (an event arrived); no-op before the first load. */
  update(change: (data: T) => T): void;
}

/** Runs `load` on mount, when `deps` change and when the event stream reconnects. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const { epoch, unauthorized } = useApp();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const run = useRef(0);
  const lastDeps = useRef(deps);
  useEffect(() => {
    const id = ++run.current;
    if (!sameDeps(lastDeps.current, deps)) {
      // other data (another folder): do not show the old one meanwhile
      lastDeps.current = deps;
      setData(undefined);
      setError(undefined);
    }
    setLoading(true);
    load().then(
      (value) => {
        if (id !== run.current) return; // a newer load is under way
        setData(() => value);
        setError(undefined);
        setLoading(false);
      },
      (reason: unknown) => {
        if (id !== run.current) return;
        if (errorCode(reason) === "UNAUTHORIZED") unauthorized();
        setError(reason);
        setLoading(false);
      },
    );
  }, [...deps, epoch, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const update = useCallback((change: (data: T) => T) => {
    setData((current) => current === undefined ? current : change(current));
  }, []);
  return { data, error, loading, reload, update };
}

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}
