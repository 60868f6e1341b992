/** What serving needs from the node, and what each request handler is given. */
import type { PeerStream } from "../transport/mod.ts";
import type { OpenFile } from "../shares/mod.ts";
import type {
  AnnounceRequest,
  FrameReader,
  HdpError,
  LsPage,
  LsQuery,
  PeerRef,
  RelayedRequest,
  RelayRequest,
  Request,
} from "../wire/mod.ts";
import type { RequestBudget } from "./request_budget.ts";
import type { Throttle } from "./throttle.ts";

/** What the node does for each request. */
export interface Handlers {
  /** The pages of a listing, of what `from` may see. */
  ls(query: LsQuery, from: PeerRef): AsyncGenerator<LsPage>;
  /** Opens a shared file `from` may see; a share it may not is answered as no share (`NOT_FOUND`). */
  openFile(path: string, from: PeerRef): OpenFile | Promise<OpenFile>;
  announce(from: PeerRef, request: AnnounceRequest): Promise<void>;
  /** The peer asks to be a friend; without it (some tests), the request is acknowledged only. */
  befriend?(from: PeerRef): void;
  /** Waits for an upload slot, reporting queue positions; resolves with the slot. */
  uploadSlot?(
    from: PeerRef,
    onPosition: (position: number) => void,
    signal: AbortSignal,
  ): Promise<SlotHeld>;
  /**
   * Hears about each read served, for the uploads list and the history: `bytes` of the file, and
   * `fileSize` when that is only a range of it (a player that seeks, a download that resumes).
   */
  onUpload?(from: PeerRef, path: string, bytes: number, fileSize?: number): UploadTracker;
  /** The error to answer a `Read` with before anything else (an upload the owner cancelled). */
  refused?(from: PeerRef, path: string): HdpError | undefined;
  /**
   * A peer asks this node to relay a circuit (`Relay`): checks the policy and opens the leg to the
   * target, or throws a coded error. Without it, `FORBIDDEN`: this node does not relay.
   */
  relay?(from: PeerRef, request: RelayRequest): Promise<Circuit>;
  /**
   * A relay brings a circuit from another peer (`Relayed`): throws `FORBIDDEN` when that peer
   * may not reach this node. Without it, `FORBIDDEN`.
   */
  relayed?(via: PeerRef, request: RelayedRequest): Promise<Circuit>;
}

/** An accepted circuit, to run on the request's stream once the `ack` is sent. */
export interface Circuit {
  /** Runs the circuit over what is left of the stream; resolves when it is over. */
  run(stream: PeerStream): Promise<void>;
  /** The ack could not be sent: undoes what accepting it took (the relay's other leg, a place). */
  abandon(reason: unknown): void;
}

/** An upload slot held by a `Read`. */
export interface SlotHeld {
  release(): void;
  /** Aborted (its reason a `BUSY` error) when the read should end to let another peer have it. */
  readonly yielded?: AbortSignal;
}

/** Follows one upload. */
export interface UploadTracker {
  queued(position: number): void;
  started(): void;
  /** Aborted, with a `CANCELLED` {@link HdpError} as its reason, when the owner cancels it. */
  readonly stop?: AbortSignal;
  progress(bytes: number): void;
  /** `ok` false: it broke off. */
  done(ok: boolean): void;
}

/** One request's stream as its handler sees it: who asks, where to answer, what to serve from. */
export interface Exchange {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** The rest of the requester's side (a queued Read watches it for the requester leaving). */
  reader: FrameReader;
  requester: PeerRef;
  handlers: Handlers;
  /** What this node serves at once; without it (some tests), no limit. */
  budget?: RequestBudget;
  /** A write the requester takes nothing of for this long ends the request (`TIMEOUT`). */
  stallMs: number;
  /** The node's upload limit; without it, unlimited. */
  throttle?: Throttle;
  /**
   * Takes the stream over from the frames (a circuit runs on it after the `ack`): the request's
   * stream is then neither closed nor answered with an error frame when the route returns.
   */
  handOver(): PeerStream;
}

/** Answers one type of request; an error it throws becomes the stream's error frame. */
export type Route<R extends Request> = (exchange: Exchange, request: R) => Promise<void>;
