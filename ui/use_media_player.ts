/**
 * The player behind the bar: the queue (a pure model, player_queue.ts) applied to one media
 * element, which streams each track from the peer through the read API (nothing is downloaded).
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ApiClient } from "../src/api/light.ts";
import { folderEntries } from "./folder_entries.ts";
import { basename, dirname } from "./paths.ts";
import type { MediaReport, Player, PlayRequest } from "./player_context.ts";
import {
  currentTrack,
  isCurrent,
  type PlayerQueue,
  playKind,
  progress,
  seek,
  setPaused,
  skip,
  startQueue,
  trackEnded,
  withFolder,
} from "./player_queue.ts";

type Change = (queue: PlayerQueue | undefined) => PlayerQueue | undefined;

/** The app's one player, for {@link PlayerState}; `client` makes the stream URLs. */
export function useMediaPlayer(client: ApiClient): Player {
  const media = useRef<HTMLVideoElement>(null);
  const [queue, setQueue] = useState<PlayerQueue | undefined>(undefined);
  const [failedStart, setFailedStart] = useState<number | undefined>(undefined);
  // the queue as of now, for changes made in event handlers between renders
  const now = useRef<PlayerQueue | undefined>(undefined);
  const clientNow = useRef(client);
  clientNow.current = client;

  const player = useMemo<Omit<Player, "queue" | "failed">>(() => {
    const commit = (change: Change) => {
      const before = now.current;
      const after = change(before);
      if (after === before) return;
      now.current = after;
      setQueue(after);
      const element = media.current;
      if (!element) return;
      if (!after) unload(element);
      // in the handler of the click itself, where a browser lets a page start playing
      else if (after.starts !== before?.starts) load(element, after);
    };
    const load = (element: HTMLVideoElement, next: PlayerQueue) => {
      const track = currentTrack(next);
      if (!track) return;
      setFailedStart(undefined);
      element.src = clientNow.current.peerReadUrl(track.peer, track.path);
      element.play().catch((error: unknown) => {
        // a newer load interrupts this one (AbortError); a refusal leaves it paused
        if (error instanceof DOMException && error.name === "NotAllowedError") {
          commit((q) => q && setPaused(q, true));
        }
      });
    };
    const listFolder = (peer: string, path: string) => {
      folderEntries(clientNow.current, { peer, path }).then(
        (entries) => commit((q) => q && withFolder(q, { peer, path, entries })),
        () => {}, // the file plays alone
      );
    };
    const toggle = () => {
      const element = media.current;
      if (!element || !now.current) return;
      if (element.paused) element.play().catch(() => {});
      else element.pause();
    };
    const play = (request: PlayRequest) => {
      const kind = playKind(request.path);
      if (!kind) return;
      if (isCurrent(now.current, request.peer, request.path)) return toggle();
      const track = { peer: request.peer, peerName: request.peerName, path: request.path, kind };
      const entries = request.siblings;
      commit((q) => startQueue(track, { ...(entries ? { entries } : {}), after: q }));
      if (!entries) listFolder(request.peer, dirname(request.path));
    };
    const seekTo = (seconds: number) => {
      const element = media.current;
      if (!element || !now.current) return;
      element.currentTime = seconds;
      commit((q) => q && seek(q, seconds));
    };
    const report = (event: MediaReport) => {
      const element = media.current;
      if (!element) return;
      if (event === "progress") {
        const where = { position: element.currentTime, duration: element.duration };
        commit((q) => q && progress(q, where));
      } else if (event === "play" || event === "pause") {
        commit((q) => q && setPaused(q, event === "pause"));
      } else if (event === "ended") {
        commit((q) => q && trackEnded(q));
      } else if (now.current && element.getAttribute("src")) {
        setFailedStart(now.current.starts);
        commit((q) => q && setPaused(q, true));
      }
    };
    return {
      media,
      play,
      toggle,
      skip: (step) => commit((q) => q && skip(q, step)),
      seek: seekTo,
      close: () => commit(() => undefined),
      report,
    };
  }, []);

  useOnlyOnePlaying(media);
  useMediaSession(queue, player, client);
  return { ...player, queue, failed: queue !== undefined && failedStart === queue.starts };
}

/** Another media element of the page starting (a preview) pauses the player, and the reverse. */
function useOnlyOnePlaying(media: { current: HTMLVideoElement | null }): void {
  useEffect(() => {
    const onPlay = (event: Event) => {
      const element = media.current;
      if (!element || !(event.target instanceof HTMLMediaElement)) return;
      if (event.target !== element) element.pause();
      else {
        for (const other of document.querySelectorAll("audio, video")) {
          if (other !== element) (other as HTMLMediaElement).pause();
        }
      }
    };
    // media events do not bubble: listen as they go down
    document.addEventListener("play", onPlay, true);
    return () => document.removeEventListener("play", onPlay, true);
  }, []);
}

/** The title, the peer and the cover on the lock screen and media keys, where the browser has them. */
function useMediaSession(
  queue: PlayerQueue | undefined,
  player: Pick<Player, "skip">,
  client: ApiClient,
): void {
  const track = currentTrack(queue);
  const cover = queue?.cover;
  useEffect(() => {
    if (!("mediaSession" in navigator)) return;
    const session = navigator.mediaSession;
    if (!track) {
      session.metadata = null;
      return;
    }
    session.metadata = new MediaMetadata({
      title: basename(track.path),
      artist: track.peerName,
      album: basename(dirname(track.path)),
      artwork: cover ? [{ src: client.peerReadUrl(track.peer, cover) }] : [],
    });
    session.setActionHandler("nexttrack", () => player.skip(1));
    session.setActionHandler("previoustrack", () => player.skip(-1));
  }, [track, cover, client]);
}

function unload(element: HTMLVideoElement): void {
  element.pause();
  element.removeAttribute("src");
  element.load(); // drops the stream: the peer stops sending
}
