/**
 * Streaming a peer's media as Chromium plays it: first audio byte after Play, a seek in a 1 GiB film, bytes fetched while seeking.
 *
 * Two daemons as users run them (`deno task start` flags, separate processes, loopback): A shares
 * a song and a film made by ffmpeg, B is the daemon whose web UI the browser opens. The browser
 * plays `GET /api/peers/A/read?path=…` on B (what the Play button plays), B reads A over QUIC.
 * Measured, medians of `--runs` (default 5):
 *
 * - first byte: from `play()` on a new audio element to its `playing` event, and the time to the
 *   first body byte of the same URL fetched by Deno (the part that is ours, without the decoder);
 *   the first play of a new browser session apart, from the peer and from B's own disk;
 * - seek: from setting `currentTime` (to 50%, 20%, 80%, 35%, 65% of the film) until playback moves
 *   on from there;
 * - bytes: what B received from A over the whole film session, against what was played (the
 *   film's bitrate × the seconds played) — no whole-file fetch.
 *
 * Targets (issue #14): first audio byte ≤ 300 ms, a seek in the middle of a 1 GiB film ≤ 500 ms,
 * bytes fetched ≤ 2× played + read-ahead. The media are made once into /tmp/hdp-stream-bench-media
 * (the 1 GiB film takes about a minute of ffmpeg). Flags: `--runs N`, `--film-mib N`.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Page } from "puppeteer-core";
import { launchBrowser } from "../tests/helpers/browser.ts";
import { ffmpeg } from "../tests/helpers/media.ts";
import { eventually, startDaemon, tempDir } from "../tests/helpers/daemon.ts";
import { fixed, percentile } from "./_util.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "5" },
    "film-mib": { type: "string", default: "1024" },
    "keyframe-s": { type: "string", default: "2" },
  },
});
const RUNS = Number(values.runs);
const FILM_MIB = Number(values["film-mib"]);
/**
 * Seconds between the film's keyframes. A seek plays from the keyframe before it, so the decoder
 * works through up to this much film first: 2 s is what streaming encodes use; x264's default
 * (250 frames, 8 s here) makes a seek cost more in the browser, whatever the stream does.
 */
const KEYFRAME_S = Number(values["keyframe-s"]);
const MEDIA = "/tmp/hdp-stream-bench-media";
/** The film's video bitrate: 1 GiB lasts about 3.5 minutes. */
const FILM_MBIT = 40;
const SONG_SECONDS = 300;
const SEEKS = [0.5, 0.2, 0.8, 0.35, 0.65];
/** How long the film plays after each seek. */
const PLAY_MS = 2000;

await Deno.mkdir(MEDIA, { recursive: true });
const song = join(MEDIA, "song.mp3");
const film = join(MEDIA, `film-${FILM_MIB}-k${KEYFRAME_S}.mp4`);
await makeMedia();
const filmBytes = (await Deno.stat(film)).size;

await using tmp = await tempDir("hdp-stream-bench-");
const share = join(tmp.path, "Media");
await Deno.mkdir(share);
await Deno.link(song, join(share, "song.mp3"));
await Deno.link(film, join(share, "film.mp4"));
await using a = await startDaemon({
  storage: join(tmp.path, "a"),
  downloadDir: join(tmp.path, "a-dl"),
  shareDirs: [share],
  audience: "everyone",
});
await using b = await startDaemon({
  storage: join(tmp.path, "b"),
  downloadDir: join(tmp.path, "b-dl"),
});
// the anchor: the same film from B's own disk, through the same server (`/files/`)
await Deno.mkdir(join(tmp.path, "b-dl", "anchor"), { recursive: true });
await Deno.link(film, join(tmp.path, "b-dl", "anchor", "film.mp4"));
await Deno.link(song, join(tmp.path, "b-dl", "anchor", "song.mp3"));
const infoA = await a.client.info();
await b.client.connect(infoA.announceAddress);
await eventually(async () => {
  const page = await b.client.peerLs(infoA.publicKey, { path: "Media" }).catch(() => undefined);
  return page?.entries.some((e) => e.name === "Media/film.mp4") ? page : undefined;
}, 60_000);
const url = (path: string) => b.client.peerReadUrl(infoA.publicKey, path);

// the time to the first body byte, as Deno's fetch sees it
const ttfb: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const began = performance.now();
  const response = await fetch(url("Media/song.mp3"));
  if (!response.ok) {
    throw new Error(`the stream answered ${response.status}: ${await response.text()}`);
  }
  const reader = response.body!.getReader();
  await reader.read();
  ttfb.push(performance.now() - began);
  await reader.cancel();
}

// the first body byte of a range in the middle of the film (what a seek asks of us)
const rangeTtfb: number[] = [];
for (const at of SEEKS) {
  const began = performance.now();
  const response = await fetch(url("Media/film.mp4"), {
    headers: { range: `bytes=${Math.floor(filmBytes * at)}-` },
  });
  const reader = response.body!.getReader();
  await reader.read();
  rangeTtfb.push(performance.now() - began);
  await reader.cancel();
}

const browserArgs = ["--autoplay-policy=no-user-gesture-required"];
// The first play of a browser session costs Chromium far more than the next ones (its audio
// pipeline starts): each new browser plays once, in turn from the peer and from B's own disk.
const sessionFirst = { peer: [] as number[], local: [] as number[] };
for (let run = 0; run < Math.min(RUNS, 3); run++) {
  for (const from of ["peer", "local"] as const) {
    await using fresh = await launchBrowser({ args: browserArgs });
    const freshPage = await fresh.newPage();
    await freshPage.goto(`http://${b.uiAddress}/#home`);
    const src = from === "peer"
      ? url("Media/song.mp3")
      : `http://${b.uiAddress}/files/anchor/song.mp3?`;
    sessionFirst[from].push(await playAudio(freshPage, src));
  }
}

await using browser = await launchBrowser({ args: browserArgs });
const page = await browser.newPage();
await page.goto(`http://${b.uiAddress}/#home`);

const firstPlay: number[] = [];
for (let run = 0; run < RUNS; run++) firstPlay.push(await playAudio(page, url("Media/song.mp3")));

const before = (await b.client.bandwidth()).totals.download;
const film_ = await seekFilm(page, url("Media/film.mp4"));
await new Promise((resolve) => setTimeout(resolve, 1000)); // reads cancelled by the last pause end
const fetched = (await b.client.bandwidth()).totals.download - before;
const played = film_.playedSeconds * (filmBytes / film_.duration);
const local = await seekFilm(page, `http://${b.uiAddress}/files/anchor/film.mp4`);

const mib = (bytes: number) => `${fixed(bytes / 2 ** 20)} MiB`;
const ms = (samples: number[]) =>
  `median ${fixed(percentile(samples, 50), 0)} ms (${samples.map((s) => fixed(s, 0)).join(", ")})`;
console.log(`
## Streaming (bench/stream_bench.ts, ${new Date().toISOString().slice(0, 10)})

| measure | target | result |
| --- | --- | --- |
| first audio byte after play() (\`playing\` event) | ≤ 300 ms | ${ms(firstPlay)} |
| the first play of a browser session, from the peer | — | ${ms(sessionFirst.peer)} |
| the first play of a browser session, from B's own disk (\`/files/\`): the browser's part | — | ${
  ms(sessionFirst.local)
} |
| first body byte of the stream, Deno fetch | — | ${ms(ttfb)} |
| seek in a ${
  mib(filmBytes)
} film (a keyframe every ${KEYFRAME_S} s) until playback moves on | ≤ 500 ms | ${ms(film_.seekMs)} |
| the same seeks in the same film from B's own disk (\`/files/\`): the browser's part | — | ${
  ms(local.seekMs)
} |
| first body byte of a range at the seek positions, Deno fetch | — | ${ms(rangeTtfb)} |
| bytes B fetched over ${SEEKS.length} seeks and ${
  fixed(film_.playedSeconds)
} s played | ≤ 2× played + read-ahead | ${mib(fetched)} fetched, ${mib(played)} played: ${
  fixed(fetched / played)
}× (${fixed((fetched / filmBytes) * 100)}% of the file) |
`);

/** Plays a new audio element of `src`; ms from play() to its `playing` event. */
async function playAudio(page: Page, src: string): Promise<number> {
  return await page.evaluate(async (src: string) => {
    const doc = (globalThis as unknown as {
      document: { createElement(t: string): MediaLike; body: { append(e: unknown): void } };
    }).document;
    const audio = doc.createElement("audio");
    audio.preload = "none"; // nothing fetched before Play, as in the player bar
    audio.src = `${src}&n=${Math.random()}`;
    doc.body.append(audio);
    const playing = new Promise<number>((resolve) =>
      audio.addEventListener("playing", () => resolve(performance.now()), { once: true })
    );
    const began = performance.now();
    await audio.play();
    const at = await playing;
    audio.pause();
    audio.removeAttribute("src");
    audio.load();
    audio.remove();
    return at - began;

    interface MediaLike {
      preload: string;
      src: string;
      play(): Promise<void>;
      pause(): void;
      load(): void;
      remove(): void;
      removeAttribute(name: string): void;
      addEventListener(type: string, listener: () => void, options?: { once: boolean }): void;
    }
  }, src);
}

/** Plays the film, seeks to each of {@link SEEKS}, plays a moment after each. */
async function seekFilm(
  page: Page,
  src: string,
): Promise<{ seekMs: number[]; playedSeconds: number; duration: number }> {
  return await page.evaluate(
    async (src: string, seeks: number[], playMs: number) => {
      const doc = (globalThis as unknown as {
        document: { createElement(t: string): VideoLike; body: { append(e: unknown): void } };
      }).document;
      const video = doc.createElement("video");
      video.muted = true;
      video.preload = "metadata";
      video.src = src;
      doc.body.append(video);
      const once = (type: string) =>
        new Promise<void>((resolve) =>
          video.addEventListener(type, () => resolve(), { once: true })
        );
      const movedOn = (from: number) =>
        new Promise<void>((resolve) => {
          const check = () => {
            if (video.currentTime > from + 0.05 && !video.seeking) {
              video.removeEventListener("timeupdate", check);
              resolve();
            }
          };
          video.addEventListener("timeupdate", check);
        });
      const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      await once("loadedmetadata");
      let playedSeconds = 0;
      let start = 0;
      await video.play();
      await movedOn(0);
      await wait(playMs);
      playedSeconds += video.currentTime - start;
      const seekMs: number[] = [];
      for (const at of seeks) {
        const to = video.duration * at;
        const began = performance.now();
        video.currentTime = to;
        await movedOn(to);
        seekMs.push(performance.now() - began);
        start = video.currentTime;
        await wait(playMs);
        playedSeconds += video.currentTime - start;
      }
      video.pause();
      const duration = video.duration;
      video.removeAttribute("src");
      video.load();
      video.remove();
      return { seekMs, playedSeconds, duration };

      interface VideoLike {
        muted: boolean;
        preload: string;
        src: string;
        currentTime: number;
        duration: number;
        seeking: boolean;
        play(): Promise<void>;
        pause(): void;
        load(): void;
        remove(): void;
        removeAttribute(name: string): void;
        addEventListener(type: string, listener: () => void, options?: { once: boolean }): void;
        removeEventListener(type: string, listener: () => void): void;
      }
    },
    src,
    SEEKS,
    PLAY_MS,
  );
}

/** Makes the song and the film with ffmpeg, once. */
async function makeMedia(): Promise<void> {
  if (!await exists(song)) {
    await ffmpeg([
      ...["-f", "lavfi", "-i", `sine=frequency=440:duration=${SONG_SECONDS}`],
      ...["-b:a", "192k", song],
    ]);
  }
  if (!await exists(film)) {
    const seconds = Math.round((FILM_MIB * 8 * 1.048576) / FILM_MBIT);
    console.error(`making a ${FILM_MIB} MiB film (${seconds} s at ${FILM_MBIT} Mbit/s)…`);
    await ffmpeg([
      ...["-f", "lavfi", "-i", `testsrc2=size=1280x720:rate=30:duration=${seconds}`],
      ...["-f", "lavfi", "-i", `sine=frequency=220:duration=${seconds}`],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
      ...["-g", String(KEYFRAME_S * 30)],
      ...["-b:v", `${FILM_MBIT}M`, "-minrate", `${FILM_MBIT}M`, "-maxrate", `${FILM_MBIT}M`],
      ...["-bufsize", `${FILM_MBIT / 4}M`, "-x264-params", "nal-hrd=cbr:force-cfr=1"],
      ...["-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", film],
    ], { limitMs: 30 * 60_000 });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).size > 0;
  } catch {
    return false;
  }
}
