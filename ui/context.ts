/** What every screen needs: the API client, the event hub and the stream's connection count. */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { ApiClient } from "../src/api/light.ts";
import type { EventHub } from "./hub.ts";

/** The app-wide values screens read with {@link useApp}. */
export interface AppContext {
  client: ApiClient;
  hub: EventHub;
  /** Counts the event stream's connections: lists refetch when it changes (missed events). */
  epoch: number;
  /** The API token, for links the browser follows itself (downloaded files). */
  token: string | undefined;
  /** Called when the daemon refuses the token: the app shows the login screen. */
  unauthorized(): void;
  /** Whether `peer` (a name or key) is this node: its own files are browsed, not downloaded. */
  isSelf(peer: string): boolean;
}

/** The context object; {@link useApp} is the way to read it. */
export const AppState = createContext<AppContext | undefined>(undefined);

/** The app-wide values; only inside the shell. */
export function useApp(): AppContext {
  const app = useContext(AppState);
  if (!app) throw new Error("useApp is used outside the app shell");
  return app;
}
