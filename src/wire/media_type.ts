/**
 * What a file holds, by its extension: the one table behind the `content-type` of `/files/`, of
 * a peer's files streamed by `/api/peers/PEER/read`, of the UI's inline previews and the
 * playlists (so a file offered to play is served as something the browser or player can play),
 * and of the kinds a search filters by (`Ls` `kinds`). Pure, no node:path: the UI bundles it.
 */

/** The kinds of file the browser can show inline. */
export type PreviewKind = "image" | "audio" | "video";

/** The kinds of file a search may be narrowed to (`Ls` `kinds`). */
export const FILE_KINDS = ["audio", "video", "pictures", "documents"] as const;

/** One of {@link FILE_KINDS}. */
export type FileKind = typeof FILE_KINDS[number];

/** Documents beyond the table below (which serves them as octet streams). */
const DOCUMENTS = new Set([
  "pdf",
  "epub",
  "mobi",
  "azw3",
  "djvu",
  "cbz",
  "cbr",
  "txt",
  "md",
  "rtf",
  "doc",
  "docx",
  "odt",
  "xls",
  "xlsx",
  "ods",
  "ppt",
  "pptx",
  "odp",
]);

/** The content type a file is served with when its extension is not below. */
export const DEFAULT_MEDIA_TYPE = "application/octet-stream";

/** Extension (lower case, no dot) → content type. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  txt: "text/plain; charset=utf-8",
  md: "text/plain; charset=utf-8",
  json: "application/json",
  pdf: "application/pdf",
  epub: "application/epub+zip",
  zip: "application/zip",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  svg: "image/svg+xml",
  mp3: "audio/mpeg",
  flac: "audio/flac",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  wav: "audio/wav",
  m4a: "audio/mp4",
  aac: "audio/aac",
  mp4: "video/mp4",
  m4v: "video/mp4",
  mov: "video/quicktime",
  webm: "video/webm",
  mkv: "video/x-matroska",
};

/** The content type to serve a file with, by the extension of its name or path. */
export function mediaType(path: string): string {
  return MEDIA_TYPES[extension(path)] ?? DEFAULT_MEDIA_TYPE;
}

/** Which inline preview suits a file, from its content type; undefined when none does. */
export function previewKind(path: string): PreviewKind | undefined {
  const type = MEDIA_TYPES[extension(path)];
  const kind = type?.slice(0, type.indexOf("/"));
  return kind === "image" || kind === "audio" || kind === "video" ? kind : undefined;
}

/** The kind of a file for search, by its extension; undefined for anything else. */
export function fileKind(path: string): FileKind | undefined {
  const ext = extension(path);
  if (DOCUMENTS.has(ext)) return "documents";
  const type = MEDIA_TYPES[ext];
  switch (type?.slice(0, type.indexOf("/"))) {
    case "audio":
      return "audio";
    case "video":
      return "video";
    case "image":
      return "pictures";
    default:
      return undefined;
  }
}

/** The extension of the last name in `path`, lower case, without the dot; "" for `.hidden`. */
function extension(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}
