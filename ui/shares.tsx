/** @jsxImportSource preact */
/**
 * This node's shares: their index progress and audience, adding and removing (which restarts the
 * engine).
 */
import { problemText, type ShareChangeResponse, type ShareListing } from "../src/api/light.ts";
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { describeAudience } from "./audience.ts";
import { ConfirmButton } from "./confirm_button.tsx";
import { useApp } from "./context.ts";
import { useNodeEvent } from "./events.ts";
import { formatBytes, formatDate, plural } from "./format.ts";
import { upsert } from "./lists.ts";
import { waitForRestart } from "./restart.ts";
import { browseHash, routeHash } from "./route.ts";
import { ErrorNote, ListOf, Loading } from "./status.tsx";
import { type Loaded, useLoad } from "./use_load.ts";

/** The shares card; `onRestarted` runs once the engine is back with the new shares. */
export function Shares(
  { onRestarted, ownKey }: { onRestarted: () => void; ownKey: string | undefined },
): JSX.Element {
  const { client } = useApp();
  const shares = useLoad(() => client.shares(), []);
  const [restarting, setRestarting] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  useNodeEvent((event) => {
    if (event.type === "share") shares.update((list) => upsert(list, event.share, nameOf));
    if (event.type === "shares") shares.reload();
  });

  const change = async (
    op: "add" | "remove",
    request: () => Promise<ShareChangeResponse>,
  ): Promise<boolean> => {
    setError(undefined);
    setRestarting(true);
    try {
      const { share } = await request();
      await waitForRestart(client, { op, name: share.name });
      shares.reload();
      onRestarted();
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setRestarting(false);
    }
  };

  return (
    <section class="card" data-testid="shares">
      <header class="card-head">
        <h2>Shares</h2>
        {ownKey && shares.data?.length ? <a href={browseHash(ownKey, "")}>Browse</a> : null}
      </header>
      {restarting && <Loading label="Restarting with the new shares…" />}
      {error !== undefined && <ErrorNote error={error} />}
      <ShareList
        shares={shares}
        disabled={restarting}
        onRemove={(name) => void change("remove", () => client.removeShare(name))}
      />
      <AddShareForm
        disabled={restarting}
        onAdd={(path) => change("add", () => client.addShare(path))}
      />
    </section>
  );
}

function ShareList({ shares, disabled, onRemove }: {
  shares: Loaded<ShareListing[]>;
  disabled: boolean;
  onRemove: (name: string) => void;
}): JSX.Element {
  return (
    <ListOf loaded={shares} empty="Nothing shared yet: add a folder below.">
      {(list) => (
        <ul class="rows">
          {list.map((share) => (
            <ShareRow key={share.name} share={share} disabled={disabled} onRemove={onRemove} />
          ))}
        </ul>
      )}
    </ListOf>
  );
}

function ShareRow({ share, disabled, onRemove }: {
  share: ShareListing;
  disabled: boolean;
  onRemove: (name: string) => void;
}): JSX.Element {
  return (
    <li class="row share" data-testid={`share-${share.name}`}>
      <div class="grow">
        <div class="title">{share.name}</div>
        <div class="sub mono">{share.path}</div>
        <div class="sub" data-testid={`share-audience-${share.name}`}>
          Seen by: {describeAudience(share.audience)} ·{" "}
          <a href={routeHash({ tab: "friends" })} aria-label={`Change who sees ${share.name}`}>
            Change
          </a>
        </div>
        {share.problem && <div class="sub warn">{problemText(share.problem)}</div>}
      </div>
      <div class="stats" data-testid={`share-stats-${share.name}`}>
        <ShareStats share={share} />
      </div>
      <ConfirmButton
        class="quiet"
        question={`Stop sharing ${share.name}?`}
        label={`Remove the share ${share.name}`}
        disabled={disabled}
        onConfirm={() => onRemove(share.name)}
        testid={`remove-share-${share.name}`}
      >
        Remove
      </ConfirmButton>
    </li>
  );
}

function ShareStats({ share }: { share: ShareListing }): JSX.Element {
  if (share.scanning) {
    return <span class="busy">indexing… {plural(share.scannedFiles, "file")}</span>;
  }
  return (
    <span title={share.scannedAt ? `Indexed ${formatDate(share.scannedAt)}` : undefined}>
      {plural(share.files, "file")} · {formatBytes(share.bytes)}
    </span>
  );
}

function AddShareForm(
  { disabled, onAdd }: { disabled: boolean; onAdd: (path: string) => Promise<boolean> },
): JSX.Element {
  const [path, setPath] = useState("");
  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = path.trim();
    if (trimmed && await onAdd(trimmed)) setPath("");
  };
  return (
    <form class="inline-form" onSubmit={submit}>
      <input
        type="text"
        placeholder="/path/to/a/folder"
        aria-label="Folder to share"
        value={path}
        onInput={(event) => setPath(event.currentTarget.value)}
        data-testid="share-path-input"
        autocomplete="off"
        spellcheck={false}
      />
      <button type="submit" disabled={disabled || !path.trim()} data-testid="share-add-button">
        Add share
      </button>
    </form>
  );
}

function nameOf(share: ShareListing): string {
  return share.name;
}
