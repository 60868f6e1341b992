/** @jsxImportSource preact */
/**
 * The web UI's entry: checks that the daemon accepts us (asking for a token when it answers 401),
 * then shows the app. It talks to the daemon only through the typed client.
 */
import { type JSX, render } from "preact";
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { createClient } from "../src/api/light.ts";
import { initialToken, saveToken, takeUrlToken } from "./auth.ts";
import { errorCode } from "./errors.ts";
import { Login } from "./login.tsx";
import { Shell } from "./shell.tsx";
import { Loading } from "./status.tsx";

type Access = "checking" | "granted" | "refused";

/** The whole app: the login screen or the shell. */
function App(): JSX.Element {
  const [token, setToken] = useState(initialToken);
  const [access, setAccess] = useState<Access>("checking");
  const [self, setSelf] = useState<{ name: string; publicKey: string } | undefined>(undefined);
  const client = useMemo(() => createClient(location.origin, { token }), [token]);
  useEffect(() => {
    setAccess("checking");
    // any answer but 401 lets the app in: screens show their own errors (a daemon restarting…)
    client.info().then(
      (info) => {
        setSelf({ name: info.name, publicKey: info.publicKey });
        setAccess("granted");
      },
      (error) => setAccess(errorCode(error) === "UNAUTHORIZED" ? "refused" : "granted"),
    );
  }, [client]);
  const refuse = useCallback(() => setAccess("refused"), []);
  useEffect(() => {
    // a `#token=…` link opened in a tab that already shows the app
    const onHash = () => {
      const next = takeUrlToken();
      if (next) setToken(next);
    };
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  if (access === "checking") {
    return (
      <main class="login">
        <Loading />
      </main>
    );
  }
  if (access === "refused") {
    return (
      <Login
        refused={token !== undefined}
        onToken={(next) => {
          saveToken(next);
          setToken(next);
        }}
      />
    );
  }
  return <Shell client={client} token={token} onUnauthorized={refuse} self={self} />;
}

const root = document.getElementById("app");
if (root) render(<App />, root);
