/** @jsxImportSource preact */
/** An inline preview of a downloaded picture, song or video, shown on demand. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { PreviewKind } from "./paths.ts";

/** A Preview toggle; the media loads only once it is opened. */
export function Preview({ kind, url }: { kind: PreviewKind; url: string }): JSX.Element {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" class="link" onClick={() => setOpen(!open)}>
        {open ? "Hide preview" : "Preview"}
      </button>
      {open && (
        <div class="preview">
          {kind === "image" && <img src={url} alt="" />}
          {kind === "audio" && <audio src={url} controls />}
          {kind === "video" && <video src={url} controls />}
        </div>
      )}
    </>
  );
}
