/** This node's signed announcement of one address, kept until the address changes or it ages. */
import type { Identity } from "../transport/mod.ts";
import { signAnnouncement } from "./gossip_signature.ts";

/** A signed announce address, as gossip and mDNS carry it. */
export interface SignedAnnouncement {
  address: string;
  time: number;
  signature: Uint8Array;
}

/** An announcement is signed again after this long (peers refuse ones older than a day). */
const RESIGN_MS = 3600_000;

/** The latest signature of this node's announce address (one per channel: gossip, the LAN). */
export class OwnAnnouncement {
  readonly #identity: Identity;
  #latest: SignedAnnouncement | undefined;

  constructor(identity: Identity) {
    this.#identity = identity;
  }

  /** The latest signature of `address` when it is not due for re-signing, else undefined. */
  fresh(address: string, now: number = Date.now()): SignedAnnouncement | undefined {
    const latest = this.#latest;
    return latest && latest.address === address && now - latest.time <= RESIGN_MS
      ? latest
      : undefined;
  }

  /** The latest signature of `address` however old (still valid a while), or undefined. */
  latest(address: string): SignedAnnouncement | undefined {
    return this.#latest?.address === address ? this.#latest : undefined;
  }

  /** `address` signed: the fresh signature, or a new one. */
  async sign(address: string): Promise<SignedAnnouncement> {
    const fresh = this.fresh(address);
    if (fresh) return fresh;
    const time = Date.now();
    const signature = await signAnnouncement(this.#identity, address, time);
    this.#latest = { address, time, signature };
    return this.#latest;
  }
}
