/** @jsxImportSource preact */
/** The login screen, shown when the daemon answers 401: it asks for the API token. */
import type { JSX } from "preact";
import { useState } from "preact/hooks";

/** Asks for a token; `refused` says the last one did not work. */
export function Login(
  { refused, onToken }: { refused: boolean; onToken: (token: string) => void },
): JSX.Element {
  const [token, setToken] = useState("");
  const submit = (event: Event) => {
    event.preventDefault();
    if (token.trim()) onToken(token.trim());
  };
  return (
    <main class="login">
      <form class="card" onSubmit={submit}>
        <h1>harddrive-party</h1>
        <p>
          This daemon listens beyond this computer, so it asks for its API token (the one it was
          started with, or <span class="mono">HDP_TOKEN</span>).
        </p>
        {refused && <p class="note error" role="alert">That token was refused.</p>}
        <label class="label" for="token-input">API token</label>
        <input
          id="token-input"
          type="password"
          class="mono"
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          data-testid="token-input"
          autocomplete="current-password"
        />
        <button type="submit" disabled={!token.trim()} data-testid="token-submit">Log in</button>
      </form>
    </main>
  );
}
