/** @jsxImportSource preact */
/** What peers are downloading from this node, kept live by `upload` and `upload-done` events. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { UploadInfo } from "../src/api/light.ts";
import { Badge } from "./badge.tsx";
import { useApp } from "./context.ts";
import { errorMessage } from "./errors.ts";
import { useNodeEvent } from "./events.ts";
import { formatBytes, formatSpeed, percent } from "./format.ts";
import { upsert, without } from "./lists.ts";
import { basename } from "./paths.ts";
import { ListOf } from "./status.tsx";
import { useLoad } from "./use_load.ts";

/** The uploads card. */
export function Uploads(): JSX.Element {
  const { client } = useApp();
  const uploads = useLoad(() => client.uploads(), []);
  useNodeEvent((event) => {
    if (event.type === "upload") uploads.update((list) => upsert(list, event.upload, idOf));
    if (event.type === "upload-done") uploads.update((list) => without(list, event.id, idOf));
  });
  return (
    <section class="card">
      <h2>Uploads</h2>
      <ListOf loaded={uploads} empty="Nobody is downloading from you right now.">
        {(items) => (
          <ul class="rows">
            {items.map((u) => (
              <UploadRow
                key={u.id}
                upload={u}
                onCancelled={(id) => uploads.update((list) => without(list, id, idOf))}
              />
            ))}
          </ul>
        )}
      </ListOf>
    </section>
  );
}

function UploadRow(
  { upload, onCancelled }: { upload: UploadInfo; onCancelled: (id: string) => void },
): JSX.Element {
  const { client } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const cancel = async () => {
    setBusy(true);
    setError("");
    try {
      await client.cancelUpload(upload.id);
      onCancelled(upload.id);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  const done = percent(upload.bytesDone, upload.bytes);
  const facts = upload.state === "queued"
    ? [upload.position ? `#${upload.position} in queue` : "waiting"]
    : [`${done}%`, `${formatBytes(upload.bytesDone)} of ${formatBytes(upload.bytes)}`];
  if (upload.state === "uploading") facts.push(formatSpeed(upload.speed));
  return (
    <li class="row transfer" data-testid={`upload-${upload.id}`}>
      <div class="grow">
        <div class="title-line">
          <span class="title" title={upload.path}>{basename(upload.path)}</span>
          <Badge state={upload.state} />
        </div>
        <div class="sub">
          to {upload.peer.name} · <span class="mono">{upload.path}</span>
        </div>
        {upload.state === "uploading" && <progress max={100} value={done} />}
        <div class="sub">{facts.filter(Boolean).join(" · ")}</div>
        {error && <div class="sub warn" role="alert">{error}</div>}
      </div>
      <div class="actions">
        <button
          type="button"
          class="quiet danger"
          disabled={busy}
          onClick={cancel}
          title={`Stop sending this file to ${upload.peer.name}`}
          data-testid={`cancel-upload-${upload.id}`}
        >
          Cancel
        </button>
      </div>
    </li>
  );
}

function idOf(upload: UploadInfo): string {
  return upload.id;
}
