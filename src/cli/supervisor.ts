/**
 * The supervisor: runs in the main thread with the program's full permissions, and runs the engine
 * in a worker with only the permissions it needs. It restarts the engine when its scope changes
 * and turns signals into a clean stop (a second signal forces the exit).
 */
import { logger } from "../log.ts";
import {
  addShare,
  enginePermissions,
  expandHome,
  type NodeConfig,
  type NodeInfo,
  parseHostPort,
  readSettings,
  removeShare,
  type SandboxScope,
} from "../node/light.ts";
import { HdpError, toHdpError } from "../wire/light.ts";
import type { FromEngine, ScopeChange, ToEngine } from "./engine_messages.ts";

const log = logger("supervisor");

/** The engine module; tests pass a probe instead. */
export const ENGINE_MODULE = new URL("./engine_worker.ts", import.meta.url);

/** Starts a worker with the engine's narrowed permissions. */
export function spawnEngineWorker(scope: SandboxScope, module: URL = ENGINE_MODULE): Worker {
  return new Worker(module, {
    type: "module",
    name: "engine",
    deno: { permissions: enginePermissions(scope) },
  });
}

/** Options of {@link superviseEngine}. */
export interface SuperviseOptions {
  /** Called each time the engine is up (again). */
  onReady?: (info: NodeInfo, token?: string) => void;
  /** How long a clean stop may take before the process exits anyway. Default 10 s. */
  stopTimeoutMs?: number;
}

/** A running engine under supervision. */
export interface Supervision {
  /** Resolves with the exit code when the engine has stopped for good. */
  readonly done: Promise<number>;
  /** Asks the engine to stop cleanly. */
  stop(reason: string): void;
}

/** Runs the engine until it stops, restarting it when it asks to (its scope changed). */
export function superviseEngine(config: NodeConfig, options: SuperviseOptions = {}): Supervision {
  const done = Promise.withResolvers<number>();
  let worker: Worker | undefined;
  let stopping = false;

  const launch = async () => {
    const settings = await readSettings(config.storageDir);
    worker = spawnEngineWorker({ ...config, shareDirs: settings.shares.map((s) => s.path) });
    worker.onmessage = (event: MessageEvent<FromEngine>) => handle(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      log.error("the engine crashed", { error: event.message });
      finish(1);
    };
    const start: ToEngine = { type: "start", config };
    worker.postMessage(start);
  };

  const finish = (code: number) => {
    worker?.terminate();
    worker = undefined;
    done.resolve(code);
  };

  const handle = (message: FromEngine) => {
    switch (message.type) {
      case "ready":
        // A restarted engine must come back on the same control port, even if it was 0 (any).
        config.ui = parseHostPort(message.info.uiAddress, "--ui-address");
        options.onReady?.(message.info, message.token);
        break;
      case "change-scope":
        void changeScope(message.id, message.change);
        break;
      case "restart":
        worker?.terminate();
        if (stopping) return finish(0);
        log.info("restarting the engine with its new permission scope");
        launch().catch((error) => {
          log.error("cannot restart the engine", { error });
          finish(1);
        });
        break;
      case "stopped":
        log.info("engine stopped", { reason: message.reason });
        finish(0);
        break;
      case "failed":
        log.error(new HdpError(message.error.code, message.error.message).message, {
          code: message.error.code,
        });
        finish(1);
        break;
    }
  };

  const changeScope = async (id: number, change: ScopeChange) => {
    let reply: ToEngine;
    try {
      // through the API a path shared already is refused, unless the call changes its audience
      const share = change.op === "add"
        ? await addShare(config.storageDir, expandHome(change.path, ownPlatform()), {
          ifShared: "refuse",
          ...(change.audience ? { audience: change.audience } : {}),
        })
        : await removeShare(config.storageDir, change.name);
      reply = { type: "scope-changed", id, share };
    } catch (error) {
      reply = { type: "scope-refused", id, error: toHdpError(error).toJSON() };
    }
    worker?.postMessage(reply);
  };

  launch().catch((error) => {
    log.error("cannot start the engine", { error });
    finish(1);
  });

  return {
    done: done.promise,
    stop(reason) {
      if (stopping) return;
      stopping = true;
      const message: ToEngine = { type: "stop", reason };
      worker?.postMessage(message);
      const timer = setTimeout(() => {
        log.warn("the engine did not stop in time; exiting anyway");
        finish(1);
      }, options.stopTimeoutMs ?? 10_000);
      Deno.unrefTimer(timer);
    },
  };
}

/** This process's OS and home, for `~` in a share's path (the supervisor may read them). */
function ownPlatform(): { os: typeof Deno.build.os; env: Record<string, string | undefined> } {
  const read = (name: string) => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined; // no --allow-env: `~` stays as it is
    }
  };
  return { os: Deno.build.os, env: { HOME: read("HOME"), USERPROFILE: read("USERPROFILE") } };
}
