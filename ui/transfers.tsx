/** @jsxImportSource preact */
/**
 * The Transfers screen: the bandwidth at the top, then downloads, uploads, the limits, and the
 * history of finished transfers.
 */
import type { JSX } from "preact";
import { BandwidthHeader } from "./bandwidth_header.tsx";
import { Downloads } from "./downloads.tsx";
import { History } from "./history.tsx";
import { Limits } from "./limits.tsx";
import type { Bandwidth } from "./use_bandwidth.ts";
import { Uploads } from "./uploads.tsx";

/** The Transfers screen; `bandwidth` is the live bandwidth the shell keeps. */
export function Transfers({ bandwidth }: { bandwidth: Bandwidth }): JSX.Element {
  return (
    <div class="screen">
      <BandwidthHeader bandwidth={bandwidth} />
      <Downloads />
      <Uploads />
      <Limits bandwidth={bandwidth} />
      <History />
    </div>
  );
}
