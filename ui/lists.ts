/** Keeping fetched lists current as events arrive; pure functions, no DOM. */

/** The list with `item` replacing the one of the same key, or appended when new. */
export function upsert<T>(list: readonly T[], item: T, key: (item: T) => string): T[] {
  const id = key(item);
  const index = list.findIndex((other) => key(other) === id);
  if (index < 0) return [...list, item];
  const next = [...list];
  next[index] = item;
  return next;
}

/** The list without the item of key `id`. */
export function without<T>(list: readonly T[], id: string, key: (item: T) => string): T[] {
  return list.filter((item) => key(item) !== id);
}
