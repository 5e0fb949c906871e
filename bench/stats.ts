/** Summary statistics and fixed-width tables for the benchmark's output. */

/** Order statistics of a sample of timings, in milliseconds. */
export interface Summary {
  readonly runs: number;
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Quartiles by linear interpolation between order statistics. Median and IQR
 * rather than mean and deviation: process timings have a long right tail
 * (GC, page cache, a neighbour on the machine) that a mean would absorb.
 */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) {
    throw new Error('no samples to summarize');
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => {
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  };
  return {
    runs: sorted.length,
    median: at(0.5),
    q1: at(0.25),
    q3: at(0.75),
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

/** Milliseconds as seconds above 10 s, else milliseconds, so columns stay narrow. */
export function ms(value: number): string {
  if (value >= 10_000) {
    return `${(value / 1000).toFixed(2)} s`;
  }
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(value >= 10 ? 1 : 3)} ms`;
}

/** A plain-text table: the first column left-aligned (labels), the others right-aligned (numbers). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
