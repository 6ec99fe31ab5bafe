/**
 * @fileoverview SegmentedLayout (what the JIT uses) against FullLayout (the kernel's offset table, literally): on the
 * same functions, every pass must give the same size, and every var item the same position, size and offset, and
 * every offset-table entry must read the same. Programs: the bench generator at several densities and sizes, tail
 * calls, LD_IMM64, calls, and folded zero-extensions.
 */
import { describe, expect, it } from "vitest";
import { generateProgram } from "../../bench/jit.bench.js";
import * as b from "../../compiler/bpf/build.js";
import { insn, type Insn } from "../../compiler/bpf/insn.js";
import { BPF_ALU, BPF_JEQ, BPF_MOV, BPF_W, BPF_X } from "../../compiler/bpf/opcodes.js";
import { helperAddress, kfuncAddress } from "../../compiler/kernel-abi.js";
import { FullLayout, type Layout, SegmentedLayout } from "../../compiler/jit/layout.js";
import { passFrame } from "../../compiler/passes/fixup-branches.js";
import { lower } from "../../compiler/passes/lower.js";
import { mapRegisters } from "../../compiler/passes/map-registers.js";
import { addPrologueEpilogue } from "../../compiler/passes/prologue-epilogue.js";
import { splitFunctions } from "../../compiler/passes/split-functions.js";

function framed(insns: readonly Insn[]) {
  const isa = { c: true, zba: false, zbb: false };
  const split = splitFunctions({ insns, subprogs: [{ start: 0, end: insns.length, stackDepth: 64, isExceptionCb: false, isExceptionBoundary: false }] });
  const opts = {
    zacas: false, acqRel: false, verifierZext: false, zextCmpxchg32: false, helperAddr: helperAddress, kfuncAddr: kfuncAddress,
    kfuncArgSizes: () => undefined, arenaKernStart: 0n, arenaUserStart: 0n, hasM: true, hasA: true,
  };
  return addPrologueEpilogue(lower(mapRegisters(split, false), opts, isa), { isa, arenaKernStart: 0n }).funcs[0]!;
}

/**
 * Runs `passes` passes on both layouts (first variant first, as the loop does) and compares after each, or only after
 * the last (`everyPass` false): reading a SegmentedLayout's positions applies the move a pass leaves pending, so
 * only a run that reads nothing in between has its passes read pending entries, as the JIT's do. The offset table is
 * read before the positions for the same reason.
 */
function compare(insns: readonly Insn[], passes: number, everyPass = true): number {
  const f = framed(insns);
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
    const zext = insn(BPF_ALU | BPF_MOV | BPF_X, 0, 0, 0, 1);
    const prog: Insn[] = [b.callHelper(12)]; // at insn 0: the prologue-counting quirk
    for (let k = 0; k < 40; k++) {
      prog.push(b.ldxMem(BPF_W, 0, 1, 0), zext, ...b.ldImm64(2, BigInt(k) << 40n), b.callHelper(12));
      prog.push(b.jmpImm(BPF_JEQ, 0, k, 3), b.callHelper(1), b.ja(1), b.exit(), b.mov64Imm(0, k));
    }
    prog.push(b.exit());
    expect(compare(prog, 8)).toBeGreaterThan(0);
  });
});
