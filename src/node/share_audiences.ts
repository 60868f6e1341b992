/**
 * The audience of each share while the node runs: read from the settings at start, changed at
 * run time (no restart: transfers that stay allowed go on), and turned into the filter every
 * request from a peer is answered through (see share_access.ts).
 */
import type { ShareFilter } from "../shares/mod.ts";
import { type Audience, LEGACY_AUDIENCE } from "./audience.ts";
import { shareAccess, type ShareRequest, type Viewer } from "./share_access.ts";
import type { ShareSetting } from "./settings.ts";
import { setShareAudience } from "./share_settings.ts";

/** The audiences of a node's shares. */
export class ShareAudiences {
  readonly #storageDir: string;
  readonly #audiences: Map<string, Audience>;

  constructor(storageDir: string, shares: readonly ShareSetting[]) {
    this.#storageDir = storageDir;
    this.#audiences = new Map(shares.map((s) => [s.name, s.audience ?? LEGACY_AUDIENCE]));
  }

  /** The audience of the share called `name` (a share the node does not have: nobody). */
  of(name: string): Audience {
    return this.#audiences.get(name) ?? { peers: [] };
  }

  /** Sets a share's audience, in the settings and at once; throws `NOT_FOUND` for no such share. */
  async set(name: string, audience: Audience): Promise<ShareSetting> {
    const share = await setShareAudience(this.#storageDir, name, audience);
    if (this.#audiences.has(name)) this.#audiences.set(name, audience);
    return share;
  }

  /** Which shares `viewer` may see for `request`. */
  filter(viewer: Viewer, request: ShareRequest): ShareFilter {
    return (name) => shareAccess(viewer, this.of(name), request) === "allowed";
  }
}
