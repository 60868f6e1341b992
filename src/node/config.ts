/**
 * The node's configuration: what `start` was asked for, with the platform defaults filled in.
 * Pure: the environment and platform come in as arguments, so it is tested without touching either.
 */
import { join, resolve } from "node:path";
import type { LogLevel } from "../log.ts";
import { hdpError } from "../wire/light.ts";
import { ACCEPT_POLICIES, type AcceptPolicy, DEFAULT_ACCEPT } from "../transport/light.ts";
import { type Audience, parseAudience } from "./audience.ts";
import { parseRate } from "../wire/light.ts";

/** The control API's default address: loopback only. */
export const DEFAULT_UI_ADDRESS = "127.0.0.1:3030";

/** A host and port, as given by `--ui-address` or `--stun-server`. */
export interface HostPort {
  hostname: string;
  port: number;
}

/** Everything the engine needs to run; plain data, so it crosses `postMessage` to the worker. */
export interface NodeConfig {
  /** Directories shared on the command line (absolute). Shares added at run time live in settings. */
  shareDirs: string[];
  downloadDir: string;
  storageDir: string;
  ui: HostPort;
  /** UDP port for QUIC; undefined picks one once and remembers it in storage. */
  port: number | undefined;
  /** STUN servers as HOST:PORT; empty means the built-in list. */
  stunServers: string[];
  stun: boolean;
  mdns: boolean;
  /** Ask the router to forward the QUIC port (PCP, NAT-PMP, UPnP-IGD); `--no-port-mapping`. */
  portMapping: boolean;
  logLevel: LogLevel;
  /** Large uploads served at once; the rest queue fairly. */
  uploadSlots: number;
  /** Files downloaded at once from one peer. */
  downloadsPerPeer: number;
  /** Files downloaded at once in all. */
  maxDownloads: number;
  /** Which of the three counts above were given as flags (they win over saved ones). */
  transferFlags?: Partial<Pick<NodeConfig, "uploadSlots" | "downloadsPerPeer" | "maxDownloads">>;
  /** Who may connect at all (`--accept`); default {@link DEFAULT_ACCEPT}. */
  accept?: AcceptPolicy;
  /** Ask peers not to pass this node on (`--no-gossip-me`). */
  unlisted?: boolean;
  /** Relay circuits between two peers this node is connected to (`--relay on|off`); default on. */
  relay?: boolean;
  /** Relayed bytes a second at most, both ways together (`--relay-rate`; 0: only the upload limit). */
  relayRate?: number;
  /** The audience of the shares given with `--share-dir` (`--audience`); default friends. */
  shareAudience?: Audience;
  /** `--max-upload` / `--max-download`, bytes a second (0: none); absent: as last set. */
  maxUpload?: number;
  maxDownload?: number;
}

/** Relayed bytes a second by default: a friend's transfer goes through, a NAS is no free transit. */
export const RELAY_RATE = 10_000_000;

/** The defaults of the transfer limits. */
export const LIMITS = { uploadSlots: 3, downloadsPerPeer: 8, maxDownloads: 16 } as const;

/** What the environment tells the defaults. */
export interface Platform {
  os: typeof Deno.build.os;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** The flags of `start`, as parsed. */
export interface StartFlags {
  shareDirs: string[];
  downloadDir?: string | undefined;
  storage?: string | undefined;
  uiAddress?: string | undefined;
  port?: string | undefined;
  stunServers: string[];
  noStun: boolean;
  noMdns: boolean;
  noPortMapping?: boolean;
  logLevel: LogLevel;
  uploadSlots?: string | undefined;
  downloadsPerPeer?: string | undefined;
  maxDownloads?: string | undefined;
  accept?: string | undefined;
  noGossipMe?: boolean;
  relay?: string | undefined;
  relayRate?: string | undefined;
  audience?: string | undefined;
  maxUpload?: string | undefined;
  maxDownload?: string | undefined;
}

/** Fills in the defaults for `start` and validates every value, throwing `BAD_REQUEST` errors. */
export function resolveConfig(flags: StartFlags, platform: Platform): NodeConfig {
  const abs = (path: string) => resolve(platform.cwd, expandHome(path, platform));
  return {
    shareDirs: [...new Set(flags.shareDirs.map(abs))],
    downloadDir: abs(flags.downloadDir ?? defaultDownloadDir(platform)),
    storageDir: abs(flags.storage ?? defaultStorageDir(platform)),
    ui: parseHostPort(flags.uiAddress ?? DEFAULT_UI_ADDRESS, "--ui-address"),
    port: flags.port === undefined ? undefined : parsePort(flags.port, "--port"),
    stunServers: flags.stunServers.map((s) => {
      parseHostPort(s, "--stun-server");
      return s;
    }),
    stun: !flags.noStun,
    mdns: !flags.noMdns,
    portMapping: flags.noPortMapping !== true,
    logLevel: flags.logLevel,
    uploadSlots: parseCount(flags.uploadSlots, "--upload-slots", LIMITS.uploadSlots),
    downloadsPerPeer: parseCount(
      flags.downloadsPerPeer,
      "--downloads-per-peer",
      LIMITS.downloadsPerPeer,
    ),
    maxDownloads: parseCount(flags.maxDownloads, "--max-downloads", LIMITS.maxDownloads),
    transferFlags: {
      ...(flags.uploadSlots === undefined
        ? {}
        : { uploadSlots: parseCount(flags.uploadSlots, "--upload-slots", 1) }),
      ...(flags.downloadsPerPeer === undefined
        ? {}
        : { downloadsPerPeer: parseCount(flags.downloadsPerPeer, "--downloads-per-peer", 1) }),
      ...(flags.maxDownloads === undefined
        ? {}
        : { maxDownloads: parseCount(flags.maxDownloads, "--max-downloads", 1) }),
    },
    accept: parseAccept(flags.accept),
    unlisted: flags.noGossipMe === true,
    relay: parseOnOff(flags.relay, "--relay", true),
    relayRate: flags.relayRate === undefined
      ? RELAY_RATE
      : rateFlag(flags.relayRate, "--relay-rate"),
    ...(flags.audience === undefined ? {} : { shareAudience: parseStartAudience(flags.audience) }),
    ...(flags.maxUpload === undefined
      ? {}
      : { maxUpload: rateFlag(flags.maxUpload, "--max-upload") }),
    ...(flags.maxDownload === undefined
      ? {}
      : { maxDownload: rateFlag(flags.maxDownload, "--max-download") }),
  };
}

function rateFlag(text: string, flag: string): number {
  try {
    return parseRate(text);
  } catch (error) {
    throw hdpError("BAD_REQUEST", `${flag}: ${(error as Error).message}`);
  }
}

function parseOnOff(text: string | undefined, flag: string, byDefault: boolean): boolean {
  if (text === undefined) return byDefault;
  if (text !== "on" && text !== "off") {
    throw hdpError("BAD_REQUEST", `${flag}: expected on or off, got "${text}"`);
  }
  return text === "on";
}

function parseAccept(text: string | undefined): AcceptPolicy {
  if (text === undefined) return DEFAULT_ACCEPT;
  if (!ACCEPT_POLICIES.includes(text as AcceptPolicy)) {
    throw hdpError("BAD_REQUEST", `--accept: expected friends, known or everyone, got "${text}"`);
  }
  return text as AcceptPolicy;
}

/** `start --audience`: before the node runs there are no peer names, so named peers are keys. */
function parseStartAudience(text: string): Audience {
  const t = text.trim();
  try {
    return parseAudience(t === "friends" || t === "everyone" ? t : { peers: t.split(",") });
  } catch {
    throw hdpError(
      "BAD_REQUEST",
      `--audience: expected friends, everyone or peer keys (64 hex digits, comma-separated), got "${text}"`,
    );
  }
}

function parseCount(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 1000)) {
    throw hdpError("BAD_REQUEST", `${flag}: expected 1 to 1000, got "${text}"`);
  }
  return n;
}

/** The platform's data directory for harddrive-party (XDG on Linux). */
export function defaultStorageDir(platform: Platform): string {
  const { env, os } = platform;
  if (os === "windows") {
    const local = env.LOCALAPPDATA ?? env.APPDATA ?? join(homeDir(platform), "AppData", "Local");
    return join(local, "harddrive-party");
  }
  const home = homeDir(platform);
  if (os === "darwin") return join(home, "Library", "Application Support", "harddrive-party");
  const xdg = env.XDG_DATA_HOME;
  // XDG says a relative XDG_DATA_HOME is invalid and must be ignored
  return join(xdg && xdg.startsWith("/") ? xdg : join(home, ".local", "share"), "harddrive-party");
}

/** `~/Downloads/harddrive-party` on every platform. */
export function defaultDownloadDir(platform: Platform): string {
  return join(homeDir(platform), "Downloads", "harddrive-party");
}

/** Parses `HOST:PORT`, `[IPV6]:PORT` or `:PORT`; throws `BAD_REQUEST` naming `flag`. */
export function parseHostPort(text: string, flag: string): HostPort {
  const match = text.match(/^\[([0-9a-fA-F:.%\w]+)\]:(\d+)$/) ?? text.match(/^([^:\s]*):(\d+)$/);
  if (!match) throw hdpError("BAD_REQUEST", `${flag}: expected HOST:PORT, got "${text}"`);
  return { hostname: match[1] || "127.0.0.1", port: parsePort(match[2]!, flag) };
}

/** Formats a host and port for URLs and messages, bracketing IPv6. */
export function formatHostPort({ hostname, port }: HostPort): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

function parsePort(text: string, flag: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw hdpError("BAD_REQUEST", `${flag}: port must be 0 to 65535, got "${text}"`);
  }
  return port;
}

function homeDir({ env, os }: Pick<Platform, "os" | "env">): string {
  const home = os === "windows" ? env.USERPROFILE ?? env.HOME : env.HOME;
  if (!home) throw hdpError("BAD_REQUEST", "Cannot find the home directory: set HOME or --storage");
  return home;
}

/** `~` and `~/…` as the home directory (and below); any other path as it is. */
export function expandHome(path: string, platform: Pick<Platform, "os" | "env">): string {
  if (path === "~") return homeDir(platform);
  if (path.startsWith("~/")) return join(homeDir(platform), path.slice(2));
  return path;
}
