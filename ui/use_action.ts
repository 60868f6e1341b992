/** A change asked of the daemon from a button: whether it is under way, and how the last one failed. */
import { useCallback, useState } from "preact/hooks";
import { useApp } from "./context.ts";
import { errorCode } from "./errors.ts";

/** What {@link useAction} gives. */
export interface Action {
  /** True while a task runs: its buttons are disabled. */
  busy: boolean;
  /** Why the last task failed; undefined once one succeeds (or a new one starts). */
  error: unknown;
  /** Runs `task`, keeping its failure in `error` (a refused token shows the login screen). */
  run(task: () => Promise<void>): Promise<void>;
}

/** One action's state, for a card whose buttons change something. */
export function useAction(): Action {
  const { unauthorized } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(async (task: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await task();
    } catch (failure) {
      if (errorCode(failure) === "UNAUTHORIZED") unauthorized();
      setError(failure);
    } finally {
      setBusy(false);
    }
  }, [unauthorized]);
  return { busy, error, run };
}
