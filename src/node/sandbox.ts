/**
 * The engine's permissions: read the shares, storage and download dirs; write storage and
 * downloads; the network. Nothing else. Deno checks paths by text, so symlinks are the share
 * code's job (see src/shares/jail.ts); this is the second wall, not the only one.
 */

/** The directories the engine may touch. */
export interface SandboxScope {
  shareDirs: readonly string[];
  storageDir: string;
  downloadDir: string;
}

/** The `deno.permissions` for the engine worker. */
export function enginePermissions(scope: SandboxScope): Deno.PermissionOptionsObject {
  return {
    read: [...new Set([...scope.shareDirs, scope.storageDir, scope.downloadDir])],
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
