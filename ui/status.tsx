/** @jsxImportSource preact */
/** The loading, error and empty states every list shows the same way. */
import type { ComponentChildren, JSX } from "preact";
import { errorMessage } from "./errors.ts";
import type { Loaded } from "./use_load.ts";

/** A quiet "loading…" line. */
export function Loading({ label = "Loading…" }: { label?: string }): JSX.Element {
  return (
    <p class="note loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

/** A failure's message (the daemon's HdpError message), with an optional retry. */
export function ErrorNote(
  { error, onRetry }: { error: unknown; onRetry?: () => void },
): JSX.Element {
  return (
    <p class="note error" role="alert" data-testid="error">
      <span>{errorMessage(error)}</span>
      {onRetry && (
        <button type="button" class="link" onClick={onRetry}>
          Try again
        </button>
      )}
    </p>
  );
}

/** What an empty list says instead. */
export function Empty({ children }: { children: ComponentChildren }): JSX.Element {
  return <p class="note empty">{children}</p>;
}

/** A fetched list in its three states: loading (or failed), empty, or shown by `children`. */
export function ListOf<T>(
  { loaded, empty, children }: {
    loaded: Loaded<T[]>;
    empty: ComponentChildren;
    children: (items: T[]) => ComponentChildren;
  },
): JSX.Element {
  if (loaded.data === undefined) {
    return loaded.error === undefined
      ? <Loading />
      : <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  }
  if (loaded.data.length === 0) return <Empty>{empty}</Empty>;
  return <>{children(loaded.data)}</>;
}
