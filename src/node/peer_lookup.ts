/** Finding a peer by what a person types: its name, a prefix of its key, or the whole key. */
import { hdpError, type PeerRef } from "../wire/mod.ts";

/**
 * Finds the one peer that `text` names: a whole key, a key prefix of 4+ hex digits, or a name
 * (any case). Throws `NOT_FOUND`, or `CONFLICT` naming the candidates when it is ambiguous.
 */
export function findPeer<T extends PeerRef>(peers: readonly T[], text: string): T {
  const lower = text.toLowerCase();
  const byKey = peers.filter((p) => p.keyHex === lower);
  if (byKey.length === 1) return byKey[0]!;
  const byName = peers.filter((p) => p.name.toLowerCase() === lower);
  const byPrefix = /^[0-9a-f]{4,}$/.test(lower)
    ? peers.filter((p) => p.keyHex.startsWith(lower))
    : [];
  const matches = [...new Set([...byName, ...byPrefix])];
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw hdpError("NOT_FOUND", `No peer called "${text}"`);
  const list = matches.map((p) => `${p.name} (${p.keyHex.slice(0, 8)})`).join(", ");
  throw hdpError("CONFLICT", `"${text}" could be any of: ${list}; use a key prefix`);
}
