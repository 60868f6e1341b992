/** @jsxImportSource preact */
/** The Peers screen: known peers, their connection state and standing; a peer opens its files. */
import { pathText, type PeerInfo, problemText } from "../src/api/light.ts";
import type { JSX } from "preact";
import { Badge } from "./badge.tsx";
import { ConnectForm } from "./connect_form.tsx";
import { formatDate } from "./format.ts";
import { upsert, without } from "./lists.ts";
import { browseHash, routeHash } from "./route.ts";
import { friendRequests, STANDING_LABELS } from "./standing.ts";
import { ConfirmButton } from "./confirm_button.tsx";
import { useApp } from "./context.ts";
import { ErrorNote, ListOf } from "./status.tsx";
import { useAction } from "./use_action.ts";
import type { Loaded } from "./use_load.ts";
import { peerKey } from "./use_peers.ts";

const ORDER: Record<PeerInfo["status"], number> = {
  connected: 0,
  connecting: 1,
  disconnected: 2,
  failed: 3,
};

/** The Peers screen, over the live peer table. */
export function Peers({ peers }: { peers: Loaded<PeerInfo[]> }): JSX.Element {
  const requests = peers.data ? friendRequests(peers.data) : [];
  return (
    <div class="screen">
      {requests.length > 0 && <RequestsNotice requests={requests} />}
      <section class="card">
        <ConnectForm
          peers={peers.data}
          onConnect={(peer) => peers.update((all) => upsert(all, peer, peerKey))}
        />
      </section>
      <section class="card">
        <h2>Peers</h2>
        <ListOf loaded={peers} empty="No peers yet: paste a friend's announce address above.">
          {(list) => (
            <ul class="rows">
              {sortPeers(list).map((peer) => (
                <PeerRow
                  key={peer.keyHex}
                  peer={peer}
                  onForgotten={(key) => peers.update((all) => without(all, key, peerKey))}
                />
              ))}
            </ul>
          )}
        </ListOf>
      </section>
    </div>
  );
}

/** Who asks to be a friend, with the way to the Friends screen where they are answered. */
function RequestsNotice({ requests }: { requests: PeerInfo[] }): JSX.Element {
  return (
    <section class="card notice" role="status" data-testid="requests-notice">
      <ul class="rows">
        {requests.map((peer) => (
          <li key={peer.keyHex} class="row">
            <span>
              <strong>{peer.name}</strong> wants to be your friend
            </span>
          </li>
        ))}
      </ul>
      <a href={routeHash({ tab: "friends" })} data-testid="requests-answer">
        Answer in Friends
      </a>
    </section>
  );
}

function PeerRow(
  { peer, onForgotten }: { peer: PeerInfo; onForgotten: (keyHex: string) => void },
): JSX.Element {
  const where = peer.address ? `${peer.address.ip}:${peer.address.port}` : "";
  return (
    <li class="peer-item">
      <a class="row link-row" href={browseHash(peer.keyHex, "")} data-testid={`peer-${peer.name}`}>
        <div class="grow">
          <div class="title">{peer.name}</div>
          <div class="sub mono" title={peer.keyHex}>
            {peer.keyHex.slice(0, 16)}… {where && `· ${where}`}
          </div>
          {peer.path && peer.status === "connected" && (
            <div class="sub" data-testid={`peer-path-${peer.name}`}>
              Connected via {pathText(peer.path)}
            </div>
          )}
          {peer.problem && peer.status !== "connected" && (
            <div class="sub warn" data-testid={`peer-problem-${peer.name}`}>
              {unreachableText(peer)}
            </div>
          )}
          {peer.retryAt && peer.status !== "connected" && (
            <div class="sub">Retrying at {formatDate(peer.retryAt)}</div>
          )}
        </div>
        <Badge
          state={peer.standing}
          label={STANDING_LABELS[peer.standing]}
          testid={`peer-standing-${peer.name}`}
        />
        <Badge state={peer.status} testid={`peer-status-${peer.name}`} />
      </a>
      <ForgetPeer peer={peer} onForgotten={onForgotten} />
    </li>
  );
}

/** Why a peer cannot be reached now, in words. */
function unreachableText(peer: PeerInfo): string {
  const why = problemText(peer.problem!);
  return peer.status === "failed" ? `Cannot be reached: ${why}` : why;
}

/** Forgetting a peer, asked first: its record and standing go, its connection closes. */
function ForgetPeer(
  { peer, onForgotten }: { peer: PeerInfo; onForgotten: (keyHex: string) => void },
): JSX.Element {
  const { client } = useApp();
  const action = useAction();
  return (
    <div class="peer-actions">
      <ConfirmButton
        question={`Forget ${peer.name}?`}
        label={`Forget ${peer.name}`}
        disabled={action.busy}
        onConfirm={() =>
          void action.run(async () => {
            await client.forgetPeer(peer.keyHex);
            onForgotten(peer.keyHex);
          })}
        testid={`forget-peer-${peer.name}`}
      >
        Forget
      </ConfirmButton>
      {action.error !== undefined && <ErrorNote error={action.error} />}
    </div>
  );
}

function sortPeers(peers: PeerInfo[]): PeerInfo[] {
  return [...peers].sort((a, b) =>
    ORDER[a.status] - ORDER[b.status] || a.name.localeCompare(b.name)
  );
}
