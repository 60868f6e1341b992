/** The live event stream: one WebSocket that reconnects by itself, and the hook screens listen with. */
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp } from "./context.ts";
import { type EventHub, type EventListener, parseEvent } from "./hub.ts";

/** How the stream is doing, for the connection indicator. */
export type LinkState = "connecting" | "live" | "offline";

/** The wait before reconnection attempt `attempt` (0-based): 0.5 s doubling up to 15 s. */
export function backoffDelay(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** attempt);
}

/** How long a connection must last before a reconnection starts again from the shortest wait. */
const STABLE_MS = 5_000;

/** The stream's state, and how many times it has connected (lists refetch on each). */
export interface StreamStatus {
  state: LinkState;
  epoch: number;
}

/** Keeps a WebSocket to `url` open, reconnecting with backoff; delivers its events to `hub`. */
export function useEventStream(url: string, hub: EventHub): StreamStatus {
  const [status, setStatus] = useState<StreamStatus>({ state: "connecting", epoch: 0 });
  useEffect(() => {
    let socket: WebSocket | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let openedAt = 0;
    let stopped = false;
    const connect = () => {
      clearTimeout(timer);
      socket = new WebSocket(url);
      socket.onopen = () => {
        openedAt = Date.now();
        setStatus((s) => ({ state: "live", epoch: s.epoch + 1 }));
      };
      socket.onmessage = (message) => {
        const event = parseEvent(message.data);
        if (event) hub.emit(event);
      };
      socket.onclose = () => {
        if (stopped) return;
        // only a connection that lasted resets the backoff: one closed at once is a failure too
        if (openedAt && Date.now() - openedAt > STABLE_MS) attempt = 0;
        openedAt = 0;
        setStatus((s) => ({ ...s, state: attempt < 2 ? "connecting" : "offline" }));
        timer = setTimeout(connect, backoffDelay(attempt++));
      };
    };
    // a tab coming back to the front should not wait out a long backoff
    const onVisible = () => {
      if (document.visibilityState !== "visible" || socket?.readyState !== WebSocket.CLOSED) return;
      attempt = 0;
      connect();
    };
    connect();
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
      socket?.close();
    };
  }, [url, hub]);
  return status;
}

/** Calls `listener` with every event from the daemon while the component is mounted. */
export function useNodeEvent(listener: EventListener): void {
  const { hub } = useApp();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => hub.subscribe((event) => latest.current(event)), [hub]);
}
