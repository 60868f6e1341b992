/** @jsxImportSource preact */
/** Finished transfers, newest first; refetched when a transfer finishes. */
import type { JSX } from "preact";
import type { HistoryEntry } from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { useNodeEvent } from "./events.ts";
import { formatBytes, formatDate, plural } from "./format.ts";
import { basename } from "./paths.ts";
import { ListOf } from "./status.tsx";
import { useLoad } from "./use_load.ts";

/** The history card. */
export function History(): JSX.Element {
  const { client } = useApp();
  const history = useLoad(() => client.history(), []);
  useNodeEvent((event) => {
    const finished = event.type === "upload-done" ||
      (event.type === "download" && event.item.state === "done");
    if (finished) history.reload();
  });
  return (
    <section class="card">
      <h2>History</h2>
      <ListOf loaded={history} empty="No finished transfers yet.">
        {(entries) => (
          <ul class="rows">
            {newestFirst(entries).map((entry) => (
              <HistoryRow key={`${entry.at}-${entry.direction}-${entry.path}`} entry={entry} />
            ))}
          </ul>
        )}
      </ListOf>
    </section>
  );
}

function HistoryRow({ entry }: { entry: HistoryEntry }): JSX.Element {
  const down = entry.direction === "download";
  return (
    <li class="row">
      <span class={`direction ${down ? "down" : "up"}`} title={entry.direction}>
        {down ? "↓" : "↑"}
      </span>
      <div class="grow">
        <div class="title" title={entry.path}>{basename(entry.path)}</div>
        <div class="sub">
          {down ? "from" : "to"} {entry.peer.name}
          {entry.files !== undefined && ` · ${plural(entry.files, "file")}`}
        </div>
      </div>
      <div class="stats">
        <span>{formatBytes(entry.bytes)}</span>
        <span class="sub">{formatDate(entry.at)}</span>
      </div>
    </li>
  );
}

function newestFirst(entries: HistoryEntry[]): HistoryEntry[] {
  return [...entries].sort((a, b) => b.at - a.at);
}
