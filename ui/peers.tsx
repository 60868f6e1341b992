/** @jsxImportSource preact */
/** The Peers screen: known peers and their connection state; a peer opens its files. */
import { type PeerInfo, problemText } from "../src/api/light.ts";
import type { JSX } from "preact";
import { Badge } from "./badge.tsx";
import { ConnectForm } from "./connect_form.tsx";
import { useApp } from "./context.ts";
import { useNodeEvent } from "./events.ts";
import { formatDate } from "./format.ts";
import { upsert, without } from "./lists.ts";
import { browseHash } from "./route.ts";
import { ListOf } from "./status.tsx";
import { useLoad } from "./use_load.ts";

const ORDER: Record<PeerInfo["status"], number> = {
  connected: 0,
  connecting: 1,
  disconnected: 2,
  failed: 3,
};

/** The Peers screen. */
export function Peers(): JSX.Element {
  const { client } = useApp();
  const peers = useLoad(() => client.peers(), []);
  useNodeEvent((event) => {
    if (event.type === "peer") peers.update((list) => upsert(list, event.peer, keyOf));
    if (event.type === "peer-removed") {
      peers.update((list) => without(list, event.keyHex, keyOf));
    }
  });
  return (
    <div class="screen">
      <section class="card">
        <ConnectForm onConnect={(peer) => peers.update((all) => upsert(all, peer, keyOf))} />
      </section>
      <section class="card">
        <h2>Peers</h2>
        <ListOf loaded={peers} empty="No peers yet: paste a friend's announce address above.">
          {(list) => (
            <ul class="rows">
              {sortPeers(list).map((peer) => <PeerRow key={peer.keyHex} peer={peer} />)}
            </ul>
          )}
        </ListOf>
      </section>
    </div>
  );
}

function PeerRow({ peer }: { peer: PeerInfo }): JSX.Element {
  const where = peer.address ? `${peer.address.ip}:${peer.address.port}` : "";
  return (
    <li>
      <a class="row link-row" href={browseHash(peer.keyHex, "")} data-testid={`peer-${peer.name}`}>
        <div class="grow">
          <div class="title">{peer.name}</div>
          <div class="sub mono" title={peer.keyHex}>
            {peer.keyHex.slice(0, 16)}… {where && `· ${where}`}
          </div>
          {peer.problem && <div class="sub warn">{problemText(peer.problem)}</div>}
          {peer.retryAt && peer.status !== "connected" && (
            <div class="sub">Retrying at {formatDate(peer.retryAt)}</div>
          )}
        </div>
        <Badge state={peer.status} testid={`peer-status-${peer.name}`} />
      </a>
    </li>
  );
}

function sortPeers(peers: PeerInfo[]): PeerInfo[] {
  return [...peers].sort((a, b) =>
    ORDER[a.status] - ORDER[b.status] || a.name.localeCompare(b.name)
  );
}

function keyOf(peer: PeerInfo): string {
  return peer.keyHex;
}
