/** The public face of src/shares/: shares, their index and queries, and the one path jail. */
export { ensureDirInside, resolveInRoot } from "./jail.ts";
export type { Jailed, Want } from "./jail.ts";
export { nameForShare } from "./share_names.ts";
export { Shares } from "./shares.ts";
export type { OpenFile, ShareFilter, ShareInfo } from "./shares.ts";
