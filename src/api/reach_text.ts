/**
 * How a node's reach reads, in `info` (CLI) and on the Home screen (UI): its candidates and what
 * became of the port mapping. Browser-safe.
 */
import { formatRate } from "../wire/light.ts";
import { formatBytes } from "./format.ts";
import type { NodeInfo } from "./types.ts";

type Candidates = NodeInfo["candidates"];
type MappingStatus = NodeInfo["portMapping"];

/** `203.0.113.9:40000 (public), [2001:db8::10]:40000 (ipv6)`, or `-` for none. */
export function candidatesText(candidates: Candidates): string {
  if (candidates.length === 0) return "-";
  return candidates.map((c) => `${hostPort(c.ip, c.port)} (${c.kind})`).join(", ");
}

/** `203.0.113.9:61000 by pcp`, or why there is none; undefined: an older daemon said nothing. */
export function mappingText(status: MappingStatus | undefined): string {
  const m = status?.mapping;
  const where = m ? `${hostPort(m.externalIp, m.externalPort)} by ${m.protocol}` : "";
  switch (status?.state) {
    case "mapped":
      return where;
    case "unusable":
      return `${where}, not used: ${status.why ?? "it reaches nobody"}`;
    case "off":
      return "off (--no-port-mapping)";
    case "trying":
      return "asking the router…";
    case "none":
      return "none (the router did not map a port)";
    default:
      return "-";
  }
}

/**
 * What this node relays for others: `off (--relay off)`, `on, nothing now (3.2 GiB so far; at
 * most 10 MB/s)`, or `KindOtter → BoldFinch: 2 circuits, 64 MiB; … (…)`. Undefined: an older
 * daemon said nothing.
 */
export function relayText(relay: NodeInfo["relay"]): string {
  if (!relay) return "-";
  if (!relay.enabled) return "off (--relay off)";
  const cap = relay.rate ? `at most ${formatRate(relay.rate)}` : "within the upload limit";
  const total = `${formatBytes(relay.relayedBytes)} so far; ${cap}`;
  if (relay.pairs.length === 0) return `on, nothing now (${total})`;
  const pairs = relay.pairs.map((p) =>
    `${p.from.name} → ${p.to.name}: ${p.circuits} circuit${p.circuits === 1 ? "" : "s"}, ${
      formatBytes(p.bytes)
    }`
  );
  return `${pairs.join("; ")} (${total})`;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}
