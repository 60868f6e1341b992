/** This node's signed announcement of one address, kept until the address changes or it ages. */
import type { Identity } from "../transport/mod.ts";
import { signAnnouncement } from "./gossip_signature.ts";

/** A signed announce address, as gossip and mDNS carry it. */
export interface SignedAnnouncement {
  address: string;
  time: number;
  signature: Uint8Array;
  /** The peer asks not to be passed on (signed, see gossip_signature.ts). */
  unlisted?: boolean;
}

/** An announcement is signed again after this long (peers refuse ones older than a day). */
const RESIGN_MS = 3600_000;

/** The latest signature of this node's announce address (one per channel: gossip, the LAN). */
export class OwnAnnouncement {
  readonly #identity: Identity;
  readonly #unlisted: boolean;
  #latest: SignedAnnouncement | undefined;

  /** `unlisted`: signed as asking not to be passed on. */
  constructor(identity: Identity, options: { unlisted?: boolean } = {}) {
    this.#identity = identity;
    this.#unlisted = options.unlisted ?? false;
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
    const unlisted = this.#unlisted;
    const signature = await signAnnouncement(this.#identity, address, time, { unlisted });
    this.#latest = { address, time, signature, ...(unlisted ? { unlisted } : {}) };
    return this.#latest;
  }
}
