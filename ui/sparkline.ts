/** The geometry of a small rate graph: one value a second, drawn as an SVG path; pure. */

/** How many seconds a graph shows. */
export const GRAPH_SECONDS = 60;

/** Below this many bytes a second, the graph does not grow taller: idle chatter stays flat. */
export const GRAPH_FLOOR = 1000;

/** The box a path is drawn in, in SVG user units. */
export interface GraphBox {
  width: number;
  height: number;
  /** The value at the top edge. */
  top: number;
  /** How many values fit across. Default {@link GRAPH_SECONDS}. */
  slots?: number;
}

/**
 * The value at a graph's top: the limit when there is one (a full graph is a rate at its limit),
 * else the highest value; never below {@link GRAPH_FLOOR}, nor below a burst past the limit.
 */
export function graphTop(values: readonly number[], limit: number): number {
  return Math.max(GRAPH_FLOOR, limit, ...values);
}

/**
 * An SVG path through `values`, oldest first, the newest on the right edge; one slot apart, so
 * fewer values than slots start partway across. Empty for no values.
 */
export function sparklinePath(values: readonly number[], box: GraphBox): string {
  const slots = box.slots ?? GRAPH_SECONDS;
  const step = box.width / Math.max(1, slots - 1);
  const shown = values.slice(-slots);
  return shown.map((value, i) => {
    const x = box.width - (shown.length - 1 - i) * step;
    const y = box.height - (Math.min(Math.max(value, 0), box.top) / box.top) * box.height;
    return `${i === 0 ? "M" : "L"}${round(x)},${round(y)}`;
  }).join(" ");
}

/** The height, from the top edge, of the line at `value` (the limit's dashed line). */
export function levelY(value: number, box: GraphBox): number {
  return round(box.height - (Math.min(value, box.top) / box.top) * box.height);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
