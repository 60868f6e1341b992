/**
 * The light face of src/shares/: naming a share from its directory, for the supervisor that adds
 * shares before the node runs, without the index, scanner or watcher. mod.ts is the whole face.
 */
export { nameForShare } from "./share_names.ts";
