/** The toast queue: short notices that dismiss themselves; pure functions, no DOM or timers. */

/** How long a toast shows, in ms. */
export const TOAST_MS = 6_000;

/** How many toasts show at once; a new one pushes the oldest out. */
export const MAX_TOASTS = 3;

/** What a toast says, and how: `good` (done), `bad` (failed, went away) or `info`. */
export interface ToastNews {
  text: string;
  tone: "good" | "bad" | "info";
}

/** A toast on screen, until `until` (ms since the epoch). */
export interface Toast extends ToastNews {
  id: number;
  until: number;
}

/** The toasts showing, oldest first, and the id the next one gets. */
export interface ToastQueue {
  toasts: Toast[];
  nextId: number;
}

/** A queue with nothing in it. */
export function emptyToasts(): ToastQueue {
  return { toasts: [], nextId: 1 };
}

/** The queue with `news` shown from `now` for `options.ms` (default {@link TOAST_MS}). */
export function pushToast(
  queue: ToastQueue,
  news: ToastNews,
  now: number,
  options: { ms?: number } = {},
): ToastQueue {
  const toast: Toast = { ...news, id: queue.nextId, until: now + (options.ms ?? TOAST_MS) };
  return { toasts: [...queue.toasts, toast].slice(-MAX_TOASTS), nextId: queue.nextId + 1 };
}

/** The queue without the toasts whose time is up at `now` (the same queue when none is). */
export function expireToasts(queue: ToastQueue, now: number): ToastQueue {
  const left = queue.toasts.filter((t) => t.until > now);
  return left.length === queue.toasts.length ? queue : { ...queue, toasts: left };
}

/** The queue without toast `id`: the reader closed it. */
export function dismissToast(queue: ToastQueue, id: number): ToastQueue {
  return { ...queue, toasts: queue.toasts.filter((t) => t.id !== id) };
}

/** When the next toast's time is up; undefined when none shows. */
export function nextExpiry(queue: ToastQueue): number | undefined {
  return queue.toasts.length ? Math.min(...queue.toasts.map((t) => t.until)) : undefined;
}
