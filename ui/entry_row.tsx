/** @jsxImportSource preact */
/** One file or folder of a peer: a folder opens, both can be downloaded (not this node's own). */
import type { JSX } from "preact";
import type { LsEntry } from "../src/api/light.ts";
import { DownloadButton } from "./download_button.tsx";
import { formatBytes, formatDate } from "./format.ts";
import { EntryIcon } from "./icons.tsx";
import { basename, dirname } from "./paths.ts";
import { useApp } from "./context.ts";
import { browseHash } from "./route.ts";

/** A row of a listing; `showFolder` adds where the entry is (search results). */
export function EntryRow(
  { peer, entry, showFolder = false }: { peer: string; entry: LsEntry; showFolder?: boolean },
): JSX.Element {
  const { isSelf } = useApp();
  const name = basename(entry.name);
  const folder = dirname(entry.name);
  return (
    <li class="row entry" data-testid={`entry-${entry.name}`}>
      <EntryIcon isDir={entry.isDir} />
      <div class="grow">
        {entry.isDir
          ? <a class="title" href={browseHash(peer, entry.name)}>{name}</a>
          : <span class="title">{name}</span>}
        {showFolder && folder && <a class="sub mono" href={browseHash(peer, folder)}>{folder}/</a>}
      </div>
      <div class="stats">
        <span>{formatBytes(entry.size)}</span>
        <span class="sub">{formatDate(entry.mtime)}</span>
      </div>
      {!isSelf(peer) && <DownloadButton peer={peer} path={entry.name} />}
    </li>
  );
}
