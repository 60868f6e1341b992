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

/** Play (a triangle). */
export function PlayIcon(): JSX.Element {
  return (
    <svg class="icon icon-control" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M8 5.5v13a1 1 0 0 0 1.5.86l10.5-6.5a1 1 0 0 0 0-1.72L9.5 4.64A1 1 0 0 0 8 5.5z" />
    </svg>
  );
}

/** Pause (two bars). */
export function PauseIcon(): JSX.Element {
  return (
    <svg class="icon icon-control" viewBox="0 0 24 24" aria-hidden="true">
      <rect x="6" y="5" width="4" height="14" rx="1" />
      <rect x="14" y="5" width="4" height="14" rx="1" />
    </svg>
  );
}

/** Previous track (a bar and a triangle pointing back). */
export function PreviousIcon(): JSX.Element {
  return (
    <svg class="icon icon-control" viewBox="0 0 24 24" aria-hidden="true">
      <rect x="5" y="5" width="3" height="14" rx="1" />
      <path d="M19 6.3v11.4a1 1 0 0 1-1.5.86l-8.7-5.7a1 1 0 0 1 0-1.72l8.7-5.7A1 1 0 0 1 19 6.3z" />
    </svg>
  );
}

/** Next track (a triangle and a bar). */
export function NextIcon(): JSX.Element {
  return (
    <svg class="icon icon-control" viewBox="0 0 24 24" aria-hidden="true">
      <rect x="16" y="5" width="3" height="14" rx="1" />
      <path d="M5 6.3v11.4a1 1 0 0 0 1.5.86l8.7-5.7a1 1 0 0 0 0-1.72l-8.7-5.7A1 1 0 0 0 5 6.3z" />
    </svg>
  );
}

/** Close (a cross). */
export function CloseIcon(): JSX.Element {
  return (
    <svg class="icon icon-control icon-stroke" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M6 6l12 12M18 6L6 18" />
    </svg>
  );
}
