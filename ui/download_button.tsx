/** @jsxImportSource preact */
/** Asking the daemon to download a file or folder of a peer. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { useApp } from "./context.ts";
import { errorMessage } from "./errors.ts";

/** A Download button for `path` at `peer`; it says when the item is queued or why it is not. */
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
  return (
    <span class="download">
      {error && <span class="sub warn" role="alert">{error}</span>}
      <button
        type="button"
        class={state === "queued" ? "done" : ""}
        disabled={state !== "idle"}
        onClick={download}
        data-testid={`download-${path}`}
      >
        {state === "queued" ? "Queued ✓" : state === "busy" ? "…" : label}
      </button>
    </span>
  );
}
