/**
 * Which dials gossip may cause. An announcement proves who made it, not that the address in it is
 * theirs: anyone can make a key and sign "I am at 10.0.0.1:53". So a node dials an announced
 * address only where it makes sense for the path the announcement came by, and only so often per
 * announcing peer; it never becomes a tool to probe its own network or flood a stranger.
 */
import { addressScope } from "./address_scope.ts";

/** Dials gossip from one announcing peer may cause per minute… */
export const GOSSIP_DIALS_PER_MINUTE = 10;
/**
 * …and from a peer this node's owner trusts (added, or used): a friend introducing a group of
 * fifty should not take five minutes to be heard.
 */
export const TRUSTED_GOSSIP_DIALS_PER_MINUTE = 120;

/**
 * Why an announced address is not dialled, or undefined when it may be: loopback, unspecified,
 * multicast, broadcast, reserved and link-local addresses never are (but loopback when the
 * announcement came over loopback: peers on one host); private ones only when the announcing
 * peer is on a private network itself (the same LAN, as far as addresses tell).
 */
export function gossipDialRefusal(target: string, announcerIp: string): string | undefined {
  const scope = addressScope(target);
  const path = addressScope(announcerIp);
  switch (scope) {
    case "global":
      return undefined;
    case "loopback":
      return path === "loopback" ? undefined : "a loopback address, heard from another host";
    case "private":
      // a link-local sender (mDNS over IPv6) is on this very link
      return path === "private" || path === "loopback" || path === "link-local"
        ? undefined
        : "a private address, heard from a peer outside this network";
    default:
      return `${article(scope)} ${scope} address`;
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

/** Counts the dials each announcing peer caused, over the last minute. */
export class GossipDialRate {
  readonly #perMinute: number;
  readonly #now: () => number;
  readonly #dials = new Map<string, number[]>();

  constructor(perMinute = GOSSIP_DIALS_PER_MINUTE, now: () => number = Date.now) {
    this.#perMinute = perMinute;
    this.#now = now;
  }

  /**
   * Takes one dial for `announcer`; false when it caused its share (`perMinute`, default the
   * rate's own) in the last minute.
   */
  take(announcer: string, perMinute = this.#perMinute): boolean {
    const now = this.#now();
    const recent = (this.#dials.get(announcer) ?? []).filter((at) => now - at < 60_000);
    if (recent.length >= perMinute) {
      this.#dials.set(announcer, recent);
      return false;
    }
    recent.push(now);
    this.#dials.delete(announcer); // re-inserted last: the oldest are dropped first below
    this.#dials.set(announcer, recent);
    if (this.#dials.size > 1024) this.#dials.delete(this.#dials.keys().next().value!);
    return true;
  }

  /** How long until `announcer` may cause a dial again (0: now), with `perMinute` as in take. */
  waitFor(announcer: string, perMinute = this.#perMinute): number {
    const now = this.#now();
    const recent = (this.#dials.get(announcer) ?? []).filter((at) => now - at < 60_000);
    if (recent.length < perMinute) return 0;
    return recent[recent.length - perMinute]! + 60_000 - now;
  }
}
