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

/** The close code the daemon sends when its engine restarts (a share was added or removed). */
export const RESTART_CLOSE_CODE = 1012;

/** How long after a restart close the stream keeps retrying at the shortest wait. */
export const RESTART_WINDOW_MS = 60_000;

/**
 * The wait before the next reconnection: the shortest while the daemon said it is restarting
 * (it is back in seconds, and a doubling wait would leave the screens stale long after), else
 * {@link backoffDelay}.
 */
export function reconnectDelay(attempt: number, now: number, restartUntil: number): number {
  return now < restartUntil ? backoffDelay(0) : backoffDelay(attempt);
}

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
    let restartUntil = 0;
    let stopped = false;
    const connect = () => {
      clearTimeout(timer);
      socket = new WebSocket(url);
      socket.onopen = () => {
        openedAt = Date.now();
        restartUntil = 0;
        setStatus((s) => ({ state: "live", epoch: s.epoch + 1 }));
      };
      socket.onmessage = (message) => {
        const event = parseEvent(message.data);
        if (event) hub.emit(event);
      };
      socket.onclose = (close) => {
        if (stopped) return;
        const now = Date.now();
        if (close.code === RESTART_CLOSE_CODE) restartUntil = now + RESTART_WINDOW_MS;
        // only a connection that lasted resets the backoff: one closed at once is a failure too
        if (openedAt && now - openedAt > STABLE_MS) attempt = 0;
        openedAt = 0;
        const restarting = now < restartUntil;
        setStatus((s) => ({ ...s, state: attempt < 2 || restarting ? "connecting" : "offline" }));
        timer = setTimeout(connect, reconnectDelay(attempt++, now, restartUntil));
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
