/**
 * Where the small-file writer's thread is loaded from: the engine's sandbox must let it read that
 * one module (when it runs from source, a Worker is started by reading its file).
 */
export const SMALL_FILE_WORKER_URL: URL = new URL("./small_file_worker.ts", import.meta.url);
