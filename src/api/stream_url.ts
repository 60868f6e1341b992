/**
 * The URL that streams one file of a peer (`/api/peers/PEER/read?path=…`), with the token in the
 * query when the API needs one: players and media elements cannot send a header. Browser-safe.
 */

/** Where a stream URL points and how it is authorised. */
export interface StreamTarget {
  /** The API's origin as the client reached it: `http://127.0.0.1:3030`. */
  origin: string;
  /** The peer's key: a name may stand for another peer later. */
  peerKey: string;
  /** Put in the URL when the API requires one. */
  token?: string | undefined;
}

/** The stream URL of one file of the peer. */
export function streamUrl(path: string, target: StreamTarget): string {
  const query = new URLSearchParams({ path });
  if (target.token) query.set("token", target.token);
  return `${target.origin}/api/peers/${encodeURIComponent(target.peerKey)}/read?${query}`;
}
