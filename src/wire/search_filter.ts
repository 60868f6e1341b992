/**
 * What narrows a search besides its words: kinds of file (`Ls` `kinds`) and a range of sizes
 * (`minSize`, `maxSize`, bytes). With any of them set, only files match (no folders). Pure and
 * light: the index applies it, the API applies it again to the answers of peers too old to know
 * it (they ignore the fields), and the UI builds it.
 */
import { hdpError } from "./errors.ts";
import { FILE_KINDS, type FileKind, fileKind } from "./media_type.ts";

/** The narrowing of a search. */
export interface SearchFilter {
  kinds?: FileKind[];
  minSize?: number;
  maxSize?: number;
}

/** Whether `filter` narrows anything. */
export function filters(filter: SearchFilter): boolean {
  return filter.kinds !== undefined || filter.minSize !== undefined ||
    filter.maxSize !== undefined;
}

/** Whether an entry passes `filter` (folders do not, once anything is narrowed). */
export function passes(
  filter: SearchFilter,
  entry: { name: string; isDir: boolean; size: number },
): boolean {
  if (!filters(filter)) return true;
  if (entry.isDir) return false;
  if (filter.minSize !== undefined && entry.size < filter.minSize) return false;
  if (filter.maxSize !== undefined && entry.size > filter.maxSize) return false;
  if (filter.kinds !== undefined) {
    const kind = fileKind(entry.name);
    if (kind === undefined || !filter.kinds.includes(kind)) return false;
  }
  return true;
}

/**
 * Checks the filter fields of a request (from a peer or the API): `kinds` a list of known kinds,
 * sizes whole numbers of bytes, `minSize` ≤ `maxSize`. Throws `BAD_REQUEST` naming the field.
 */
export function parseSearchFilter(fields: Record<string, unknown>): SearchFilter {
  const filter: SearchFilter = {};
  const { kinds, minSize, maxSize } = fields;
  if (kinds !== undefined) {
    if (
      !Array.isArray(kinds) || kinds.length === 0 || kinds.length > FILE_KINDS.length ||
      !kinds.every((k) => FILE_KINDS.includes(k as FileKind))
    ) {
      throw hdpError("BAD_REQUEST", `"kinds" must be a list of ${FILE_KINDS.join(", ")}`);
    }
    filter.kinds = [...new Set(kinds as FileKind[])];
  }
  for (const [name, value] of [["minSize", minSize], ["maxSize", maxSize]] as const) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      throw hdpError("BAD_REQUEST", `"${name}" must be a whole number of bytes`);
    }
    filter[name] = value as number;
  }
  if (
    filter.minSize !== undefined && filter.maxSize !== undefined && filter.minSize > filter.maxSize
  ) {
    throw hdpError("BAD_REQUEST", '"minSize" must not be above "maxSize"');
  }
  return filter;
}
