/**
 * @fileoverview The line map (eBPF slot -> byte offset of its first RV instruction) and the attribution of each RV
 * instruction to a slot, which encode.ts finds per slot when asked (from the fixed position and first var item
 * lowering recorded for each slot), against the same thing found the long way: walking every unit in order, adding up
 * its fixed halfwords and the sizes of the var items the final pass placed before it. Programs: the bench generator,
 * and one with tail calls, calls, LD_IMM64, folded zero-extensions and an exit in the middle.
 */
import { describe, expect, it } from "vitest";
import { generateProgram } from "../../bench/jit.bench.js";
import * as b from "../../compiler/bpf/build.js";
import { insn, type Insn } from "../../compiler/bpf/insn.js";
import { BPF_ALU, BPF_JEQ, BPF_MOV, BPF_W, BPF_X } from "../../compiler/bpf/opcodes.js";
import { helperAddress, IMAGE_ADDR, kfuncAddress } from "../../compiler/kernel-abi.js";
import { encodeFunctions } from "../../compiler/passes/encode.js";
import { fixupBranches, passFrame } from "../../compiler/passes/fixup-branches.js";
import { lower } from "../../compiler/passes/lower.js";
import { mapRegisters } from "../../compiler/passes/map-registers.js";
import { addPrologueEpilogue } from "../../compiler/passes/prologue-epilogue.js";
import { splitFunctions } from "../../compiler/passes/split-functions.js";

function compileParts(insns: readonly Insn[]) {
  const isa = { c: true, zba: false, zbb: false };
  const split = splitFunctions({ insns, subprogs: [{ start: 0, end: insns.length, stackDepth: 64, isExceptionCb: false, isExceptionBoundary: false }], raw: true });
  const opts = {
    zacas: false, acqRel: false, verifierZext: false, zextCmpxchg32: false, helperAddr: helperAddress, kfuncAddr: kfuncAddress,
    kfuncArgSizes: () => undefined, arenaKernStart: 0n, arenaUserStart: 0n, hasM: true, hasA: true,
  };
  const fixed = fixupBranches(addPrologueEpilogue(lower(mapRegisters(split, false), opts, isa), { isa, arenaKernStart: 0n }), IMAGE_ADDR);
  return { fixed, out: encodeFunctions(fixed, false)[0]! };
}

/** Byte offset of every slot's unit, by walking all units: each starts after the fixed code of the units before it
 * and every var item placed before it. */
function lineMapByWalk(insns: readonly Insn[]): { expected: number[]; actual: number[]; bpfOf: number[]; attributed: number[] } {
  const { fixed, out } = compileParts(insns);
  const f = fixed.funcs[0]!;
  const body = f.body;
  const { result: st } = f.layout.finalPass(passFrame(f.steady));
  const expected = new Array<number>(insns.length).fill(-1);
  let fixedHw = 0;
  let varHw = 0;
  let v = 0;
  for (let u = 0; u < body.nu; u++) {
    for (; v < body.uVar[u]!; v++) varHw += st.hw[v]!;
    const start = 2 * (f.steady.prologue.hw + fixedHw + varHw);
    for (let k = body.uSlot[u]!; k < body.uSlot[u + 1]!; k++) expected[k] = start;
    fixedHw += body.uStart[u + 1]! - body.uStart[u]!;
  }
  // Each instruction's slot, as the image's instruction list gives it: the first slot of the unit it lies in.
  const bpfOf = out.insns.map((x) => x.bpf);
  const firsts = Array.from(body.uSlot.subarray(0, body.nu));
  const attributed = out.insns.map((x) => {
    let k = -1;
    for (const s of firsts) if (expected[s]! <= x.offset && x.offset < out.epilogueStart) k = s;
    return k;
  });
  return { expected, actual: out.lineMap, bpfOf, attributed };
}

describe("line map: per-slot lookups agree with a walk over every unit", () => {
  it("generated program, 3,000 insns", () => {
    const r = lineMapByWalk(generateProgram(3_000, 5));
    expect(r.actual).toEqual(r.expected);
  });

  it("tail calls, calls, LD_IMM64, folded zero-extensions, exits in the middle", () => {
    const zext = insn(BPF_ALU | BPF_MOV | BPF_X, 0, 0, 0, 1);
    const prog: Insn[] = [b.callHelper(12)];
    for (let k = 0; k < 30; k++) {
      prog.push(b.ldxMem(BPF_W, 0, 1, 0), zext, ...b.ldImm64(2, BigInt(k) << 40n), b.callHelper(12));
      prog.push(b.jmpImm(BPF_JEQ, 0, k, 3), b.callHelper(1), b.ja(1), b.exit(), b.mov64Imm(0, k));
    }
    prog.push(b.exit());
    const r = lineMapByWalk(prog);
    expect(r.actual).toEqual(r.expected);
    // consumed slots (LD_IMM64's second half, the folded zext) share their unit's offset
    expect(r.actual[2]).toBe(r.actual[1]);
    expect(r.actual[4]).toBe(r.actual[3]);
  });

  it("each body instruction is attributed to the slot whose unit it lies in", () => {
    const r = lineMapByWalk(generateProgram(1_000, 9));
    const body = r.bpfOf.map((k, i) => [k, r.attributed[i]]).filter(([k]) => k !== -1);
    expect(body.length).toBeGreaterThan(900);
    for (const [k, want] of body) if (k !== want) expect(k).toBe(want);
  });
});
