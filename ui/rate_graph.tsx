/** @jsxImportSource preact */
/** One direction's rate over the last minute as a small inline SVG, its limit as a dashed line. */
import type { JSX } from "preact";
import { formatRate, limitText } from "./rates.ts";
import { graphTop, levelY, sparklinePath } from "./sparkline.ts";

const WIDTH = 240;
const HEIGHT = 36;

/** What {@link RateGraph} takes. */
export interface RateGraphProps {
  /** Bytes a second, one a second, oldest first. */
  values: readonly number[];
  /** The limit in force, 0 for none. */
  limit: number;
  /** `Upload` or `Download`, for the graph's text alternative. */
  label: string;
  tone: "up" | "down";
}

/** The graph; its text alternative says the peak and the limit. */
export function RateGraph({ values, limit, label, tone }: RateGraphProps): JSX.Element {
  const box = { width: WIDTH, height: HEIGHT, top: graphTop(values, limit) };
  const peak = Math.max(0, ...values);
  const text = `${label} over the last minute: peak ${formatRate(peak)}, limit ${limitText(limit)}`;
  return (
    <svg
      class={`rate-graph rate-graph-${tone}`}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={text}
      data-testid={`rate-graph-${label.toLowerCase()}`}
    >
      <title>{text}</title>
      <line class="rate-graph-base" x1={0} x2={WIDTH} y1={HEIGHT} y2={HEIGHT} />
      {limit > 0 && (
        <line
          class="rate-graph-limit"
          x1={0}
          x2={WIDTH}
          y1={levelY(limit, box)}
          y2={levelY(limit, box)}
        />
      )}
      <path class="rate-graph-line" d={sparklinePath(values, box)} />
    </svg>
  );
}
