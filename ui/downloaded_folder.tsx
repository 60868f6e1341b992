/** @jsxImportSource preact */
/** What a finished folder download holds: its folders to open, its files to open or preview. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { useApp } from "./context.ts";
import { formatBytes } from "./format.ts";
import { EntryIcon } from "./icons.tsx";
import { basename, dirname, fileUrl, previewKind } from "./paths.ts";
import { Preview } from "./preview.tsx";
import { Empty, ErrorNote, Loading } from "./status.tsx";
import { useLoad } from "./use_load.ts";

/** The files below `root` (a path in the download dir), one folder at a time. */
export function DownloadedFolder({ root }: { root: string }): JSX.Element {
  const { client, token } = useApp();
  const [path, setPath] = useState(root);
  const folder = useLoad(() => client.downloaded(path), [path]);
  const data = folder.data;
  return (
    <div class="downloaded" data-testid={`downloaded-${root}`}>
      {path !== root && (
        <button type="button" class="link" onClick={() => setPath(dirname(path))}>
          ↑ {basename(dirname(path))}
        </button>
      )}
      {data === undefined
        ? folder.error ? <ErrorNote error={folder.error} onRetry={folder.reload} /> : <Loading />
        : data.entries.length === 0
        ? <Empty>This folder is empty.</Empty>
        : (
          <ul class="rows">
            {data.entries.map((entry) => {
              const local = `${data.path}/${entry.name}`;
              const url = fileUrl(local, token);
              const kind = previewKind(entry.name);
              return (
                <li class="row entry" key={entry.name} data-testid={`downloaded-entry-${local}`}>
                  <EntryIcon isDir={entry.isDir} />
                  <div class="grow">
                    {entry.isDir
                      ? (
                        <button
                          type="button"
                          class="link title"
                          onClick={() => setPath(local)}
                        >
                          {entry.name}
                        </button>
                      )
                      : <span class="title">{entry.name}</span>}
                    {!entry.isDir && kind && <Preview kind={kind} url={url} name={entry.name} />}
                  </div>
                  {!entry.isDir && (
                    <div class="stats">
                      <span>{formatBytes(entry.size)}</span>
                      <a href={url} target="_blank" rel="noopener" data-testid={`open-${local}`}>
                        Open
                      </a>
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      {data?.truncated && (
        <p class="note">Only the first {data.entries.length.toLocaleString("en")} are shown.</p>
      )}
    </div>
  );
}
