/** @jsxImportSource preact */
/** The Home screen: who this node is, how peers reach it, and what it shares. */
import type { JSX } from "preact";
import { candidatesText, mappingText, type NodeInfo, relayText } from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { CopyBox } from "./copy_box.tsx";
import { useNodeEvent } from "./events.ts";
import { Shares } from "./shares.tsx";
import { ErrorNote, Loading } from "./status.tsx";
import { useLoad } from "./use_load.ts";

const NAT_LABELS: Record<NodeInfo["natType"], string> = {
  none: "None: a public address",
  easy: "Easy: peers can reach this node by hole punching",
  hard: "Hard (symmetric): peers behind a hard NAT cannot reach it",
  unknown: "Unknown",
};

/** The Home screen. */
export function Home(): JSX.Element {
  const { client } = useApp();
  const info = useLoad(() => client.info(), []);
  useNodeEvent((event) => {
    if (event.type === "info") info.reload();
  });
  return (
    <div class="screen">
      {info.data?.storageProblem && (
        <section class="card" role="alert" data-testid="storage-problem">
          <h2>State store</h2>
          <p class="warn">{info.data.storageProblem.message}</p>
        </section>
      )}
      {info.data
        ? <Identity info={info.data} />
        : info.error
        ? <ErrorNote error={info.error} onRetry={info.reload} />
        : <Loading />}
      <Shares onRestarted={info.reload} ownKey={info.data?.publicKey} />
    </div>
  );
}

function Identity({ info }: { info: NodeInfo }): JSX.Element {
  return (
    <section class="card identity">
      <p class="eyebrow">This node</p>
      <h1 class="own-name" data-testid="own-name">{info.name}</h1>
      <p class="label">Announce address: give it to a peer so they can connect</p>
      <CopyBox text={info.announceAddress} testid="announce-address" />
      <dl class="facts">
        <dt>NAT type</dt>
        <dd data-testid="nat-type">{NAT_LABELS[info.natType]}</dd>
        <dt>Reachable at</dt>
        <dd class="mono" data-testid="candidates">{candidatesText(info.candidates ?? [])}</dd>
        <dt>Port mapping</dt>
        <dd data-testid="port-mapping">{mappingText(info.portMapping)}</dd>
        <dt>Relaying for others</dt>
        <dd data-testid="relaying">{relayText(info.relay)}</dd>
        <dt>Listening on</dt>
        <dd class="mono">
          {info.listening.length ? info.listening.join(", ") : "nothing yet"}
        </dd>
        <dt>Downloads go to</dt>
        <dd class="mono">{info.downloadDir}</dd>
        <dt>Version</dt>
        <dd>{info.version}</dd>
      </dl>
    </section>
  );
}
