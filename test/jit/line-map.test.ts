/**
 * @fileoverview The line map (eBPF slot -> byte offset of its first RV instruction) and the attribution of each RV
 * instruction to a slot, which the output sums up from the unit lengths encode.ts keeps (image.ts), against the
 * same thing found the long way: walking every unit in order, adding up its fixed halfwords and the sizes of the var
 * items the final pass placed before it. Programs: the bench generator,
 * and one with tail calls, calls, LD_IMM64, folded zero-extensions and an exit in the middle.
 */
import { describe, expect, it } from "vitest";
import { generateProgram } from "../../bench/jit.bench.js";
import type { Insn } from "../../compiler/bpf/insn.js";
import { IMAGE_ADDR } from "../../compiler/kernel-abi.js";
import { encodeFunctions } from "../../compiler/passes/encode.js";
import { fixupBranches, passFrame } from "../../compiler/passes/fixup-branches.js";
import { framedProgram, unitMix } from "./helpers.js";

function compileParts(insns: readonly Insn[]) {
  const fixed = fixupBranches(framedProgram(insns, { c: true, zba: false, zbb: false }, 64), IMAGE_ADDR);
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
    const prog = unitMix(30);
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
