/** @jsxImportSource preact */
/** Inline SVG icons (no icon font: the CSP allows only this origin's files). */
import type { JSX } from "preact";

/** A folder. */
export function FolderIcon(): JSX.Element {
  return (
    <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M3 6.5A1.5 1.5 0 0 1 4.5 5h4.6l2 2h8.4A1.5 1.5 0 0 1 21 8.5v9a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5z" />
    </svg>
  );
}

/** A file. */
export function FileIcon(): JSX.Element {
  return (
    <svg class="icon icon-file" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M6 3h8l4 4v13a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1z" />
      <path class="fold" d="M14 3v4h4" />
    </svg>
  );
}

/** An entry's icon. */
export function EntryIcon({ isDir }: { isDir: boolean }): JSX.Element {
  return isDir ? <FolderIcon /> : <FileIcon />;
}
