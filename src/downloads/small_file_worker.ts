/**
 * The small-file writer's thread: writes the files it is sent, in order, with synchronous calls,
 * and answers each message with one outcome per file. It has the engine's permissions.
 */
/// <reference lib="deno.worker" />
import { toHdpError } from "../wire/light.ts";
import type { WriteOutcome, WriteRequest } from "./small_file_writer.ts";
import { writeWholeSync } from "./whole_file.ts";

self.onmessage = (event: MessageEvent<WriteRequest>) => {
  const { id, files } = event.data;
  const outcomes: WriteOutcome[] = files.map((file) => {
    try {
      writeWholeSync(file);
      return null;
    } catch (error) {
      const coded = toHdpError(error);
      return { code: coded.code, message: coded.message };
    }
  });
  self.postMessage({ id, outcomes });
};
