/** The UI's event hub: the one WebSocket's events, fanned out to the screens that listen. */
import type { NodeEvent } from "../src/api/light.ts";

/** A listener of daemon events. */
export type EventListener = (event: NodeEvent) => void;

/** Subscribe to events; emit what the stream delivers. */
export interface EventHub {
  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  emit(event: NodeEvent): void;
}

/** Makes an empty hub. */
export function createHub(): EventHub {
  const listeners = new Set<EventListener>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(event) {
      for (const listener of listeners) listener(event);
    },
  };
}

/** Reads one WebSocket message into an event; undefined for anything that is not one. */
export function parseEvent(data: unknown): NodeEvent | undefined {
  if (typeof data !== "string") return undefined;
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value === "object" && value !== null && "type" in value) {
      return typeof value.type === "string" ? value as NodeEvent : undefined;
    }
  } catch {
    // not JSON: ignored like any unknown message
  }
  return undefined;
}
