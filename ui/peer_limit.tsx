/** @jsxImportSource preact */
/**
 * Capping one peer's speed from its row on the Friends screen: one rate for both ways, saved with
 * `setPeerLimit`; removing the cap sets both ways to 0.
 */
import type { JSX } from "preact";
import { useId, useState } from "preact/hooks";
import type { BandwidthStatus, Limits, PeerInfo } from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { rateInputText, readRate } from "./rates.ts";
import { ErrorNote } from "./status.tsx";
import { useAction } from "./use_action.ts";

/** What {@link PeerLimitForm} takes. */
export interface PeerLimitProps {
  peer: PeerInfo;
  /** The peer's caps now; undefined when it has none. */
  caps: Limits | undefined;
  /** Gets the daemon's answer, once the cap is saved or removed. */
  onAnswer: (status: BandwidthStatus) => void;
  /** Closes the form (after a change, or on Cancel). */
  onClose: () => void;
}

/** The form under a peer's row. */
export function PeerLimitForm({ peer, caps, onAnswer, onClose }: PeerLimitProps): JSX.Element {
  const { client } = useApp();
  const action = useAction();
  const id = useId();
  const capped = caps !== undefined && (caps.upload > 0 || caps.download > 0);
  const [text, setText] = useState(
    () => (capped ? rateInputText(Math.max(caps.upload, caps.download)) : ""),
  );
  const save = (rate: () => number) =>
    void action.run(async () => {
      const both = rate();
      onAnswer(await client.setPeerLimit(peer.keyHex, { upload: both, download: both }));
      onClose();
    });
  return (
    <form
      class="peer-limit"
      onSubmit={(event) => {
        event.preventDefault();
        save(() => readRate(text, "Speed cap"));
      }}
      data-testid={`peer-limit-form-${peer.name}`}
    >
      <label class="label" for={id}>Speed cap for {peer.name}, each way</label>
      <div class="inline-form">
        <input
          id={id}
          type="text"
          value={text}
          placeholder="1MB/s"
          onInput={(event) => setText(event.currentTarget.value)}
          data-testid={`peer-limit-input-${peer.name}`}
          autocomplete="off"
          spellcheck={false}
        />
        <button type="submit" disabled={action.busy} data-testid={`peer-limit-save-${peer.name}`}>
          Save cap
        </button>
        {capped && (
          <button
            type="button"
            class="quiet"
            disabled={action.busy}
            onClick={() => save(() => 0)}
            data-testid={`peer-limit-clear-${peer.name}`}
          >
            Remove cap
          </button>
        )}
        <button type="button" class="quiet" onClick={onClose}>Cancel</button>
      </div>
      {action.error !== undefined && <ErrorNote error={action.error} />}
    </form>
  );
}
