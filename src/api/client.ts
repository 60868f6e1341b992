/**
 * The typed API client: the CLI and the UI talk to a daemon only through this.
 * Errors come back as {@link HdpError} with the daemon's code.
 */
import { type ErrorCode, HdpError, hdpError, isErrorCode } from "../wire/light.ts";
import { streamUrl } from "./stream_url.ts";
import type {
  ApiErrorBody,
  AudienceInput,
  BandwidthStatus,
  CancelUploadResponse,
  ClearDownloadsResponse,
  DownloadAction,
  DownloadedFolder,
  DownloadItem,
  DownloadState,
  ForgetPeerResponse,
  HistoryEntry,
  LimitsChange,
  LsPage,
  LsQuery,
  NodeInfo,
  OwnerStanding,
  PeerInfo,
  PeerLsPage,
  PeerSearchResult,
  Schedule,
  SearchLine,
  SearchQuery,
  SearchResponse,
  ShareChangeResponse,
  ShareListing,
  StopResponse,
  TransferCounts,
  UploadInfo,
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
  shares(): Promise<ShareListing[]>;
  /** Adds a share, for `audience` (default friends); the daemon restarts its engine. */
  addShare(path: string, options?: { audience?: AudienceInput }): Promise<ShareChangeResponse>;
  /** Changes who may see a share, at once. */
  setShareAudience(name: string, audience: AudienceInput): Promise<ShareListing>;
  removeShare(name: string): Promise<ShareChangeResponse>;
  /** Queries the daemon's own shares. */
  ls(query: LsQuery): Promise<LsPage>;
  /**
   * Connects to a peer by its announce address; with `wait: false` the daemon answers at once
   * (the peer `connecting`) and the dial goes on, its outcome in the peer's events.
   */
  connect(address: string, options?: { wait?: boolean }): Promise<PeerInfo>;
  peers(): Promise<PeerInfo[]>;
  /** Forgets a peer: its record goes, its connection closes, it is not dialled again. */
  forgetPeer(peer: string): Promise<ForgetPeerResponse>;
  /** The limits, schedules and rates, with the last minute of traffic. */
  bandwidth(): Promise<BandwidthStatus>;
  /** Changes the limits (bytes a second, 0: none) and, when given, replaces the schedules. */
  setBandwidth(change: LimitsChange & { schedules?: Schedule[] }): Promise<BandwidthStatus>;
  /** Changes how many transfers run at once (applied now, kept for the next start). */
  setTransfers(change: Partial<TransferCounts>): Promise<TransferCounts>;
  /** Caps what this node uploads to (and downloads from) one peer. */
  setPeerLimit(peer: string, change: LimitsChange): Promise<BandwidthStatus>;
  /** Befriends (`friend`), unfriends or refuses (`known`) or blocks a peer. */
  setPeerStanding(peer: string, standing: OwnerStanding): Promise<PeerInfo>;
  /** One page of a peer's listing or search. */
  peerLs(peer: string, query: LsQuery): Promise<PeerLsPage>;
  /**
   * Searches every connected peer at once (or only `options.peer`, where `options.cursor`
   * continues): one result per peer, a peer that failed with its `error`.
   */
  search(term: string, options?: Omit<SearchQuery, "term">): Promise<SearchResponse>;
  /**
   * The same search, each peer's result as it answers (the slowest no longer holds the others
   * back). Throws `UNAVAILABLE` when the daemon's answer is cut short.
   */
  searchStream(term: string, options?: Omit<SearchQuery, "term">): AsyncGenerator<PeerSearchResult>;
  /** Reads a peer's file (or a range): the response's body is the bytes. */
  peerRead(peer: string, path: string, range?: { start?: number; end?: number }): Promise<Response>;
  /**
   * The URL a media element or player streams a peer's file from (it seeks with Range), with the
   * token in it: such a request cannot send a header. Nothing is written to the download dir.
   */
  peerReadUrl(peer: string, path: string): string;
  /** Asks for a file or folder of a peer; it is queued and survives restarts. */
  download(peer: string, path: string): Promise<DownloadItem>;
  downloads(): Promise<DownloadItem[]>;
  /** Pauses, resumes, cancels (deleting partial files), retries or moves an item to the front. */
  downloadAction(id: string, action: DownloadAction): Promise<DownloadItem>;
  /** Forgets finished downloads (done and failed by default): done files stay on disk. */
  clearDownloads(states?: readonly DownloadState[]): Promise<ClearDownloadsResponse>;
  uploads(): Promise<UploadInfo[]>;
  /** Cancels an upload to a peer: the peer's download of that file stops (`CANCELLED`). */
  cancelUpload(id: string): Promise<CancelUploadResponse>;
  history(): Promise<HistoryEntry[]>;
  /** A folder of the download dir ("" for the dir itself). */
  downloaded(path: string): Promise<DownloadedFolder>;
  /** The URL of the event stream (WebSocket, JSON messages of type NodeEvent). */
  eventsUrl(): string;
}

/** Makes a client for the daemon at `baseUrl` (e.g. `http://127.0.0.1:3030`). */
export function createClient(baseUrl: string, options: ClientOptions = {}): ApiClient {
  const doFetch = options.fetch ?? fetch;
  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers = authHeaders(options.token);
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch (error) {
      throw unreachable(baseUrl, error);
    }
    return await parseResponse<T>(response);
  };
  return {
    baseUrl,
    info: () => request<NodeInfo>("GET", "/api/info"),
    stop: () => request<StopResponse>("POST", "/api/stop"),
    shares: () => request<ShareListing[]>("GET", "/api/shares"),
    addShare: (path, options = {}) =>
      request<ShareChangeResponse>("POST", "/api/shares", { path, ...options }),
    setShareAudience: (name, audience) =>
      request<ShareListing>("PUT", `/api/shares/${encodeURIComponent(name)}/audience`, {
        audience,
      }),
    removeShare: (name) =>
      request<ShareChangeResponse>("DELETE", `/api/shares/${encodeURIComponent(name)}`),
    ls: (query) => request<LsPage>("GET", `/api/ls?${lsParams(query)}`),
    connect: (address, options = {}) =>
      request<PeerInfo>(
        "POST",
        options.wait === false ? "/api/peers?wait=false" : "/api/peers",
        { address },
      ),
    peers: () => request<PeerInfo[]>("GET", "/api/peers"),
    forgetPeer: (peer) =>
      request<ForgetPeerResponse>("DELETE", `/api/peers/${encodeURIComponent(peer)}`),
    bandwidth: () => request<BandwidthStatus>("GET", "/api/bandwidth"),
    setBandwidth: (change) => request<BandwidthStatus>("PUT", "/api/bandwidth", change),
    setTransfers: (change) => request<TransferCounts>("PUT", "/api/settings/transfers", change),
    setPeerLimit: (peer, change) =>
      request<BandwidthStatus>("PUT", `/api/peers/${encodeURIComponent(peer)}/limit`, change),
    setPeerStanding: (peer, standing) =>
      request<PeerInfo>("PUT", `/api/peers/${encodeURIComponent(peer)}/standing`, { standing }),
    peerLs: (peer, query) =>
      request<PeerLsPage>("GET", `/api/peers/${encodeURIComponent(peer)}/ls?${lsParams(query)}`),
    search: (term, options = {}) =>
      request<SearchResponse>("GET", `/api/search?${searchParams({ term, ...options })}`),
    async *searchStream(term, narrowing = {}) {
      const url = `${baseUrl}/api/search?${searchParams({ term, ...narrowing })}&stream=1`;
      let response: Response;
      try {
        response = await doFetch(url, { headers: authHeaders(options.token) });
      } catch (error) {
        throw unreachable(baseUrl, error);
      }
      if (!response.ok || !response.body) return await parseResponse<never>(response);
      if (!response.headers.get("content-type")?.includes("ndjson")) {
        // a daemon from before streamed searches answers the whole search at once
        yield* (await parseResponse<SearchResponse>(response)).results;
        return;
      }
      for await (const text of lines(response.body)) {
        let line: SearchLine;
        try {
          line = JSON.parse(text);
        } catch {
          throw hdpError("PROTOCOL", "The daemon's search answer has a line that is not JSON");
        }
        if (line.type === "end") return;
        if (line.type === "result") yield line.result;
      }
      throw hdpError("UNAVAILABLE", "The daemon's search answer was cut short");
    },
    async peerRead(peer, path, range = {}) {
      const params = new URLSearchParams({ path });
      if (range.start !== undefined) params.set("start", String(range.start));
      if (range.end !== undefined) params.set("end", String(range.end));
      const url = `${baseUrl}/api/peers/${encodeURIComponent(peer)}/read?${params}`;
      let response: Response;
      try {
        response = await doFetch(url, { headers: authHeaders(options.token) });
      } catch (error) {
        throw unreachable(baseUrl, error);
      }
      if (!response.ok) await parseResponse(response);
      return response;
    },
    peerReadUrl: (peer, path) =>
      streamUrl(path, { origin: baseUrl, peerKey: peer, token: options.token }),
    download: (peer, path) => request<DownloadItem>("POST", "/api/downloads", { peer, path }),
    downloads: () => request<DownloadItem[]>("GET", "/api/downloads"),
    downloadAction: (id, action) =>
      request<DownloadItem>("POST", `/api/downloads/${encodeURIComponent(id)}/${action}`),
    clearDownloads: (states) =>
      request<ClearDownloadsResponse>(
        "DELETE",
        states ? `/api/downloads?state=${states.join(",")}` : "/api/downloads",
      ),
    uploads: () => request<UploadInfo[]>("GET", "/api/uploads"),
    cancelUpload: (id) =>
      request<CancelUploadResponse>("POST", `/api/uploads/${encodeURIComponent(id)}/cancel`),
    history: () => request<HistoryEntry[]>("GET", "/api/history"),
    downloaded: (path) =>
      request<DownloadedFolder>("GET", `/api/downloaded?path=${encodeURIComponent(path)}`),
    eventsUrl: () => {
      const url = new URL("/api/events", baseUrl.startsWith("http") ? baseUrl : location.href);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      if (options.token) url.searchParams.set("token", options.token);
      return url.toString();
    },
  };
}

function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

function unreachable(baseUrl: string, error: unknown): Error {
  return hdpError(
    "UNAVAILABLE",
    `Cannot reach the daemon at ${baseUrl}: is it running? (start it with "harddrive-party start")`,
    error,
  );
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

/** The query string of a search request. */
export function searchParams(query: SearchQuery): string {
  const params = new URLSearchParams({ q: query.term });
  if (query.peer !== undefined) params.set("peer", query.peer);
  if (query.cursor !== undefined) params.set("cursor", query.cursor);
  if (query.limit !== undefined) params.set("limit", String(query.limit));
  if (query.kinds !== undefined) params.set("kind", query.kinds.join(","));
  if (query.minSize !== undefined) params.set("min", String(query.minSize));
  if (query.maxSize !== undefined) params.set("max", String(query.maxSize));
  return params.toString();
}

/** The lines of a text body, as they arrive. */
async function* lines(body: ReadableStream<BufferSource>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const part of parts) if (part.trim() !== "") yield part;
  }
  if (rest.trim() !== "") yield rest;
}
