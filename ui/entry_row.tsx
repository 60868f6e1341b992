/** @jsxImportSource preact */
/**
 * One file or folder of a peer: a folder opens, a song or video plays in the player bar, a picture
 * opens inline, and both can be downloaded (not this node's own).
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { LsEntry } from "../src/api/light.ts";
import { DownloadButton } from "./download_button.tsx";
import { DownloadedMark } from "./downloaded_mark.tsx";
import { formatBytes, formatDate } from "./format.ts";
import { EntryIcon } from "./icons.tsx";
import { basename, dirname, previewKind } from "./paths.ts";
import { PlayButton } from "./play_button.tsx";
import { useApp } from "./context.ts";
import { PreviewMedia } from "./preview.tsx";
import { browseHash } from "./route.ts";

/** What a row shows. */
export interface EntryRowProps {
  /** The peer's key. */
  peer: string;
  /** The peer's name, for the player bar. */
  peerName: string;
  entry: LsEntry;
  /** Adds where the entry is (search results). */
  showFolder?: boolean;
  /** Every entry of the entry's folder, when the screen has them all (the player's queue). */
  siblings?: readonly LsEntry[] | undefined;
  /** Downloaded already (itself, or a folder it is in, whole). */
  downloaded?: boolean;
}

/** A row of a listing. */
export function EntryRow(
  { peer, peerName, entry, showFolder = false, siblings, downloaded = false }: EntryRowProps,
): JSX.Element {
  const { isSelf, client } = useApp();
  const [viewing, setViewing] = useState(false);
  const name = basename(entry.name);
  const folder = dirname(entry.name);
  const kind = entry.isDir ? undefined : previewKind(entry.name);
  const remote = !isSelf(peer);
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
      {remote && (
        <div class="entry-actions">
          {downloaded && <DownloadedMark testid={`downloaded-${entry.name}`} />}
          {(kind === "audio" || kind === "video") && (
            <PlayButton peer={peer} peerName={peerName} entry={entry} siblings={siblings} />
          )}
          {kind === "image" && (
            <button
              type="button"
              class="quiet view"
              aria-expanded={viewing}
              aria-label={`${viewing ? "Hide" : "View"} ${name}`}
              onClick={() => setViewing(!viewing)}
              data-testid={`view-${entry.name}`}
            >
              {viewing ? "Hide" : "View"}
            </button>
          )}
          <DownloadButton peer={peer} path={entry.name} />
        </div>
      )}
      {remote && kind === "image" && viewing && (
        <PreviewMedia kind="image" url={client.peerReadUrl(peer, entry.name)} alt={name} />
      )}
    </li>
  );
}
