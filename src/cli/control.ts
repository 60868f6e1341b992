/** Commands that talk to a running daemon through the API client: `info` and `stop`. */
import {
  type ApiClient,
  candidatesText,
  createClient,
  mappingText,
  relayText,
} from "../api/light.ts";
import { DEFAULT_UI_ADDRESS, formatHostPort, parseHostPort } from "../node/light.ts";
import {
  type Command,
  CONTROL_OPTIONS,
  type Io,
  type Parsed,
  stringValue,
  usageFrom,
} from "./command.ts";

/** The client for the daemon named by `--ui-address` / `HDP_UI_ADDRESS`. */
export function clientFor(args: Parsed, io: Io): ApiClient {
  const text = stringValue(args, "ui-address") ?? io.env("HDP_UI_ADDRESS") ?? DEFAULT_UI_ADDRESS;
  let address;
  try {
    address = parseHostPort(text, "--ui-address");
  } catch (error) {
    usageFrom(error);
  }
  const token = stringValue(args, "token") ?? io.env("HDP_TOKEN");
  return createClient(`http://${formatHostPort(address)}`, { token });
}

/** Prints `value` as one JSON document; returns the exit code 0. */
export function printJson(io: Io, value: unknown): number {
  io.stdout(JSON.stringify(value, null, 2) + "\n");
  return 0;
}

/** `info`: who this node is and where it listens. */
export const infoCommand: Command = {
  name: "info",
  summary: "Show this node's name, key, announce address, shares and listening addresses.",
  usage: "info [--json] [--ui-address HOST:PORT]",
  options: CONTROL_OPTIONS,
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const info = await clientFor(args, io).info();
    if (args.values.json) {
      printJson(io, info);
      return 0;
    }
    const rows: [string, string][] = [
      ["Name", info.name],
      ["Public key", info.publicKey],
      ["Announce address", info.announceAddress],
      ["NAT type", info.natType],
      ["Reachable at", candidatesText(info.candidates ?? [])], // an older daemon does not say
      ["Port mapping", mappingText(info.portMapping)],
      ["Relaying", relayText(info.relay)],
      ...(info.ipv6Seen ? [["IPv6 seen as", info.ipv6Seen] as [string, string]] : []),
      ["Listening", info.listening.join(", ") || "-"],
      ["Shares", info.shares.map((s) => `${s.name} (${s.path})`).join(", ") || "(none)"],
      ["Downloads", info.downloadDir],
      ["Storage", info.storageDir],
      ["Control API", `http://${info.uiAddress}`],
      ["Version", info.version],
      ...(info.storageProblem
        ? [["State store", info.storageProblem.message] as [string, string]]
        : []),
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    io.stdout(rows.map(([k, v]) => `${(k + ":").padEnd(width + 1)} ${v}`).join("\n") + "\n");
    return 0;
  },
};

/** `stop`: asks the daemon to shut down cleanly. */
export const stopCommand: Command = {
  name: "stop",
  summary: "Stop the running daemon cleanly (connections closed, state saved).",
  usage: "stop [--json] [--ui-address HOST:PORT]",
  options: CONTROL_OPTIONS,
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const result = await clientFor(args, io).stop();
    if (args.values.json) printJson(io, result);
    else io.stdout("Stopping the daemon.\n");
    return 0;
  },
};

/** `203.0.113.9:5000 (public), [2001:db8::1]:4000 (ipv6)`. */
