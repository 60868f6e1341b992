/** @jsxImportSource preact */
/**
 * The player at the bottom of every screen: the one media element (a video shows above the bar,
 * in a panel that grows), the cover, the title and the peer, the controls and the seek bar.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { useApp } from "./context.ts";
import { formatClock } from "./format.ts";
import { CloseIcon, NextIcon, PauseIcon, PlayIcon, PreviousIcon } from "./icons.tsx";
import { basename } from "./paths.ts";
import { usePlayer } from "./player_context.ts";
import { canSkip, currentTrack, type PlayerQueue, type Track } from "./player_queue.ts";

/** The player bar; hidden (its element kept) while nothing is queued. */
export function PlayerBar(): JSX.Element {
  const player = usePlayer();
  const { queue } = player;
  const track = currentTrack(queue);
  const [large, setLarge] = useState(false);
  const report = player.report;
  return (
    <section class="player" hidden={!track} aria-label="Player" data-testid="player">
      <div
        class={large ? "player-video large" : "player-video"}
        hidden={track?.kind !== "video"}
        data-testid="player-video"
      >
        <video
          ref={player.media}
          playsInline
          preload="auto"
          data-testid="player-media"
          onTimeUpdate={() => report("progress")}
          onDurationChange={() => report("progress")}
          onLoadedMetadata={() => report("progress")}
          onPlay={() => report("play")}
          onPause={() => report("pause")}
          onEnded={() => report("ended")}
          onError={() => report("error")}
        />
        <button
          type="button"
          class="quiet player-size"
          aria-expanded={large}
          onClick={() => setLarge(!large)}
          data-testid="player-size"
        >
          {large ? "Smaller" : "Larger"}
        </button>
      </div>
      {queue && track && <Controls queue={queue} track={track} />}
    </section>
  );
}

function Controls({ queue, track }: { queue: PlayerQueue; track: Track }): JSX.Element {
  const player = usePlayer();
  const { client } = useApp();
  const title = basename(track.path);
  return (
    <div class="player-bar">
      {track.kind === "audio" && queue.cover && (
        <img
          class="player-cover"
          src={client.peerReadUrl(track.peer, queue.cover)}
          alt=""
          data-testid="player-cover"
        />
      )}
      <div class="grow player-what">
        <span class="title" aria-live="polite" data-testid="player-title">{title}</span>
        <span class="sub" data-testid="player-peer">
          {track.peerName}
          {queue.tracks.length > 1 && ` · ${queue.index + 1} of ${queue.tracks.length}`}
          {player.failed && (
            <>
              {" · "}
              <span class="warn" role="alert">Cannot play this file</span>
            </>
          )}
        </span>
      </div>
      <div class="player-buttons">
        <button
          type="button"
          class="control"
          aria-label="Previous track"
          disabled={!canSkip(queue, -1)}
          onClick={() => player.skip(-1)}
          data-testid="player-previous"
        >
          <PreviousIcon />
        </button>
        <button
          type="button"
          class="control control-main"
          aria-label={queue.paused ? `Play ${title}` : `Pause ${title}`}
          onClick={player.toggle}
          data-testid="player-toggle"
        >
          {queue.paused ? <PlayIcon /> : <PauseIcon />}
        </button>
        <button
          type="button"
          class="control"
          aria-label="Next track"
          disabled={!canSkip(queue, 1)}
          onClick={() => player.skip(1)}
          data-testid="player-next"
        >
          <NextIcon />
        </button>
        <button
          type="button"
          class="control"
          aria-label="Close the player"
          onClick={player.close}
          data-testid="player-close"
        >
          <CloseIcon />
        </button>
      </div>
      <SeekBar queue={queue} title={title} />
    </div>
  );
}

function SeekBar({ queue, title }: { queue: PlayerQueue; title: string }): JSX.Element {
  const player = usePlayer();
  const where = formatClock(queue.position);
  const length = formatClock(queue.duration);
  return (
    <div class="player-seek">
      <span class="sub mono" data-testid="player-position">{where}</span>
      <input
        type="range"
        min={0}
        max={queue.duration ?? 0}
        step="any"
        value={queue.position}
        disabled={queue.duration === undefined}
        aria-label={`Seek in ${title}`}
        aria-valuetext={`${where} of ${length}`}
        onInput={(event) => player.seek(Number(event.currentTarget.value))}
        data-testid="player-seek"
      />
      <span class="sub mono" data-testid="player-duration">{length}</span>
    </div>
  );
}
