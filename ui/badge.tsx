/** @jsxImportSource preact */
/** A small coloured label for a state: connected, downloading, failed, friend… */
import type { JSX } from "preact";

/** The colours a badge comes in. */
export type Tone = "good" | "busy" | "idle" | "bad";

const TONES: Record<string, Tone> = {
  connected: "good",
  done: "good",
  friend: "good",
  "in-force": "good",
  uploading: "busy",
  downloading: "busy",
  connecting: "busy",
  requested: "busy",
  queued: "idle",
  paused: "idle",
  disconnected: "idle",
  known: "idle",
  failed: "bad",
  blocked: "bad",
};

/** A state's badge; its tone follows from the state's name, its text is `label` or the name. */
export function Badge(
  { state, label, testid }: { state: string; label?: string; testid?: string },
): JSX.Element {
  return (
    <span class={`badge badge-${TONES[state] ?? "idle"}`} data-testid={testid}>
      {label ?? state}
    </span>
  );
}
