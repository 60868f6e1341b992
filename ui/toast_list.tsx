/** @jsxImportSource preact */
/**
 * The toasts in the corner: downloads that finished or failed, peers that connected or went away,
 * from the event stream; each goes by itself after a few seconds.
 */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { PeerInfo } from "../src/api/light.ts";
import { useNodeEvent } from "./events.ts";
import { newsOf, nothingSeen, type Seen, seenPeers } from "./toast_news.ts";
import { dismissToast, emptyToasts, expireToasts, nextExpiry, pushToast } from "./toasts.ts";

/** The toast list; `peers` (the table as loaded) tells which peers were connected already. */
export function ToastList({ peers }: { peers: PeerInfo[] | undefined }): JSX.Element {
  const [queue, setQueue] = useState(emptyToasts);
  const seen = useRef<Seen>(nothingSeen());
  useEffect(() => {
    if (peers) seen.current = seenPeers(seen.current, peers);
  }, [peers]);
  useNodeEvent((event) => {
    const { seen: next, news } = newsOf(seen.current, event);
    seen.current = next;
    if (news) setQueue((q) => pushToast(q, news, Date.now()));
  });
  const expiry = nextExpiry(queue);
  useEffect(() => {
    if (expiry === undefined) return;
    const timer = setTimeout(
      () => setQueue((q) => expireToasts(q, Date.now())),
      Math.max(0, expiry - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [expiry]);
  return (
    <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
      {queue.toasts.map((toast) => (
        <div key={toast.id} class={`toast ${toast.tone}`} data-testid="toast">
          <span>{toast.text}</span>
          <button
            type="button"
            class="link"
            aria-label="Dismiss"
            onClick={() =>
              setQueue((q) =>
                dismissToast(q, toast.id)
              )}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
