/** @jsxImportSource preact */
/** An inline preview of a picture, song or video (downloaded, or a peer's), shown on demand. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { PreviewKind } from "./paths.ts";

/** A Preview toggle; the media loads only once it is opened. `name` names the file to screen readers. */
export function Preview(
  { kind, url, name }: { kind: PreviewKind; url: string; name?: string },
): JSX.Element {
  const [open, setOpen] = useState(false);
  const label = open ? "Hide preview" : "Preview";
  return (
    <>
      <button
        type="button"
        class="link"
        aria-expanded={open}
        aria-label={name ? `${label} of ${name}` : undefined}
        onClick={() => setOpen(!open)}
      >
        {label}
      </button>
      {open && <PreviewMedia kind={kind} url={url} />}
    </>
  );
}

/** The picture, or the song or video with its controls, in the preview's frame. */
export function PreviewMedia(
  { kind, url, alt = "" }: { kind: PreviewKind; url: string; alt?: string },
): JSX.Element {
  return (
    <div class="preview">
      {kind === "image" && <img src={url} alt={alt} />}
      {kind === "audio" && <audio src={url} controls />}
      {kind === "video" && <video src={url} controls />}
    </div>
  );
}
