/** @jsxImportSource preact */
/** The Friends screen's card of shares, each with who sees it and the control that changes it. */
import type { JSX } from "preact";
import type { PeerInfo, ShareListing } from "../src/api/light.ts";
import { AudiencePicker } from "./audience_picker.tsx";
import { useApp } from "./context.ts";
import { useNodeEvent } from "./events.ts";
import { upsert } from "./lists.ts";
import { ListOf } from "./status.tsx";
import { useLoad } from "./use_load.ts";

/** The shares and their audiences; `peers` are those a share may be given to. */
export function ShareAudiences({ peers }: { peers: readonly PeerInfo[] }): JSX.Element {
  const { client } = useApp();
  const shares = useLoad(() => client.shares(), []);
  const changed = (share: ShareListing) => shares.update((list) => upsert(list, share, nameOf));
  useNodeEvent((event) => {
    if (event.type === "share") changed(event.share);
    if (event.type === "shares") shares.reload();
  });
  return (
    <section class="card" aria-labelledby="audiences-title">
      <h2 id="audiences-title">Who sees your shares</h2>
      <p class="sub">
        A peer that is not in a share's audience does not see the share at all, and its downloads
        from it stop.
      </p>
      <ListOf loaded={shares} empty="Nothing shared yet: add a folder on the Home screen.">
        {(list) => (
          <ul class="rows">
            {list.map((share) => (
              <AudiencePicker key={share.name} share={share} peers={peers} onChanged={changed} />
            ))}
          </ul>
        )}
      </ListOf>
    </section>
  );
}

function nameOf(share: ShareListing): string {
  return share.name;
}
