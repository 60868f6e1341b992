/** @jsxImportSource preact */
/** Pasting a peer's announce address to connect to it; the answer comes at once, the dial goes on. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { PeerInfo } from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { ErrorNote } from "./status.tsx";

/**
 * The connect form; `onConnect` gets the peer as the daemon answered it, `peers` (the live table)
 * tells how the dial it started goes.
 */
export function ConnectForm(
  { onConnect, peers }: { onConnect: (peer: PeerInfo) => void; peers: PeerInfo[] | undefined },
): JSX.Element {
  const { client } = useApp();
  const [address, setAddress] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [dialling, setDialling] = useState<PeerInfo | undefined>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = address.trim();
    if (!trimmed) return;
    setBusy(true);
    setError(undefined);
    setDialling(undefined);
    try {
      // answered at once: a peer that is away would hold the form for the whole dial
      const peer = await client.connect(trimmed, { wait: false });
      onConnect(peer);
      if (peer.status !== "connected") setDialling(peer);
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
      {dialling !== undefined && (
        <DialNote peer={peers?.find((p) => p.keyHex === dialling.keyHex) ?? dialling} />
      )}
    </form>
  );
}

/** How the dial the form started goes, until the peer answers. */
function DialNote({ peer }: { peer: PeerInfo }): JSX.Element | null {
  if (peer.status === "connected") return null;
  return (
    <p class="note" role="status" data-testid="connect-dialling">
      {peer.status === "failed"
        ? `${peer.name} does not answer yet: its row below says why, and it is tried again.`
        : `Connecting to ${peer.name}… its row below changes when it answers.`}
    </p>
  );
}
