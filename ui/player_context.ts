/** The one player of the app, as rows and the player bar reach it: {@link usePlayer}. */
import { createContext, type RefObject } from "preact";
import { useContext } from "preact/hooks";
import type { LsEntry } from "../src/api/light.ts";
import type { PlayerQueue } from "./player_queue.ts";

/** A Play pressed on a row. */
export interface PlayRequest {
  /** The peer's key. */
  peer: string;
  peerName: string;
  /** The file's path at the peer. */
  path: string;
  /**
   * Its folder's entries when the screen has them all (Browse); otherwise the player lists the
   * folder itself.
   */
  siblings?: readonly LsEntry[] | undefined;
}

/** What the media element said about itself. */
export type MediaReport = "progress" | "play" | "pause" | "ended" | "error";

/** The player: its queue, its one media element, and what can be done with them. */
export interface Player {
  readonly queue: PlayerQueue | undefined;
  /** Set when the current track could not be played (the peer left, a format the browser lacks). */
  readonly failed: boolean;
  /** The one `<video>` element (it plays songs too), rendered by the player bar. */
  readonly media: RefObject<HTMLVideoElement>;
  /** Plays a file, queueing its folder; on the file that plays already, pauses or goes on. */
  play(request: PlayRequest): void;
  /** Pauses or goes on. */
  toggle(): void;
  /** Next (`1`) or Previous (`-1`). */
  skip(step: 1 | -1): void;
  /** Moves playback to `seconds` into the track. */
  seek(seconds: number): void;
  /** Stops and empties the queue: the bar goes away. */
  close(): void;
  /** The media element's events, passed on by the bar. */
  report(event: MediaReport): void;
}

/** The context object; {@link usePlayer} is the way to read it. */
export const PlayerState = createContext<Player | undefined>(undefined);

/** The app's player; only inside the shell. */
export function usePlayer(): Player {
  const player = useContext(PlayerState);
  if (!player) throw new Error("usePlayer is used outside the app shell");
  return player;
}
