/**
 * @fileoverview How a benchmark prints: a heading, then `name  value  unit  (note)` rows; and a timing helper that
 * repeats a function until enough time has passed and keeps the best (least disturbed) round.
 */

export interface Report {
  /** One figure: e.g. row("decode", 41.2e6, "insn/s"). */
  row(name: string, value: number, unit: string, note?: string): void;
  /** A free-form line (a ratio explained, a skipped comparison and why). */
  line(text: string): void;
}

export function consoleReport(title: string): Report {
  console.log(`\n== ${title} ==`);
  return {
    row(name, value, unit, note) {
      const v = Math.abs(value) >= 1e6 || (Math.abs(value) < 0.01 && value !== 0) ? value.toExponential(3) : value.toFixed(2);
      console.log(`  ${name.padEnd(48)} ${v.padStart(12)} ${unit}${note ? `  (${note})` : ""}`);
    },
    line(text) {
      console.log(`  ${text}`);
    },
  };
}

/**
 * Seconds per call of `fn`, best of `rounds` rounds, each round calling it `n` times (after `warmup` calls).
 */
export function timeBest(fn: () => void, { n = 1, rounds = 5, warmup = 1 } = {}): number {
  for (let i = 0; i < warmup; i++) fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9 / n;
    if (dt < best) best = dt;
  }
  return best;
}
