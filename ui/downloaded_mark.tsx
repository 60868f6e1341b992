/** @jsxImportSource preact */
/** The small "Downloaded" label of a file or folder this node has downloaded already. */
import type { JSX } from "preact";

/** The mark; `testid` names it for tests. */
export function DownloadedMark({ testid }: { testid: string }): JSX.Element {
  return (
    <span class="downloaded-mark" title="Downloaded already" data-testid={testid}>
      Downloaded
    </span>
  );
}
