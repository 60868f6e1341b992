/** The one place where error codes become HTTP statuses, and back. */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../wire/mod.ts";

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_SHARED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CANCELLED: 409,
  TOO_LARGE: 413,
  BUSY: 429,
  PROTOCOL: 502,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
  IO: 500,
  INTERNAL: 500,
  UNSUPPORTED: 501,
  OUT_OF_RANGE: 416,
};

/** The HTTP status for an error code. */
export function httpStatus(code: ErrorCode): ContentfulStatusCode {
  return STATUS[code];
}
