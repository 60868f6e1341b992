/** @jsxImportSource preact */
/**
 * The Settings screen: how this daemon was set up (download dir, transfers at once, who may
 * connect, port mapping), each with the `start` flag that changes it, and the way to the limits.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import {
  formatRate,
  hdpError,
  mappingText,
  type NodeInfo,
  type TransferCounts,
} from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { useNodeEvent } from "./events.ts";
import { ACCEPT_LABELS } from "./friends.tsx";
import { routeHash } from "./route.ts";
import { ErrorNote, Loading } from "./status.tsx";
import { useAction } from "./use_action.ts";
import { useLoad } from "./use_load.ts";

/** One setting: its name, its value in words, and the `start` flag that sets it. */
interface Fact {
  key: string;
  label: string;
  value: string;
  flag: string;
  mono?: boolean;
}

/** The Settings screen. */
export function Settings(): JSX.Element {
  const { client } = useApp();
  const info = useLoad(() => client.info(), []);
  useNodeEvent((event) => {
    if (event.type === "info" || event.type === "bandwidth") info.reload();
  });
  return (
    <div class="screen">
      <section class="card" aria-labelledby="settings-title" data-testid="settings">
        <h2 id="settings-title">Settings</h2>
        <p class="sub">
          Most are set when the daemon starts: restart it with the flag shown to change one (see
          {" "}
          <code>harddrive-party start --help</code>). Transfers at once change below, limits in
          Transfers; shares are changed on the{" "}
          <a href={routeHash({ tab: "home" })} data-testid="settings-shares-link">Home</a> screen.
        </p>
        {info.data
          ? <SettingFacts info={info.data} />
          : info.error
          ? <ErrorNote error={info.error} onRetry={info.reload} />
          : <Loading />}
      </section>
      <section class="card" aria-labelledby="settings-transfers-title">
        <h2 id="settings-transfers-title">Transfers at once</h2>
        {info.data && <TransfersForm info={info.data} onSaved={info.reload} />}
      </section>
      <section class="card" aria-labelledby="settings-limits-title">
        <h2 id="settings-limits-title">Bandwidth limits</h2>
        {info.data?.bandwidth && <LimitsNow info={info.data} />}
        <p>
          Change them at once, and add schedules, in the{" "}
          <a href={routeHash({ tab: "transfers" })} data-testid="settings-limits-link">
            Limits card of Transfers
          </a>.
        </p>
      </section>
    </div>
  );
}

function SettingFacts({ info }: { info: NodeInfo }): JSX.Element {
  return (
    <table class="settings-table">
      <thead>
        <tr>
          <th scope="col">Setting</th>
          <th scope="col">Now</th>
          <th scope="col">Changed with</th>
        </tr>
      </thead>
      <tbody>
        {settingFacts(info).map((fact) => (
          <tr key={fact.key}>
            <th scope="row">{fact.label}</th>
            <td class={fact.mono ? "mono" : undefined} data-testid={`setting-${fact.key}`}>
              {fact.value}
            </td>
            <td>
              <code>{fact.flag}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The three counts of transfers at once, changed while the daemon runs. */
const COUNTS = [
  { key: "uploadSlots", label: "Large uploads at once", testid: "upload-slots" },
  {
    key: "downloadsPerPeer",
    label: "Downloads at once from one peer",
    testid: "downloads-per-peer",
  },
  { key: "maxDownloads", label: "Downloads at once in all", testid: "max-downloads" },
] as const;

function TransfersForm(
  { info, onSaved }: { info: NodeInfo; onSaved: () => void },
): JSX.Element {
  const { client } = useApp();
  const action = useAction();
  const [draft, setDraft] = useState<Partial<Record<keyof TransferCounts, string>>>({});
  const changed = Object.keys(draft).length > 0;
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const change: Partial<TransferCounts> = {};
      for (const { key, label } of COUNTS) {
        const text = draft[key];
        if (text === undefined) continue;
        const n = Number(text);
        if (!Number.isInteger(n) || n < 1 || n > 1000) {
          throw hdpError("BAD_REQUEST", `${label}: give a whole number from 1 to 1000`);
        }
        change[key] = n;
      }
      await client.setTransfers(change);
      setDraft({});
      onSaved();
    });
  };
  return (
    <form class="limits-form" onSubmit={submit} noValidate data-testid="transfers-form">
      <p class="sub">
        Applied at once (transfers under way go on) and kept for the next start; a flag given to
        {" "}
        <code>start</code> wins over it for that run.
      </p>
      <div class="fields">
        {COUNTS.map(({ key, label, testid }) => (
          <div class="field" key={key}>
            <label class="label" for={`count-${testid}`}>{label}</label>
            <input
              id={`count-${testid}`}
              type="number"
              min={1}
              max={1000}
              step={1}
              value={draft[key] ?? String(info.transfers[key])}
              onInput={(e) => {
                const value = (e.currentTarget as HTMLInputElement).value;
                setDraft((d) => ({ ...d, [key]: value }));
              }}
              data-testid={`count-${testid}`}
            />
          </div>
        ))}
        <button type="submit" disabled={action.busy || !changed} data-testid="transfers-save">
          Save
        </button>
      </div>
      {action.error !== undefined && <ErrorNote error={action.error} />}
    </form>
  );
}

function LimitsNow({ info }: { info: NodeInfo }): JSX.Element {
  const { inForce } = info.bandwidth!;
  const rate = (value: number) => (value ? formatRate(value) : "unlimited");
  return (
    <p data-testid="settings-limits">
      Upload {rate(inForce.upload)} · download {rate(inForce.download)}
      {inForce.schedule ? ` (schedule "${inForce.schedule}")` : ""}
    </p>
  );
}

function settingFacts(info: NodeInfo): Fact[] {
  const transfers = info.transfers;
  return [
    {
      key: "download-dir",
      label: "Downloads go to",
      value: info.downloadDir,
      flag: "--download-dir DIR",
      mono: true,
    },
    {
      key: "upload-slots",
      label: "Large uploads at once",
      value: String(transfers.uploadSlots),
      flag: "--upload-slots N, or below",
    },
    {
      key: "downloads-per-peer",
      label: "Downloads at once from one peer",
      value: String(transfers.downloadsPerPeer),
      flag: "--downloads-per-peer N, or below",
    },
    {
      key: "max-downloads",
      label: "Downloads at once in all",
      value: String(transfers.maxDownloads),
      flag: "--max-downloads N, or below",
    },
    {
      key: "accept",
      label: "Who may connect",
      value: ACCEPT_LABELS[info.accept],
      flag: "--accept friends|known|everyone",
    },
    {
      key: "unlisted",
      label: "Passed on by friends",
      value: info.unlisted ? "No (unlisted)" : "Yes",
      flag: "--no-gossip-me",
    },
    {
      key: "port-mapping",
      label: "Port mapping",
      value: mappingText(info.portMapping),
      flag: "--no-port-mapping",
    },
    { key: "port", label: "UDP port", value: String(info.port), flag: "--port UDP_PORT" },
    {
      key: "ui-address",
      label: "Web UI and API",
      value: info.uiAddress,
      flag: "--ui-address HOST:PORT",
      mono: true,
    },
    {
      key: "storage",
      label: "State (key, index)",
      value: info.storageDir,
      flag: "--storage DIR",
      mono: true,
    },
  ];
}
