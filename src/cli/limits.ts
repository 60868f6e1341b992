/** `limits`: bandwidth limits, schedules and what moves now. */
import {
  type BandwidthStatus,
  formatDays,
  formatRate,
  type Limits,
  parseDays,
  parseRate,
  type Schedule,
} from "../api/light.ts";
import { type Command, CONTROL_OPTIONS, stringValue, UsageError } from "./command.ts";
import { clientFor, printJson } from "./control.ts";

/** `limits [show] | limits set | limits schedule add|rm` */
export const limitsCommand: Command = {
  name: "limits",
  summary: "Show or set upload and download limits and their schedules (no restart needed).",
  usage: "limits [show] | limits set [--upload RATE] [--download RATE] | " +
    "limits schedule add NAME --days DAYS --from HH:MM --to HH:MM [--upload RATE] [--download RATE] | " +
    "limits schedule rm NAME   [--json]   (RATE: 5MB/s, 500KiB/s, unlimited)",
  options: {
    upload: {
      type: "string",
      arg: "RATE",
      help: "upload limit, e.g. 5MB/s (0 or unlimited: none)",
    },
    download: { type: "string", arg: "RATE", help: "download limit (0 or unlimited: none)" },
    days: { type: "string", arg: "DAYS", help: "with schedule add: mon-fri, sat,sun, daily…" },
    from: { type: "string", arg: "HH:MM", help: "with schedule add: local start time" },
    to: { type: "string", arg: "HH:MM", help: "with schedule add: local end time" },
    ...CONTROL_OPTIONS,
  },
  positionals: { min: 0, max: 3 },
  async run(args, io) {
    const [action = "show", sub, name] = args.positionals;
    const client = clientFor(args, io);
    const upload = rateOption(stringValue(args, "upload"), "--upload");
    const download = rateOption(stringValue(args, "download"), "--download");
    const rates = {
      ...(upload !== undefined ? { upload } : {}),
      ...(download !== undefined ? { download } : {}),
    };
    let status: BandwidthStatus;
    if (action === "show") {
      if (sub !== undefined) throw new UsageError(`limits show: unexpected argument "${sub}"`);
      status = await client.bandwidth();
    } else if (action === "set") {
      if (sub !== undefined) throw new UsageError(`limits set: unexpected argument "${sub}"`);
      if (Object.keys(rates).length === 0) {
        throw new UsageError("limits set: give --upload RATE, --download RATE or both");
      }
      status = await client.setBandwidth(rates);
    } else if (action === "schedule" && (sub === "add" || sub === "rm")) {
      if (name === undefined) throw new UsageError(`limits schedule ${sub}: missing NAME`);
      const schedules = (await client.bandwidth()).schedules.filter((s) => s.name !== name);
      if (sub === "add") schedules.push(newSchedule(name, args.values, rates));
      status = await client.setBandwidth({ schedules });
    } else {
      throw new UsageError(`limits: unknown action "${[action, sub].filter(Boolean).join(" ")}"`);
    }
    if (args.values.json) return printJson(io, status);
    io.stdout(describeBandwidth(status));
    return 0;
  },
};

/** A rate typed on the command line (undefined: not given); a bad one is a {@link UsageError}. */
export function rateOption(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseRate(text);
  } catch (error) {
    throw new UsageError(`${what}: ${(error as Error).message}`);
  }
}

function newSchedule(
  name: string,
  values: Record<string, unknown>,
  rates: Partial<Limits>,
): Schedule {
  const text = (key: string) => {
    const value = values[key];
    if (typeof value !== "string") throw new UsageError(`limits schedule add: missing --${key}`);
    return value;
  };
  let days: number[];
  try {
    days = parseDays(text("days"));
  } catch (error) {
    throw new UsageError(`--days: ${(error as Error).message}`);
  }
  if (rates.upload === undefined && rates.download === undefined) {
    throw new UsageError("limits schedule add: give --upload RATE, --download RATE or both");
  }
  return { name, days, from: text("from"), to: text("to"), ...rates };
}

/** A limit in words: `5 MB/s` (decimal, as typed), or `unlimited`. */
export function rateText(bytesPerSecond: number): string {
  return formatRate(bytesPerSecond);
}

/** A measured rate in the same units as the limits: `4.98 MB/s`, `0 B/s`. */
export function speedText(bytesPerSecond: number): string {
  return bytesPerSecond === 0 ? "0 B/s" : formatRate(bytesPerSecond);
}

/** The bandwidth in lines: in force now, the base limits, each schedule, and the peer caps. */
export function describeBandwidth(status: BandwidthStatus): string {
  const { inForce, rates, limits } = status;
  const by = inForce.schedule ? ` (schedule "${inForce.schedule}")` : "";
  const lines = [
    `Now${by}: upload ${rateText(inForce.upload)}, download ${rateText(inForce.download)}`,
    `Moving: ↑ ${speedText(rates.upload)}  ↓ ${speedText(rates.download)}`,
    `Outside schedules: upload ${rateText(limits.upload)}, download ${rateText(limits.download)}`,
  ];
  for (const s of status.schedules) {
    const parts = [
      s.upload !== undefined ? `upload ${rateText(s.upload)}` : "",
      s.download !== undefined ? `download ${rateText(s.download)}` : "",
    ].filter(Boolean);
    lines.push(
      `Schedule "${s.name}": ${formatDays(s.days)} ${s.from}–${s.to}: ${parts.join(", ")}`,
    );
  }
  for (const [key, caps] of Object.entries(status.peers)) {
    lines.push(
      `Peer ${key.slice(0, 8)}: upload ${rateText(caps.upload)}, download ${
        rateText(caps.download)
      }`,
    );
  }
  return lines.join("\n") + "\n";
}
