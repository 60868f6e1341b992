/** @jsxImportSource preact */
/** Asking the daemon to download a file or folder of a peer. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { useApp } from "./context.ts";
import { errorMessage } from "./errors.ts";
import { basename } from "./paths.ts";

/**
 * A Download button for `path` at `peer`; it says when the item is queued or why it is not, and
 * names the file or folder to screen readers.
 */
export function DownloadButton(
  { peer, path, label = "Download" }: { peer: string; path: string; label?: string },
): JSX.Element {
  const { client } = useApp();
  const [state, setState] = useState<"idle" | "busy" | "queued">("idle");
  const [error, setError] = useState("");
  const download = async () => {
    setState("busy");
    setError("");
    try {
      await client.download(peer, path);
      setState("queued");
    } catch (failure) {
      setError(errorMessage(failure));
      setState("idle");
    }
  };
  const name = basename(path);
  const spoken = state === "queued"
    ? `${name} queued`
    : state === "busy"
    ? `Asking to download ${name}`
    : `${label} ${name}`;
  return (
    <span class="download">
      {error && <span class="sub warn" role="alert">{error}</span>}
      <button
        type="button"
        class={state === "queued" ? "done" : ""}
        disabled={state !== "idle"}
        aria-label={spoken}
        onClick={download}
        data-testid={`download-${path}`}
      >
        {state === "queued" ? "Queued ✓" : state === "busy" ? "…" : label}
      </button>
    </span>
  );
}
