/**
 * @fileoverview split-functions finds each function's callees and the program's kfunc calls either by walking the
 * program or, for jitRaw, from the call sites its scan already found: both ways must give the same split, and a call
 * to a slot that starts no function is refused either way.
 */
import { describe, expect, it } from "vitest";
import { generateProgram } from "../../bench/jit.bench.js";
import * as b from "../../compiler/bpf/build.js";
import type { Insn } from "../../compiler/bpf/insn.js";
import { scanCalls } from "../../compiler/bpf/subprogs.js";
import { BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL } from "../../compiler/bpf/opcodes.js";
import type { JitInput } from "../../compiler/jit/input.js";
import { splitFunctions } from "../../compiler/passes/split-functions.js";

const kfuncCall = (id: number): Insn => ({ ...b.callHelper(id), src: BPF_PSEUDO_KFUNC_CALL });

/** A program with calls, a function address and kfunc calls in several functions, as jitRaw would hand it over. */
function input(insns: readonly Insn[], sites: boolean): JitInput {
  const scan = scanCalls(insns);
  const subprogs = scan.starts.map((start, k) => ({
    start, end: scan.starts[k + 1] ?? insns.length, stackDepth: 0, isExceptionCb: false, isExceptionBoundary: false,
  }));
  return { insns, subprogs, raw: true, ...(sites ? { callSites: { calls: scan.calls, kfuncCalls: scan.kfuncCalls } } : {}) };
}

const split = (insns: readonly Insn[], sites: boolean) => {
  const s = splitFunctions(input(insns, sites));
  return { kfuncCalls: s.kfuncCalls, funcs: s.funcs.map((f) => ({ start: f.start, n: f.insns.length, callee: [...f.callee] })) };
};

describe("split-functions: callees from a walk or from the scan's call sites", () => {
  // main (0-5): call f1, r1 = &f2 (LD_IMM64 at 1-2), a kfunc call at 3, exit; f1 (6-8): a kfunc call, call f2, exit;
  // f2 (9-): the generated program
  const [lo, hi] = b.ldImm64(1, 0n);
  const prog: Insn[] = [
    b.callPseudo(5), { ...lo!, src: BPF_PSEUDO_FUNC, imm: 7 }, hi!, kfuncCall(7), b.mov64Imm(0, 0), b.exit(),
    kfuncCall(9), b.callPseudo(1), b.exit(),
    ...generateProgram(200, 3, 20),
  ];

  it("finds the same callees and kfunc calls both ways", () => {
    const walked = split(prog, false);
    expect(walked.funcs.map((f) => f.callee)).toEqual([[[0, 1], [1, 2]], [[1, 2]], []]);
    expect(walked.kfuncCalls).toEqual([3, 6]);
    expect(split(prog, true)).toEqual(walked);
  });

  it("refuses a function address that points into the middle of a function, both ways", () => {
    const bad = [...prog];
    bad[1] = { ...lo!, src: BPF_PSEUDO_FUNC, imm: 8 }; // slot 10, inside f2
    const withSites = input(bad, true);
    const walked = input(bad, false);
    // the scan takes every target for a function start: drop that one, so that the table disagrees with the load
    const subprogs = withSites.subprogs.filter((s) => s.start !== 10);
    const fixed = (i: JitInput): JitInput => ({ ...i, subprogs: subprogs.map((s, k) => ({ ...s, end: subprogs[k + 1]?.start ?? bad.length })) });
    expect(() => splitFunctions(fixed(walked))).toThrow(/function address to insn 10, which does not start a function/);
    expect(() => splitFunctions(fixed(withSites))).toThrow(/function address to insn 10, which does not start a function/);
  });
});
