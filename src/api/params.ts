/** Reading request parameters and bodies into typed values, with coded errors. */
import { hdpError, type LsQuery, parseSearchFilter, searchWords } from "../wire/mod.ts";
import type { SearchQuery } from "./types.ts";

const MAX_BODY = 64 * 1024;

type FieldType = "string" | "number" | "boolean";
type Typed<S extends Record<string, FieldType>> = {
  [K in keyof S]: S[K] extends "string" ? string : S[K] extends "number" ? number : boolean;
};

/** Parses a JSON body with the given required fields; throws `BAD_REQUEST` or `TOO_LARGE`. */
export async function jsonBody<S extends Record<string, FieldType>>(
  request: Request,
  shape: S,
): Promise<Typed<S>> {
  const text = await request.text();
  if (text.length > MAX_BODY) throw hdpError("TOO_LARGE", "The request body is too large");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw hdpError("BAD_REQUEST", "The request body is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw hdpError("BAD_REQUEST", "The request body must be a JSON object");
  }
  for (const [field, type] of Object.entries(shape)) {
    const actual: string = typeof (value as Record<string, unknown>)[field];
    if (actual !== type) {
      throw hdpError("BAD_REQUEST", `"${field}" must be a ${type}`);
    }
  }
  return value as Typed<S>;
}

/** Reads `path`, `recursive`, `search`, `cursor` and `limit` from a URL's query string. */
export function lsQueryFrom(url: URL): LsQuery {
  const params = url.searchParams;
  const query: LsQuery = { path: params.get("path") ?? "" };
  const recursive = params.get("recursive");
  if (recursive !== null) query.recursive = booleanParam("recursive", recursive);
  const search = params.get("search");
  if (search !== null && search !== "") query.searchTerm = search;
  const cursor = params.get("cursor");
  if (cursor !== null && cursor !== "") query.cursor = cursor;
  const limit = limitParam(params);
  if (limit !== undefined) query.limit = limit;
  return query;
}

/** Reads `q`, `peer`, `cursor` and `limit` of a search; a cursor needs a peer (it is one peer's). */
export function searchQueryFrom(url: URL): SearchQuery {
  const params = url.searchParams;
  const term = params.get("q") ?? "";
  if (term.trim() === "") throw hdpError("BAD_REQUEST", '"q" is required: the words to search for');
  searchWords(term); // refuses here, once, a term every peer would refuse
  const query: SearchQuery = { term };
  const peer = params.get("peer");
  if (peer !== null && peer !== "") query.peer = peer;
  const cursor = params.get("cursor");
  if (cursor !== null && cursor !== "") {
    if (query.peer === undefined) {
      throw hdpError(
        "BAD_REQUEST",
        '"cursor" needs "peer": a cursor continues one peer\'s results',
      );
    }
    query.cursor = cursor;
  }
  const limit = limitParam(params);
  if (limit !== undefined) query.limit = limit;
  const kind = params.get("kind");
  const bytes = (name: string) => {
    const text = params.get(name);
    if (text === null || text === "") return undefined;
    if (!/^\d+$/.test(text)) {
      throw hdpError("BAD_REQUEST", `"${name}" must be a whole number of bytes`);
    }
    return Number(text);
  };
  Object.assign(
    query,
    parseSearchFilter({
      ...(kind ? { kinds: kind.split(",") } : {}),
      minSize: bytes("min"),
      maxSize: bytes("max"),
    }),
  );
  return query;
}

function limitParam(params: URLSearchParams): number | undefined {
  const limit = params.get("limit");
  if (limit === null) return undefined;
  if (!/^\d+$/.test(limit)) throw hdpError("BAD_REQUEST", '"limit" must be a whole number');
  return Number(limit);
}

function booleanParam(name: string, value: string): boolean {
  if (value === "" || value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw hdpError("BAD_REQUEST", `"${name}" must be true or false`);
}

/** Reads `path`, `start` and `end` of a read request from a URL's query string. */
export function readQueryFrom(url: URL): { path: string; start?: number; end?: number } {
  const path = url.searchParams.get("path");
  if (!path) throw hdpError("BAD_REQUEST", '"path" is required');
  const out: { path: string; start?: number; end?: number } = { path };
  for (const name of ["start", "end"] as const) {
    const value = url.searchParams.get(name);
    if (value === null) continue;
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw hdpError("BAD_REQUEST", `"${name}" must be a whole number`);
    }
    out[name] = Number(value);
  }
  return out;
}
