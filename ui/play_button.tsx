/** @jsxImportSource preact */
/** The Play button of a song or video row: it plays in the player bar, its folder queued. */
import type { JSX } from "preact";
import type { LsEntry } from "../src/api/light.ts";
import { PauseIcon, PlayIcon } from "./icons.tsx";
import { basename } from "./paths.ts";
import { usePlayer } from "./player_context.ts";
import { isCurrent } from "./player_queue.ts";

/** Play (Pause on the file that plays) for `entry` of `peer`; `siblings`: its whole folder, if known. */
export function PlayButton(
  { peer, peerName, entry, siblings }: {
    peer: string;
    peerName: string;
    entry: LsEntry;
    siblings?: readonly LsEntry[] | undefined;
  },
): JSX.Element {
  const player = usePlayer();
  const name = basename(entry.name);
  const playing = isCurrent(player.queue, peer, entry.name) && player.queue?.paused === false;
  return (
    <button
      type="button"
      class={playing ? "quiet play playing" : "quiet play"}
      aria-label={`${playing ? "Pause" : "Play"} ${name}`}
      onClick={() => player.play({ peer, peerName, path: entry.name, siblings })}
      data-testid={`play-${entry.name}`}
    >
      {playing ? <PauseIcon /> : <PlayIcon />}
      <span class="play-label" aria-hidden="true">{playing ? "Pause" : "Play"}</span>
    </button>
  );
}
