/** The public face of src/rpc/: serving requests and asking peers. */
export { announceCall, firstNonEmpty, firstPage, lsCall, readCall, readManyCall } from "./calls.ts";
export type { ReadStream } from "./calls.ts";
export type { Handlers, UploadTracker } from "./handlers.ts";
export { serveConnection, serveStream } from "./serve.ts";
