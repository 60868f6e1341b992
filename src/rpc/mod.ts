/** The public face of src/rpc/: serving requests and asking peers. */
export {
  announceCall,
  befriendCall,
  firstNonEmpty,
  firstPage,
  lsCall,
  readCall,
  readManyCall,
  relayCall,
  relayedCall,
} from "./calls.ts";
export { legError } from "./answer_errors.ts";
export type { ReadStream } from "./calls.ts";
export type { Circuit, Handlers, UploadTracker } from "./handlers.ts";
export { serveConnection, serveStream } from "./serve.ts";
export { REQUEST_LIMITS, RequestBudget } from "./request_budget.ts";
export type { RequestKind } from "./request_budget.ts";
export { STALL_MS } from "./stalled_write.ts";
export { SYSTEM_CLOCK, Throttle } from "./throttle.ts";
export type { Clock, Priority } from "./throttle.ts";
export type { Paced } from "./calls.ts";
