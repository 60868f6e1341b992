/** @jsxImportSource preact */
/** A dot that says whether live updates are flowing. */
import type { JSX } from "preact";
import type { LinkState } from "./events.ts";

const LABELS: Record<LinkState, string> = {
  live: "Live",
  connecting: "Connecting…",
  offline: "Offline: retrying",
};

/** The event stream's state, in the header. */
export function LinkIndicator({ state }: { state: LinkState }): JSX.Element {
  return (
    <span class={`link-state link-${state}`} role="status" data-testid="link-state">
      <span class="dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
