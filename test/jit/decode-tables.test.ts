/**
 * @fileoverview The decoder's tables fill on first use (compiler/riscv/decode.ts), so a bug there would show as a
 * word decoding differently the first time than later, or differently from the table's rule. Every halfword and a
 * large sample of 32-bit words are decoded twice and compared with the rule applied by brute force over all rows:
 * the most specific matching row (most fixed bits, then table order) whose operand rules hold, else illegal.
 * (Here rather than in test/riscv because the lazy tables came with the JIT's start-up work.)
 */
import { describe, expect, it } from "vitest";
import { decode, type Decoded } from "../../compiler/riscv/decode.js";
import { ROWS, type Row } from "../../compiler/riscv/rows.js";

const popcount = (x: number): number => {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v >>>= 1) n += v & 1;
  return n;
};

/** The row the table's rule picks for `w`, or undefined. */
function bruteForce(w: number, rows: readonly Row[]): Row | undefined {
  const allowed = (r: Row): boolean => {
    const d = { rd: 0, rs1: 0, rs2: 0, imm: 0, aq: false, rl: false, pred: 0, succ: 0 } as Record<string, number | boolean>;
    r.codec.decode(w, d as never);
    for (const [k, v] of r.fixed) d[k] = v;
    return r.nz.every((k) => d[k] !== 0) && d.rd !== r.rdNot;
  };
  const matching = rows.filter((r) => (w & r.mask) >>> 0 === r.match && allowed(r));
  matching.sort((a, b) => popcount(b.mask) - popcount(a.mask) || a.index - b.index);
  return matching[0];
}

const summary = (d: Decoded | undefined): string => (d ? JSON.stringify(d) : "illegal");

describe("the lazily filled decode tables agree with the table's rule, first time and every time", () => {
  it("every halfword", () => {
    const rows = ROWS.filter((r) => r.size === 2);
    const first: string[] = [];
    let legal = 0;
    for (let h = 0; h < 65536; h++) {
      if ((h & 3) === 3) continue;
      const d = decode(h);
      first[h] = summary(d);
      const want = bruteForce(h, rows);
      if (d?.m !== want?.m) expect(`0x${h.toString(16)}: ${d?.m ?? "illegal"}`).toBe(`0x${h.toString(16)}: ${want?.m ?? "illegal"}`);
      if (d) legal++;
    }
    expect(legal).toBeGreaterThan(30_000); // most halfwords are some compressed instruction (38,551)
    for (let h = 0; h < 65536; h++) if ((h & 3) !== 3 && summary(decode(h)) !== first[h]) expect(summary(decode(h))).toBe(first[h]);
  });

  it("32-bit words: every row's match with random operand bits, and random words", () => {
    const rows = ROWS.filter((r) => r.size === 4);
    let s = 0x2545f491;
    const rnd = (): number => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return s >>> 0;
    };
    const words: number[] = [];
    for (const r of rows) for (let k = 0; k < 40; k++) words.push((r.match | (rnd() & ~r.mask)) >>> 0);
    for (let k = 0; k < 20_000; k++) words.push((rnd() | 3) >>> 0);
    const first = words.map((w) => summary(decode(w)));
    let legal = 0;
    words.forEach((w, k) => {
      const want = bruteForce(w, rows);
      const got = decode(w);
      if (got?.m !== want?.m) expect(`0x${w.toString(16)}: ${got?.m ?? "illegal"}`).toBe(`0x${w.toString(16)}: ${want?.m ?? "illegal"}`);
      if (summary(got) !== first[k]) expect(summary(got)).toBe(first[k]);
      if (got) legal++;
    });
    expect(legal).toBeGreaterThan(rows.length * 40 * 0.9);
  });
});
