/**
 * @fileoverview SegmentedLayout (what the JIT uses) against FullLayout (the kernel's offset table, literally): on the
 * same functions, every pass must give the same size, and every var item the same position, size and offset, and
 * every offset-table entry must read the same. Programs: the bench generator at several densities and sizes, tail
 * calls, LD_IMM64, calls, and folded zero-extensions.
 */
import { describe, expect, it } from "vitest";
import { generateProgram } from "../../bench/jit.bench.js";
import type { Insn } from "../../compiler/bpf/insn.js";
import { FullLayout, type Layout, SegmentedLayout } from "../../compiler/jit/layout.js";
import { passFrame } from "../../compiler/passes/fixup-branches.js";
import { framedProgram, unitMix } from "./helpers.js";

/**
 * Runs `passes` passes on both layouts (first variant first, as the loop does) and compares after each, or only after
 * the last (`everyPass` false): reading a SegmentedLayout's positions applies the move a pass leaves pending, so
 * only a run that reads nothing in between has its passes read pending entries, as the JIT's do. The offset table is
 * read before the positions for the same reason.
 */
function compare(insns: readonly Insn[], passes: number, everyPass = true): number {
  const f = framedProgram(insns, { c: true, zba: false, zbb: false }, 64).funcs[0]!;
  const layouts: Layout[] = [new FullLayout(f.body, insns.length), new SegmentedLayout(f.body, insns.length)];
  let checks = 0;
  for (let p = 1; p <= passes; p++) {
    const frame = passFrame(p === 1 ? f.first : f.steady);
    const [full, seg] = layouts.map((l) => l.pass(frame, p < passes)); // the last one frozen, like the final pass
    expect(seg, `pass ${p} size`).toBe(full);
    if (!everyPass && p < passes) continue;
    const [a, c] = layouts as [Layout, Layout];
    expect([c.prologueLen, c.epilogueOffset]).toEqual([a.prologueLen, a.epilogueOffset]);
    for (let k = 0; k < insns.length; k++) if (a.offsetAt(k) !== c.offsetAt(k)) expect(`pass ${p} offset[${k}] = ${c.offsetAt(k)}`).toBe(`pass ${p} offset[${k}] = ${a.offsetAt(k)}`);
    for (let v = 0; v < f.body.nv; v++) {
      if (a.at[v] !== c.at[v] || a.hw[v] !== c.hw[v] || (a.rvoff[v] !== c.rvoff[v] && !(Number.isNaN(a.rvoff[v]) && Number.isNaN(c.rvoff[v])))) {
        expect({ pass: p, v, at: c.at[v], hw: c.hw[v], rvoff: c.rvoff[v] }).toEqual({ pass: p, v, at: a.at[v], hw: a.hw[v], rvoff: a.rvoff[v] });
      }
      checks++;
    }
  }
  return checks;
}

describe("SegmentedLayout reads and writes the offset table exactly as FullLayout does", () => {
  for (const [n, seed] of [[300, 1], [2_000, 2], [20_000, 3]] as const) {
    it(`generated program, ${n} insns (seed ${seed}), 12 passes`, () => {
      expect(compare(generateProgram(n, seed), 12)).toBeGreaterThan(0);
    });
  }

  it("20,000 insns, 30 passes (to convergence), compared only at the end: the passes read the moves left pending", () => {
    const prog = generateProgram(20_000, 3);
    expect(compare(prog, 30, false)).toBeGreaterThan(0);
    // and at every pass count on the way, so that the frozen last pass reads pending entries too
    for (const passes of [5, 7, 9]) expect(compare(prog, passes, false)).toBeGreaterThan(0);
  });

  it("tail calls (exits measured from the offset table), calls, LD_IMM64 and folded zero-extensions", () => {
    expect(compare(unitMix(40), 8)).toBeGreaterThan(0);
  });

  it("refuses a slot count other than the one its units cover (segments are derived from the units alone)", () => {
    const f = framedProgram(generateProgram(300, 1), { c: true, zba: false, zbb: false }, 64).funcs[0]!;
    expect(() => new SegmentedLayout(f.body, 299)).toThrow("internal: a layout of 299 slots for units covering 300");
    expect(() => new SegmentedLayout(f.body, 300)).not.toThrow();
  });
});
