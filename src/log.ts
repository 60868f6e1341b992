/**
 * Logging to stderr with time, level and module. A leaf module: everything may import it.
 * The level comes from `HDP_LOG` or `--verbose`, read once by the CLI and set with {@link setLogLevel}.
 */

/** Log levels, least to most verbose. */
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

/** A logger bound to one module name. */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

let threshold = LOG_LEVELS.indexOf("info");

/** Sets the most verbose level that is printed. */
export function setLogLevel(level: LogLevel): void {
  threshold = LOG_LEVELS.indexOf(level);
}

/** The most verbose level that is printed now. */
export function getLogLevel(): LogLevel {
  return LOG_LEVELS[threshold] ?? "info";
}

/** Tells whether a string names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Where log lines go: stderr, or a test's own sink. */
export type LogSink = (line: string, level: LogLevel) => void;

const stderrSink: LogSink = (line) => console.error(line);
let sink = stderrSink;

/** Sends log lines to `next` instead of stderr (tests read them); `undefined` restores stderr. */
export function setLogSink(next: LogSink | undefined): void {
  sink = next ?? stderrSink;
}

/** Makes a logger whose lines name `module`. */
export function logger(module: string): Logger {
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(level) > threshold) return;
    const time = new Date().toISOString();
    const extra = fields ? " " + formatFields(fields) : "";
    sink(`${time} ${level.toUpperCase().padEnd(5)} [${module}] ${message}${extra}`, level);
  };
  return {
    error: (m, f) => write("error", m, f),
    warn: (m, f) => write("warn", m, f),
    info: (m, f) => write("info", m, f),
    debug: (m, f) => write("debug", m, f),
  };
}

function formatFields(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : safeJson(value)}`)
    .join(" ");
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
