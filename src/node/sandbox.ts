/**
 * The engine's permissions: read the shares, storage and download dirs; write storage and
 * downloads; the network. Nothing else. Deno checks paths by text, so symlinks are the share
 * code's job (see src/shares/jail.ts); this is the second wall, not the only one.
 */
import { fileURLToPath } from "node:url";
import { hdpError } from "../wire/light.ts";

/** The directories the engine may touch. */
export interface SandboxScope {
  shareDirs: readonly string[];
  storageDir: string;
  downloadDir: string;
}

/**
 * Refuses a directory the engine could not be limited to: Deno lets a program touch anything
 * under /dev or /proc only with every permission, so a narrowed engine would fail there.
 */
export function checkConfinable(path: string, what: string): void {
  if (/^\/(dev|proc)(\/|$)/.test(path)) {
    throw hdpError(
      "BAD_REQUEST",
      `${what} "${path}" is under ${path.split("/")[1] === "dev" ? "/dev" : "/proc"}, which ` +
        "Deno opens only to programs with every permission: choose another place (a tmpfs can " +
        "be mounted anywhere)",
    );
  }
}

/**
 * The program's own source, when it runs from source (not compiled): the engine starts the
 * small-file writer's thread from it, and a Worker's modules are read with the engine's
 * permissions. Only code lives there, never user data.
 */
function ownSource(): string[] {
  const src = new URL("../", import.meta.url); // this file is src/node/sandbox.ts
  return src.protocol === "file:" ? [fileURLToPath(src)] : [];
}

/** The `deno.permissions` for the engine worker. */
export function enginePermissions(scope: SandboxScope): Deno.PermissionOptionsObject {
  return {
    read: [
      ...new Set([...scope.shareDirs, scope.storageDir, scope.downloadDir]),
      ...ownSource(),
    ],
    write: [scope.storageDir, scope.downloadDir],
    net: true,
    // networkInterfaces: listing the node's own addresses (announce address, mDNS)
    sys: ["networkInterfaces"],
    env: false,
    run: false,
    ffi: false,
    import: false,
  };
}
