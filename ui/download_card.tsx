/** @jsxImportSource preact */
/** One download: progress, speed, time left, queue places, and what can be done with it. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { type DownloadAction, type DownloadItem, problemText } from "../src/api/light.ts";
import { Badge } from "./badge.tsx";
import { ConfirmButton } from "./confirm_button.tsx";
import { DownloadedFolder } from "./downloaded_folder.tsx";
import { useApp } from "./context.ts";
import { errorMessage } from "./errors.ts";
import { formatBytes, percent, plural } from "./format.ts";
import { EntryIcon } from "./icons.tsx";
import { basename, fileUrl, previewKind } from "./paths.ts";
import { Preview } from "./preview.tsx";
import { progressFacts } from "./progress_facts.ts";

const ACTIONS: Record<DownloadItem["state"], DownloadAction[]> = {
  queued: ["front", "pause", "cancel"],
  downloading: ["pause", "cancel"],
  paused: ["resume", "cancel"],
  failed: ["retry", "cancel"],
  done: [],
};

const LABELS: Record<DownloadAction, string> = {
  pause: "Pause",
  resume: "Resume",
  cancel: "Cancel",
  retry: "Retry",
  front: "Move to front",
};

/** A download's card; `onChange` gets the item after an action (or its id once cancelled). */
export function DownloadCard(
  { item, onChange }: { item: DownloadItem; onChange: (item: DownloadItem | string) => void },
): JSX.Element {
  const { client } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const act = async (action: DownloadAction) => {
    setBusy(true);
    setError("");
    try {
      const updated = await client.downloadAction(item.id, action);
      onChange(action === "cancel" ? item.id : updated);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="row transfer" data-testid={`transfer-${item.id}`}>
      <EntryIcon isDir={item.isDir} />
      <div class="grow">
        <div class="title-line">
          <span class="title" title={item.path}>{basename(item.path)}</span>
          <Badge state={item.state} testid={`transfer-state-${item.id}`} />
        </div>
        <div class="sub">
          from {item.peer.name} · <span class="mono">{item.path}</span>
        </div>
        {item.state !== "done" && <Progress item={item} />}
        {item.problem && (
          <div class="sub warn" data-testid={`transfer-problem-${item.id}`}>
            {problemText(item.problem)}
          </div>
        )}
        {error && <div class="sub warn" role="alert">{error}</div>}
        {item.state === "done" && <Finished item={item} />}
      </div>
      <div class="actions">
        {ACTIONS[item.state].map((action) =>
          action === "cancel"
            ? (
              // cancelling deletes the partial files: asked first
              <ConfirmButton
                key={action}
                question="Really cancel? Partial files are deleted."
                disabled={busy}
                onConfirm={() => act(action)}
                testid={`${action}-${item.id}`}
              >
                {LABELS[action]}
              </ConfirmButton>
            )
            : (
              <button
                type="button"
                key={action}
                class="quiet"
                disabled={busy}
                onClick={() => act(action)}
                data-testid={`${action}-${item.id}`}
              >
                {LABELS[action]}
              </button>
            )
        )}
      </div>
    </li>
  );
}

function Progress({ item }: { item: DownloadItem }): JSX.Element {
  const done = percent(item.bytesDone, item.bytes);
  // nothing listed yet: an indeterminate bar, not a full one
  const unknown = item.listing === true && item.files === 0;
  return (
    <>
      {unknown
        ? <progress max={100} aria-label="listing" />
        : <progress max={100} value={done} aria-label={`${done}%`} />}
      <div class="sub facts-line" data-testid={`transfer-progress-${item.id}`}>
        {progressFacts(item).join(" · ")}
      </div>
    </>
  );
}

function Finished({ item }: { item: DownloadItem }): JSX.Element {
  const { token } = useApp();
  const size = `${formatBytes(item.bytes)}${item.isDir ? ` · ${plural(item.files, "file")}` : ""}`;
  if (item.isDir) return <FinishedFolder item={item} size={size} />;
  const kind = previewKind(item.path);
  const url = fileUrl(item.localPath, token);
  return (
    <div class="finished">
      <span class="sub">{size}</span>
      <a href={url} target="_blank" rel="noopener" data-testid={`open-${item.id}`}>Open</a>
      {kind && <Preview kind={kind} url={url} name={basename(item.path)} />}
    </div>
  );
}

function FinishedFolder({ item, size }: { item: DownloadItem; size: string }): JSX.Element {
  const [open, setOpen] = useState(false);
  return (
    <>
      <div class="finished">
        <span class="sub">
          {size} · saved in <span class="mono">{item.localPath}</span>
        </span>
        <button
          type="button"
          class="link"
          onClick={() => setOpen(!open)}
          data-testid={`show-files-${item.id}`}
        >
          {open ? "Hide files" : "Show files"}
        </button>
      </div>
      {open && <DownloadedFolder root={item.localPath} />}
    </>
  );
}
