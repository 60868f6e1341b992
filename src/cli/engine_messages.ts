/** Messages between the supervisor (main thread) and the engine worker. */
import type { Audience, NodeConfig, NodeInfo, ShareSetting } from "../node/light.ts";
import type { ErrorCode } from "../wire/light.ts";

/** A coded error as it crosses `postMessage`. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
}

/** A change of the engine's scope, which only the supervisor may make. */
export type ScopeChange =
  | { op: "add"; path: string; audience?: Audience }
  | { op: "remove"; name: string };

/** Supervisor → engine. */
export type ToEngine =
  | { type: "start"; config: NodeConfig }
  | { type: "stop"; reason: string }
  | { type: "scope-changed"; id: number; share: ShareSetting }
  | { type: "scope-refused"; id: number; error: ErrorData };

/** Engine → supervisor. */
export type FromEngine =
  /** `token` is set when the API listens beyond loopback and so requires it. */
  | { type: "ready"; info: NodeInfo; token?: string }
  | { type: "change-scope"; id: number; change: ScopeChange }
  /** The engine stopped itself because its permission scope changed: start it again. */
  | { type: "restart" }
  | { type: "stopped"; reason: string }
  | { type: "failed"; error: ErrorData };
