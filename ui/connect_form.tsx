/** @jsxImportSource preact */
/** Pasting a peer's announce address to connect to it. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { PeerInfo } from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { ErrorNote } from "./status.tsx";

/** The connect form; `onConnect` gets the peer as the daemon answered it. */
export function ConnectForm({ onConnect }: { onConnect: (peer: PeerInfo) => void }): JSX.Element {
  const { client } = useApp();
  const [address, setAddress] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = address.trim();
    if (!trimmed) return;
    setBusy(true);
    setError(undefined);
    try {
      onConnect(await client.connect(trimmed));
      setAddress("");
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="connect" onSubmit={submit}>
      <label for="connect-input" class="label">Connect to a peer by its announce address</label>
      <div class="inline-form">
        <input
          id="connect-input"
          type="text"
          class="mono"
          placeholder="Paste an announce address"
          value={address}
          onInput={(event) => setAddress(event.currentTarget.value)}
          data-testid="connect-input"
          autocomplete="off"
          spellcheck={false}
        />
        <button type="submit" disabled={busy || !address.trim()} data-testid="connect-button">
          {busy ? "Connecting…" : "Connect"}
        </button>
      </div>
      {error !== undefined && <ErrorNote error={error} />}
    </form>
  );
}
