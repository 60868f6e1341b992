/** @jsxImportSource preact */
/** Text in a monospace box with a Copy button; selects the text where the clipboard is refused. */
import type { JSX } from "preact";
import { useRef, useState } from "preact/hooks";

/** Shows `text` with a button that copies it. */
export function CopyBox({ text, testid }: { text: string; testid: string }): JSX.Element {
  const box = useRef<HTMLElement>(null);
  const [note, setNote] = useState("");
  const copy = async () => {
    let message = "Copied";
    try {
      // undefined outside secure contexts (a daemon reached over plain http on the LAN)
      await navigator.clipboard.writeText(text);
    } catch {
      message = selectAndCopy(box.current) ? "Copied" : "Selected: press Ctrl+C";
    }
    setNote(message);
    setTimeout(() => setNote(""), 2500);
  };
  return (
    <div class="copy-box">
      <code ref={box} data-testid={testid} onClick={() => selectText(box.current)}>
        {text}
      </code>
      <button type="button" onClick={copy} data-testid={`${testid}-copy`}>
        {note || "Copy"}
      </button>
    </div>
  );
}

function selectText(element: HTMLElement | null): void {
  if (!element) return;
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

function selectAndCopy(element: HTMLElement | null): boolean {
  selectText(element);
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}
