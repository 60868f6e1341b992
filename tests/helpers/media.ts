/**
 * Debian's `ffmpeg` and `mpv` as a real media player's view of the stream API: ffmpeg makes songs,
 * videos and pictures, mpv plays them from a URL, seeking as players do (with Range requests).
 */

/** Guards against a hung child, never a measure of speed. */
const CHILD_LIMIT_MS = 30_000;

/** What a finished run of a media tool said. */
export interface MediaRun {
  code: number;
  /** stdout and stderr together: mpv writes its messages to both. */
  output: string;
}

/**
 * Why the media tests cannot run here, or undefined when the tools are installed
 * (`options.tools`, default ffmpeg and mpv).
 */
export function mediaToolsMissing(options: { tools?: string[] } = {}): string | undefined {
  const missing = (options.tools ?? ["ffmpeg", "mpv"]).filter((tool) => {
    try {
      return !new Deno.Command(tool, { args: ["-version"], stdout: "null", stderr: "null" })
        .outputSync().success;
    } catch {
      return true;
    }
  });
  return missing.length === 0
    ? undefined
    : `no ${missing.join(" or ")} command (apt-get install -y ffmpeg mpv)`;
}

/**
 * Writes a sine tone of `seconds` at `path`, encoded by its extension (`.mp3`, `.ogg`…);
 * `options.frequency` in Hz, default 440.
 */
export async function makeTone(
  path: string,
  seconds: number,
  options: { frequency?: number } = {},
): Promise<void> {
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=${options.frequency ?? 440}:duration=${seconds}`,
    path,
  ]);
}

/** Writes a test picture with a tone of `seconds` as a WebM (VP8 and Opus) at `path`. */
export async function makeVideo(path: string, seconds: number): Promise<void> {
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `testsrc=duration=${seconds}:size=320x240:rate=15`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=220:duration=${seconds}`,
    "-c:v",
    "libvpx",
    "-deadline",
    "realtime",
    "-b:v",
    "300k",
    "-c:a",
    "libopus",
    path,
  ]);
}

/** Writes a one-colour picture of `size` pixels square at `path`, encoded by its extension. */
export async function makePicture(path: string, size: number): Promise<void> {
  await ffmpeg(["-f", "lavfi", "-i", `color=c=orange:s=${size}x${size}`, "-frames:v", "1", path]);
}

/**
 * Plays `url` with mpv without video or sound output, from `start` for `length` seconds, and
 * prints where playback began as `HDP-START=<seconds>` (mpv's own property, once it is playing).
 */
export function playWithMpv(url: string, start: string, length: number): Promise<MediaRun> {
  return media("mpv", [
    "--no-config",
    "--vo=null",
    "--ao=null",
    `--start=${start}`,
    `--length=${length}`,
    "--term-playing-msg=HDP-START=${=time-pos}",
    url,
  ]);
}

/**
 * Runs ffmpeg with `args` (quiet, overwriting), throwing with its output when it fails.
 * `options.limitMs` bounds the run (default 30 s; a long film takes minutes).
 */
export async function ffmpeg(args: string[], options: { limitMs?: number } = {}): Promise<void> {
  const run = await media("ffmpeg", ["-loglevel", "error", "-y", ...args], options.limitMs);
  if (run.code !== 0) throw new Error(`ffmpeg failed:\n${run.output}`);
}

async function media(
  command: string,
  args: string[],
  limitMs = CHILD_LIMIT_MS,
): Promise<MediaRun> {
  const output = await new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(limitMs),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    output: decoder.decode(output.stdout) + decoder.decode(output.stderr),
  };
}
