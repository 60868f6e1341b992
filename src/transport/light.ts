/**
 * The light face of src/transport/: the standings and accept policies (pure), for the config, the
 * API's types and the CLI without loading QUIC. mod.ts is the whole face.
 */
export {
  ACCEPT_POLICIES,
  DEFAULT_ACCEPT,
  MAX_REQUESTS,
  mayConnect,
  parseStanding,
  STANDINGS,
} from "./standing.ts";
export type { AcceptPolicy, Standing } from "./standing.ts";
export { familyOf, pathText } from "./connection_path.ts";
export type { ConnectionPath, PathVia } from "./connection_path.ts";
