import assert from "node:assert/strict";
import {
  dismissToast,
  emptyToasts,
  expireToasts,
  MAX_TOASTS,
  nextExpiry,
  pushToast,
  TOAST_MS,
} from "./toasts.ts";

const done = { text: "Downloaded a.flac", tone: "good" } as const;

Deno.test("a pushed toast shows for TOAST_MS and then expires", () => {
  const queue = pushToast(emptyToasts(), done, 1_000);
  assert.deepEqual(queue.toasts, [{ ...done, id: 1, until: 1_000 + TOAST_MS }]);
  assert.equal(nextExpiry(queue), 1_000 + TOAST_MS);
  assert.equal(expireToasts(queue, 1_000 + TOAST_MS - 1), queue);
  assert.deepEqual(expireToasts(queue, 1_000 + TOAST_MS).toasts, []);
});

Deno.test("at most MAX_TOASTS show: a new toast pushes the oldest out", () => {
  let queue = emptyToasts();
  for (let i = 0; i < MAX_TOASTS + 2; i++) {
    queue = pushToast(queue, { text: `t${i}`, tone: "info" }, i);
  }
  assert.equal(queue.toasts.length, MAX_TOASTS);
  assert.deepEqual(queue.toasts.map((t) => t.text), ["t2", "t3", "t4"]);
  assert.deepEqual(queue.toasts.map((t) => t.id), [3, 4, 5]);
});

Deno.test("a dismissed toast goes at once, the others stay; an empty queue has no expiry", () => {
  const queue = pushToast(pushToast(emptyToasts(), done, 0), { text: "b", tone: "bad" }, 5, {
    ms: 10,
  });
  assert.equal(nextExpiry(queue), 15);
  assert.deepEqual(dismissToast(queue, 1).toasts.map((t) => t.text), ["b"]);
  assert.equal(nextExpiry(emptyToasts()), undefined);
});
