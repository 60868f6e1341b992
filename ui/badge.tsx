/** @jsxImportSource preact */
/** A small coloured label for a state: connected, downloading, failed… */
import type { JSX } from "preact";

/** The colours a badge comes in. */
export type Tone = "good" | "busy" | "idle" | "bad";

const TONES: Record<string, Tone> = {
  connected: "good",
  done: "good",
  uploading: "busy",
  downloading: "busy",
  connecting: "busy",
  queued: "idle",
  paused: "idle",
  disconnected: "idle",
  failed: "bad",
};

/** A state's badge; its tone follows from the state's name. */
export function Badge({ state, testid }: { state: string; testid?: string }): JSX.Element {
  return (
    <span class={`badge badge-${TONES[state] ?? "idle"}`} data-testid={testid}>
      {state}
    </span>
  );
}
