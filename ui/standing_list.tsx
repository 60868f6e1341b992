/** @jsxImportSource preact */
/**
 * Every peer with its standing, the buttons that befriend, unfriend, block or unblock it, and its
 * speed cap.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { Limits, PeerInfo } from "../src/api/light.ts";
import { Badge } from "./badge.tsx";
import { PeerLimitForm } from "./peer_limit.tsx";
import { capText } from "./rates.ts";
import { browseHash } from "./route.ts";
import { byStanding, STANDING_LABELS, standingActions } from "./standing.ts";
import { ErrorNote, ListOf } from "./status.tsx";
import type { Bandwidth } from "./use_bandwidth.ts";
import type { Loaded } from "./use_load.ts";
import { type StandingChange, useStandingChange } from "./use_standing.ts";

/** The card of peers and their standings; `bandwidth` holds their caps. */
export function StandingList(
  { peers, bandwidth }: { peers: Loaded<PeerInfo[]>; bandwidth: Bandwidth },
): JSX.Element {
  const change = useStandingChange(peers);
  return (
    <section class="card" aria-labelledby="standings-title">
      <h2 id="standings-title">Friends and other peers</h2>
      {change.error !== undefined && <ErrorNote error={change.error} />}
      <ListOf loaded={peers} empty="No peers yet: connect to a friend on the Peers screen.">
        {(list) => (
          <ul class="rows">
            {byStanding(list).map((peer) => (
              <StandingRow
                key={peer.keyHex}
                peer={peer}
                change={change}
                caps={bandwidth.data?.status.peers[peer.keyHex]}
                onAnswer={bandwidth.answered}
              />
            ))}
          </ul>
        )}
      </ListOf>
    </section>
  );
}

function StandingRow({ peer, change, caps, onAnswer }: {
  peer: PeerInfo;
  change: StandingChange;
  caps: Limits | undefined;
  onAnswer: Bandwidth["answered"];
}): JSX.Element {
  const [limiting, setLimiting] = useState(false);
  const cap = capText(caps);
  return (
    <li class="row standing-row" data-testid={`standing-row-${peer.name}`}>
      <div class="grow">
        <div class="title-line">
          <a class="title" href={browseHash(peer.keyHex, "")}>{peer.name}</a>
          <Badge state={peer.status} />
        </div>
        <div class="sub mono" title={peer.keyHex}>{peer.keyHex.slice(0, 16)}…</div>
        {cap !== "none" && (
          <div class="sub" data-testid={`peer-cap-${peer.name}`}>Speed cap: {cap}</div>
        )}
      </div>
      <Badge
        state={peer.standing}
        label={STANDING_LABELS[peer.standing]}
        testid={`standing-${peer.name}`}
      />
      <div class="actions">
        {standingActions(peer.standing).map(({ label, standing }) => (
          <button
            key={label}
            type="button"
            class={standing === "blocked" ? "danger" : "quiet"}
            disabled={change.busy}
            onClick={() => change.set(peer, standing)}
            aria-label={`${label} ${peer.name}`}
            data-testid={`${label.toLowerCase()}-${peer.name}`}
          >
            {label}
          </button>
        ))}
        <button
          type="button"
          class="quiet"
          aria-expanded={limiting}
          onClick={() => setLimiting((open) => !open)}
          aria-label={`Limit ${peer.name}'s speed`}
          data-testid={`limit-${peer.name}`}
        >
          Limit
        </button>
      </div>
      {limiting && (
        <PeerLimitForm
          peer={peer}
          caps={caps}
          onAnswer={onAnswer}
          onClose={() => setLimiting(false)}
        />
      )}
    </li>
  );
}
