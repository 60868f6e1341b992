/**
 * The typed API client: the CLI and the UI talk to a daemon only through this.
 * Errors come back as {@link HdpError} with the daemon's code.
 */
import { type ErrorCode, HdpError, hdpError, isErrorCode } from "../wire/errors.ts";
import type {
  ApiErrorBody,
  LsPage,
  LsQuery,
  NodeInfo,
  ShareChangeResponse,
  ShareInfo,
  StopResponse,
} from "./types.ts";

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** A bearer token, required when the daemon listens beyond loopback. */
  token?: string | undefined;
  /** The fetch to use (tests pass an `app.request`-backed one). Default: global fetch. */
  fetch?: typeof fetch;
}

/** A client of one daemon's API. */
export interface ApiClient {
  readonly baseUrl: string;
  info(): Promise<NodeInfo>;
  stop(): Promise<StopResponse>;
  shares(): Promise<ShareInfo[]>;
  addShare(path: string): Promise<ShareChangeResponse>;
  removeShare(name: string): Promise<ShareChangeResponse>;
  /** Queries the daemon's own shares. */
  ls(query: LsQuery): Promise<LsPage>;
}

/** Makes a client for the daemon at `baseUrl` (e.g. `http://127.0.0.1:3030`). */
export function createClient(baseUrl: string, options: ClientOptions = {}): ApiClient {
  const doFetch = options.fetch ?? fetch;
  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch (error) {
      throw hdpError(
        "UNAVAILABLE",
        `Cannot reach the daemon at ${baseUrl}: is it running? (start it with "harddrive-party start")`,
        error,
      );
    }
    return await parseResponse<T>(response);
  };
  return {
    baseUrl,
    info: () => request<NodeInfo>("GET", "/api/info"),
    stop: () => request<StopResponse>("POST", "/api/stop"),
    shares: () => request<ShareInfo[]>("GET", "/api/shares"),
    addShare: (path) => request<ShareChangeResponse>("POST", "/api/shares", { path }),
    removeShare: (name) =>
      request<ShareChangeResponse>("DELETE", `/api/shares/${encodeURIComponent(name)}`),
    ls: (query) => request<LsPage>("GET", `/api/ls?${lsParams(query)}`),
  };
}

async function parseResponse<T>(response: Response): Promise<T> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw hdpError("PROTOCOL", `The daemon answered ${response.status} with something not JSON`);
  }
  if (response.ok) return json as T;
  const error = (json as Partial<ApiErrorBody> | undefined)?.error;
  const code: ErrorCode = isErrorCode(error?.code) ? error.code : "INTERNAL";
  throw new HdpError(code, error?.message ?? `The daemon answered ${response.status}`);
}

/** The query string of an `ls` request. */
export function lsParams(query: LsQuery): string {
  const params = new URLSearchParams({ path: query.path });
  if (query.recursive) params.set("recursive", "true");
  if (query.searchTerm) params.set("search", query.searchTerm);
  if (query.cursor) params.set("cursor", query.cursor);
  if (query.limit !== undefined) params.set("limit", String(query.limit));
  return params.toString();
}
