/** Printing and collecting benchmark figures: a table per step as it goes, and results.json at the end. */
export interface StepResult {
  step: string;
  /** Rows of figures, printed as a table and saved as they are. */
  rows: Record<string, string | number>[];
  /** Targets and whether they were met, e.g. "p99 < 0.2 ms at 100k: 0.15 ms ✓". */
  checks: { target: string; value: string; met: boolean }[];
  /** False when the step measured nothing (no decision returned an ad, no event billed…): the run fails. */
  measured: boolean;
}

export function printTable(rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v ?? ''));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padStart(widths[i] ?? 0)).join('  ');
  console.log(line(columns));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(columns.map((c) => cell(r[c]))));
}

export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export const progress = (message: string): void => {
  process.stdout.write(`  … ${message}\n`);
};
