/** The NAT matrix's results: what one try gave, and the Markdown table that sums them up. */

/** What one try of a scenario gave. */
export interface TryOutcome {
  /** Whether the scenario's expectation held (connected, or refused with "Needs relay"). */
  ok: boolean;
  /** Milliseconds to connect (or to the refusal); undefined when it never happened. */
  ms?: number;
  /** Browse + 64 MiB read both ways: undefined when not attempted. */
  transfer?: boolean;
  /** Why it failed, short and the same for the same cause: the notes column counts them. */
  note?: string;
  /** Everything known about a failure, for the per-try log line. */
  detail?: string;
}

/** One row of the matrix. */
export interface ScenarioOutcome {
  scenario: string;
  /** What counts as a success, in words. */
  expected: string;
  tries: TryOutcome[];
}

/** The median, rounded to whole milliseconds; undefined for no values. */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.round(value);
}

/** The results as a Markdown table: scenario, successes/tries, median ms, browse + read. */
export function markdownTable(rows: ScenarioOutcome[]): string {
  const lines = [
    "| scenario | success means | successes/tries | median ms | browse + 64 MiB read | notes |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const row of rows) {
    const ok = row.tries.filter((t) => t.ok);
    const ms = median(ok.flatMap((t) => (t.ms === undefined ? [] : [t.ms])));
    const tried = row.tries.filter((t) => t.transfer !== undefined);
    const transfer = tried.length === 0
      ? "—"
      : `${tried.filter((t) => t.transfer).length}/${tried.length} ok`;
    const counts = new Map<string, number>();
    for (const t of row.tries) if (t.note) counts.set(t.note, (counts.get(t.note) ?? 0) + 1);
    const notes = [...counts]
      .map(([note, n]) => `${note.replaceAll("|", "\\|").replace(/\s+/g, " ")} (×${n})`)
      .join("; ");
    lines.push(
      `| ${row.scenario} | ${row.expected} | ${ok.length}/${row.tries.length} | ${
        ms ?? "—"
      } | ${transfer} | ${notes || "—"} |`,
    );
  }
  return lines.join("\n") + "\n";
}
