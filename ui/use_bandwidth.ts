/** The bandwidth, loaded with its last minute and kept current by the "bandwidth" events. */
import type { BandwidthStatus } from "../src/api/light.ts";
import { type BandwidthView, viewOf, withAnswer, withEvent } from "./bandwidth_view.ts";
import { useApp } from "./context.ts";
import { useNodeEvent } from "./events.ts";
import { type Loaded, useLoad } from "./use_load.ts";

/** What {@link useBandwidth} gives: the view, and where the daemon's answers to changes go. */
export interface Bandwidth extends Loaded<BandwidthView> {
  /** Takes the status the daemon answered a change with (its event follows, too). */
  answered(status: BandwidthStatus): void;
}

/** The node's bandwidth, live; kept by the shell for the Transfers and Friends screens. */
export function useBandwidth(): Bandwidth {
  const { client } = useApp();
  const bandwidth = useLoad(async () => viewOf(await client.bandwidth(), Date.now()), []);
  useNodeEvent((event) => {
    if (event.type !== "bandwidth") return;
    bandwidth.update((view) => withEvent(view, event.bandwidth, { at: Date.now() }));
  });
  const answered = (status: BandwidthStatus) =>
    bandwidth.update((view) => withAnswer(view, status));
  return { ...bandwidth, answered };
}
