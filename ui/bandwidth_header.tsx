/** @jsxImportSource preact */
/** The top of the Transfers screen: what moves each way against its limit, the last minute of it. */
import type { JSX } from "preact";
import type { BandwidthView } from "./bandwidth_view.ts";
import { formatBytes } from "./format.ts";
import { RateGraph } from "./rate_graph.tsx";
import { rateAgainstLimit } from "./rates.ts";
import { ErrorNote, Loading } from "./status.tsx";
import type { Bandwidth } from "./use_bandwidth.ts";

/** The id of the Limits card's first input, which "Change limits" brings into view. */
export const FIRST_LIMIT_INPUT = "limit-upload";

/** The bandwidth card. */
export function BandwidthHeader({ bandwidth }: { bandwidth: Bandwidth }): JSX.Element {
  return (
    <section class="card" aria-labelledby="bandwidth-title" data-testid="bandwidth">
      <header class="card-head">
        <h2 id="bandwidth-title">Bandwidth</h2>
        <button type="button" class="link" onClick={showLimits}>Change limits</button>
      </header>
      {bandwidth.data
        ? <Rates view={bandwidth.data} />
        : bandwidth.error !== undefined
        ? <ErrorNote error={bandwidth.error} onRetry={bandwidth.reload} />
        : <Loading />}
    </section>
  );
}

function Rates({ view }: { view: BandwidthView }): JSX.Element {
  const { rates, inForce, totals, schedules } = view.status;
  const schedule = inForce.schedule;
  return (
    <>
      <div class="rate-lines">
        <div class="rate-line">
          <div class="grow">
            <span class="label">Upload</span>
            <span class="rate" data-testid="rate-upload">
              ↑ {rateAgainstLimit(rates.upload, inForce.upload)}
            </span>
            <span class="sub">{formatBytes(totals.upload)} sent since the daemon started</span>
          </div>
          <RateGraph values={view.samples.upload} limit={inForce.upload} label="Upload" tone="up" />
        </div>
        <div class="rate-line">
          <div class="grow">
            <span class="label">Download</span>
            <span class="rate" data-testid="rate-download">
              ↓ {rateAgainstLimit(rates.download, inForce.download)}
            </span>
            <span class="sub">
              {formatBytes(totals.download)} received since the daemon started
            </span>
          </div>
          <RateGraph
            values={view.samples.download}
            limit={inForce.download}
            label="Download"
            tone="down"
          />
        </div>
      </div>
      <p class="sub" data-testid="schedule-in-force">
        {schedule
          ? `Schedule "${schedule}" is in force now.`
          : schedules.length
          ? "No schedule is in force now: the limits outside schedules hold."
          : "No schedules: the limits below always hold."}
      </p>
    </>
  );
}

function showLimits(): void {
  const input = document.getElementById(FIRST_LIMIT_INPUT);
  input?.scrollIntoView({ block: "center", behavior: "smooth" });
  input?.focus({ preventScroll: true });
}
