/**
 * Who may use the API. Any web page the user visits can make the browser send requests to
 * localhost, so: the Host must be the address the daemon is bound to (DNS rebinding), an Origin,
 * when a browser sends one, must be the daemon's own (CSRF), and beyond loopback a token is
 * required (a headless NAS driven from another computer).
 */
import { timingSafeEqual } from "node:crypto";
import type { HostPort } from "../node/mod.ts";
import { hdpError } from "../wire/mod.ts";

/** How the API is protected. */
export interface GuardOptions {
  /** The address the server is bound to. */
  bound: HostPort;
  /** Required on every API request when set (always set beyond loopback). */
  token?: string | undefined;
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]", "::1"];

/** Tells whether an address is loopback only. */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname.startsWith("127.") || hostname === "::1";
}

/**
 * Checks a request; throws `FORBIDDEN` for a foreign Host or Origin and `UNAUTHORIZED` for a
 * missing or wrong token. `needsToken` is false for the UI's own files (the login page).
 */
export function checkRequest(request: Request, options: GuardOptions, needsToken: boolean): void {
  const url = new URL(request.url);
  const host = request.headers.get("host") ?? url.host;
  if (isLoopback(options.bound.hostname) && !allowedLoopbackHost(host, options.bound.port)) {
    throw hdpError(
      "FORBIDDEN",
      `Requests for host "${host}" are refused: use http://127.0.0.1:${options.bound.port}`,
    );
  }
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== `${url.protocol}//${host}`) {
    throw hdpError(
      "FORBIDDEN",
      `Requests from ${origin} are refused: only this daemon's own page may call it`,
    );
  }
  if (!needsToken || !options.token) return;
  const given = request.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1] ??
    url.searchParams.get("token");
  if (!given || !sameSecret(given, options.token)) {
    throw hdpError(
      "UNAUTHORIZED",
      "A valid token is required (harddrive-party start prints it; --token or HDP_TOKEN)",
    );
  }
}

function allowedLoopbackHost(host: string, port: number): boolean {
  const match = host.match(/^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/);
  if (!match) return false;
  return LOOPBACK_NAMES.includes(match[1]!.toLowerCase()) && Number(match[2] ?? 80) === port;
}

function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
