/**
 * Serving finished downloads to the browser (open, preview, stream with seeking), from the
 * download dir only: every path goes through the jail, which keeps it inside.
 */
import { join } from "node:path";
import { type Jailed, resolveInRoot, type Want } from "../shares/mod.ts";
import { hdpError, parsePath } from "../wire/mod.ts";
import { mediaType } from "../wire/mod.ts";
import type { DownloadedEntry, DownloadedFolder } from "./types.ts";

/** Where `segments` lead in the download dir, through the jail (see src/shares/jail.ts). */
async function inDownloadDir(
  downloadDir: string,
  segments: string[],
  want: Want,
): Promise<Jailed> {
  const root = await Deno.realPath(downloadDir);
  return resolveInRoot(root, segments, { want, rootName: "the download dir" });
}

/** The most entries one listing of a downloaded folder holds. */
export const MAX_LISTED = 2000;

/**
 * A folder of the download dir, for the UI to show what a finished download holds. Symlinks and
 * unfinished `.part` files are left out; the folder must really be inside the download dir.
 */
export async function listDownloaded(downloadDir: string, path: string): Promise<DownloadedFolder> {
  const segments = parsePath(path);
  const { realPath: real, info } = await inDownloadDir(downloadDir, segments, "any");
  if (!info.isDirectory) {
    throw hdpError("BAD_REQUEST", `"${path}" is not a folder`);
  }
  const entries: DownloadedEntry[] = [];
  let truncated = false;
  for await (const entry of Deno.readDir(real)) {
    if (entry.isSymlink || entry.name.endsWith(".part")) continue;
    if (entries.length >= MAX_LISTED) {
      truncated = true;
      break;
    }
    try {
      // synchronous: a few microseconds each, and a listing is at most 2,000 of them
      const info = Deno.statSync(join(real, entry.name));
      entries.push({
        name: entry.name,
        isDir: info.isDirectory,
        size: info.isDirectory ? 0 : info.size,
        mtime: info.mtime?.getTime() ?? 0,
      });
    } catch {
      // gone meanwhile, or unreadable: not listed
    }
  }
  entries.sort((a, b) =>
    a.isDir !== b.isDir ? (a.isDir ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
  return { path: segments.join("/"), entries, truncated };
}

/** Answers `GET /files/<path>` from the download dir, with byte ranges for seeking in media. */
export async function serveDownloaded(downloadDir: string, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const encoded = url.pathname.replace(/^\/files\/?/, "");
  let path: string;
  try {
    path = encoded.split("/").map(decodeURIComponent).join("/");
  } catch {
    throw hdpError("BAD_REQUEST", "The file path is not valid URL encoding");
  }
  const segments = parsePath(path);
  if (segments.length === 0) throw hdpError("BAD_REQUEST", "Name a file");
  const { realPath: real } = await inDownloadDir(downloadDir, segments, "file");
  const file = await Deno.open(real);
  // checked again once open: a swap after the jail's check cannot hand out something else
  const info = await file.stat();
  if (!info.isFile) {
    file.close();
    throw hdpError("BAD_REQUEST", `"${path}" is not a file`);
  }
  const headers = new Headers({
    "content-type": mediaType(real),
    "accept-ranges": "bytes",
    "x-content-type-options": "nosniff",
    // a downloaded file is someone else's content: never let it run as a page of this origin
    "content-security-policy": "sandbox",
  });
  const range = request.headers.get("range")?.match(/^bytes=(\d*)-(\d*)$/);
  if (range && (range[1] || range[2])) {
    const size = info.size;
    const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(size - 1, Number(range[2])) : size - 1;
    if (start > end || start >= size) {
      file.close();
      return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
    }
    await file.seek(start, Deno.SeekMode.Start);
    headers.set("content-range", `bytes ${start}-${end}/${size}`);
    headers.set("content-length", String(end - start + 1));
    return new Response(limit(file.readable, end - start + 1), { status: 206, headers });
  }
  headers.set("content-length", String(info.size));
  return new Response(file.readable, { headers });
}

/** The first `bytes` of a stream, then cancels the rest. */
function limit(stream: ReadableStream<Uint8Array>, bytes: number): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  let left = bytes;
  return new ReadableStream({
    async pull(controller) {
      if (left <= 0) {
        controller.close();
        await reader.cancel();
        return;
      }
      const { value, done } = await reader.read();
      if (done) return controller.close();
      const chunk = value.length > left ? value.subarray(0, left) : value;
      left -= chunk.length;
      controller.enqueue(chunk);
    },
    cancel: () => reader.cancel(),
  });
}
