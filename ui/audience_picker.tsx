/** @jsxImportSource preact */
/**
 * Who sees one share: a select of friends only, everyone connected or chosen peers. The first two
 * apply at once; chosen peers are ticked first and saved with a button (an audience names one at
 * least, so unticking the last one must not reach the daemon).
 */
import type { JSX } from "preact";
import { useId, useState } from "preact/hooks";
import type { Audience, PeerInfo, ShareListing } from "../src/api/light.ts";
import {
  AUDIENCE_CHOICES,
  type AudienceChoice,
  candidates,
  choiceOf,
  chosenKeys,
  describeAudience,
  sameKeys,
  toggleKey,
} from "./audience.ts";
import { useApp } from "./context.ts";
import { ErrorNote } from "./status.tsx";
import { useAction } from "./use_action.ts";

/** What {@link AudiencePicker} takes. */
export interface AudiencePickerProps {
  share: ShareListing;
  /** The peers to choose from. */
  peers: readonly PeerInfo[];
  /** Gets the share as the daemon answered the change. */
  onChanged: (share: ShareListing) => void;
}

/** One share's row on the Friends screen. */
export function AudiencePicker({ share, peers, onChanged }: AudiencePickerProps): JSX.Element {
  const { client } = useApp();
  const action = useAction();
  const id = useId();
  // the peers being ticked, before they are saved; undefined when nothing is being edited
  const [draft, setDraft] = useState<string[] | undefined>(undefined);
  const saved = chosenKeys(share.audience);
  const choice = draft ? "peers" : choiceOf(share.audience);
  const apply = (audience: Audience) =>
    void action.run(async () => {
      onChanged(await client.setShareAudience(share.name, audience));
      setDraft(undefined);
    });
  const select = (value: AudienceChoice) => {
    if (value === "peers") return setDraft(saved);
    setDraft(undefined);
    if (value !== choiceOf(share.audience)) apply(value);
  };
  return (
    <li class="row audience-row" data-testid={`audience-row-${share.name}`}>
      <div class="grow">
        <div class="title">{share.name}</div>
        <div class="sub" data-testid={`audience-now-${share.name}`}>
          Seen by: {describeAudience(share.audience)}
        </div>
      </div>
      <label class="label" for={id}>Who sees {share.name}</label>
      <select
        id={id}
        value={choice}
        disabled={action.busy}
        onChange={(event) => select(event.currentTarget.value as AudienceChoice)}
        data-testid={`audience-${share.name}`}
      >
        {AUDIENCE_CHOICES.map(({ value, label }) => (
          <option key={value} value={value}>{label}</option>
        ))}
      </select>
      {choice === "peers" && (
        <ChosenPeers
          share={share.name}
          candidates={candidates(peers, [...saved, ...(draft ?? [])])}
          ticked={draft ?? saved}
          saved={saved}
          busy={action.busy}
          onTick={setDraft}
          onSave={(keys) => apply({ peers: keys })}
        />
      )}
      {action.error !== undefined && <ErrorNote error={action.error} />}
    </li>
  );
}

function ChosenPeers(props: {
  share: string;
  candidates: { keyHex: string; name: string }[];
  ticked: string[];
  saved: string[];
  busy: boolean;
  onTick: (keys: string[]) => void;
  onSave: (keys: string[]) => void;
}): JSX.Element {
  const { share, ticked } = props;
  const unchanged = sameKeys(ticked, props.saved);
  return (
    <fieldset class="chosen-peers" disabled={props.busy}>
      <legend class="label">The peers who see {share}</legend>
      {props.candidates.length === 0 && <p class="note">No peers to choose yet.</p>}
      {props.candidates.map(({ keyHex, name }) => (
        <label key={keyHex} class="check" title={keyHex}>
          <input
            type="checkbox"
            checked={ticked.includes(keyHex)}
            onChange={(event) =>
              props.onTick(toggleKey(ticked, keyHex, event.currentTarget.checked))}
            data-testid={`audience-peer-${share}-${name}`}
          />
          {name}
        </label>
      ))}
      <div class="actions">
        {ticked.length === 0 && <span class="sub">Tick one peer at least</span>}
        <button
          type="button"
          disabled={ticked.length === 0 || unchanged}
          onClick={() => props.onSave(ticked)}
          data-testid={`audience-save-${share}`}
        >
          Save chosen peers
        </button>
      </div>
    </fieldset>
  );
}
