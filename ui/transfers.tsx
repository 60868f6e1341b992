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
import type { DownloadList } from "./use_downloads.ts";
import { Uploads } from "./uploads.tsx";

/** The Transfers screen; `bandwidth` and `downloads` are the live ones the shell keeps. */
export function Transfers(
  { bandwidth, downloads }: { bandwidth: Bandwidth; downloads: DownloadList },
): JSX.Element {
  return (
    <div class="screen">
      <BandwidthHeader bandwidth={bandwidth} />
      <Downloads downloads={downloads} bandwidth={bandwidth} />
      <Uploads />
      <Limits bandwidth={bandwidth} />
      <History />
    </div>
  );
}
