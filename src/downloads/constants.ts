/**
 * Sizes the download queue decides by. Files of at most `SMALL_FILE_BYTES` (wire/) are small: read
 * whole, in batches, and not worth recording their version before the first byte (they do not
 * resume).
 */

/** Small files are fetched in batches (one `ReadMany` each) of at most this many files… */
export const BATCH_FILES = 64;
/** …and bytes… */
export const BATCH_BYTES = 4 * 1024 * 1024;
/** …and characters of paths (the request must stay well under the peer's 64 KiB limit). */
export const BATCH_PATH_CHARS = 16_000;
