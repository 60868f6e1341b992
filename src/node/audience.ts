/**
 * Who a share is for: everyone connected, friends only, or named peers. Kept with the share in
 * settings.json and carried by the API as the same JSON value: `"everyone"`, `"friends"` or
 * `{ "peers": [key, …] }`.
 */
import { hdpError } from "../wire/light.ts";

/** A share's audience. */
export type Audience = "everyone" | "friends" | { peers: string[] };

/** A share added from now on is for friends only until its owner says otherwise. */
export const DEFAULT_AUDIENCE: Audience = "friends";

/**
 * Shares saved before audiences existed were seen by every peer that connected: they keep that,
 * so that an upgrade does not cut off the friends who were using them (README, "Privacy").
 */
export const LEGACY_AUDIENCE: Audience = "everyone";

/** The most peers one share may name. */
export const MAX_AUDIENCE_PEERS = 256;

const KEY = /^[0-9a-f]{64}$/;

/**
 * Validates an audience read from settings or sent to the API: named peers as full keys (hex),
 * deduplicated. Throws `BAD_REQUEST` saying what is wrong.
 */
export function parseAudience(value: unknown): Audience {
  if (value === "everyone" || value === "friends") return value;
  const peers = (value as { peers?: unknown } | null)?.peers;
  if (typeof value !== "object" || value === null || !Array.isArray(peers)) {
    throw hdpError("BAD_REQUEST", 'An audience is "everyone", "friends" or {"peers": [key, …]}');
  }
  if (peers.length === 0) throw hdpError("BAD_REQUEST", "An audience of named peers names none");
  if (peers.length > MAX_AUDIENCE_PEERS) {
    throw hdpError("BAD_REQUEST", `An audience names at most ${MAX_AUDIENCE_PEERS} peers`);
  }
  for (const key of peers) {
    if (typeof key !== "string" || !KEY.test(key)) {
      throw hdpError("BAD_REQUEST", "An audience names peers by their keys (64 hex digits)");
    }
  }
  return { peers: [...new Set(peers as string[])] };
}

/**
 * The audience a person typed (`--audience friends|everyone|PEER,…`): named peers are names or key
 * prefixes for `resolve` to turn into keys (it throws `NOT_FOUND`/`CONFLICT` for one it cannot).
 */
export function audienceFromText(text: string, resolve: (peer: string) => string): Audience {
  const trimmed = text.trim();
  if (trimmed === "everyone" || trimmed === "friends") return trimmed;
  const names = trimmed.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) {
    throw hdpError("BAD_REQUEST", 'An audience is "friends", "everyone" or a list of peers');
  }
  return parseAudience({ peers: names.map(resolve) });
}

/** An audience in words, for the CLI and the log. */
export function describeAudience(audience: Audience, nameOf: (key: string) => string): string {
  if (audience === "everyone") return "everyone connected";
  if (audience === "friends") return "friends";
  return audience.peers.map(nameOf).join(", ");
}
