/**
 * @fileoverview The stage contract: each pass returns new values and leaves the previous stages as they were, so a
 * stage can be dumped, compared or reused after the passes that follow it have run.
 */
import { describe, expect, it } from "vitest";
import { generateProgram } from "../../bench/jit.bench.js";
import * as b from "../../compiler/bpf/build.js";
import type { CodeBuf } from "../../compiler/jit/code.js";
import { encodeFunctions } from "../../compiler/passes/encode.js";
import { fixupBranches } from "../../compiler/passes/fixup-branches.js";
import { lower } from "../../compiler/passes/lower.js";
import { mapRegisters } from "../../compiler/passes/map-registers.js";
import { addPrologueEpilogue } from "../../compiler/passes/prologue-epilogue.js";
import { splitFunctions } from "../../compiler/passes/split-functions.js";
import { lowerOptions } from "./helpers.js";

const bufState = (c: CodeBuf) => [c.nv, c.nu, c.hw, ...[c.code.subarray(0, c.hw), c.vk, c.vcond, c.va, c.vb, c.vtarget, c.vpos, c.uSlot, c.uVar, c.uStart].map((a) => Array.from(a))];

describe("passes leave earlier stages unchanged", () => {
  it("lowering, framing, fixup and encoding (with calls between functions and helper calls)", () => {
    const insns = [...generateProgram(3000, 7, 400).slice(0, -1), b.callPseudo(1), b.exit(), b.callHelper(1), b.exit()];
    const split = splitFunctions({ insns, subprogs: [
      { start: 0, end: insns.length - 2, stackDepth: 64, isExceptionCb: false, isExceptionBoundary: false },
      { start: insns.length - 2, end: insns.length, stackDepth: 0, isExceptionCb: false, isExceptionBoundary: false },
    ] });
    const isa = { c: true, zba: false, zbb: false };
    const opts = lowerOptions({ zextCmpxchg32: true });
    const mapped = mapRegisters(split, false);
    const seen = JSON.stringify(mapped.seen);
    const lowered = lower(mapped, opts, isa);
    const bodies = lowered.funcs.map((f) => bufState(f.body));
    const framed = addPrologueEpilogue(lowered, { isa, arenaKernStart: 0n });
    const frames = framed.funcs.map((f) => [bufState(f.steady.prologue), bufState(f.steady.epilogue), JSON.stringify(f.steady.layout)]);
    const fixed = fixupBranches(framed, 0xffff_ffff_0100_0000n);
    const layouts = fixed.funcs.map((f) => [Array.from(f.layout.at), Array.from(f.layout.hw), Array.from(f.layout.rvoff), f.layout.prologueLen, f.layout.epilogueOffset, Array.from({ length: f.fn.insns.length }, (_, k) => f.layout.offsetAt(k))]);
    const first = encodeFunctions(fixed, true);
    expect(JSON.stringify(mapped.seen)).toBe(seen);
    expect(lowered.funcs.map((f) => bufState(f.body))).toEqual(bodies);
    expect(framed.funcs.map((f) => [bufState(f.steady.prologue), bufState(f.steady.epilogue), JSON.stringify(f.steady.layout)])).toEqual(frames);
    expect(fixed.funcs.map((f) => [Array.from(f.layout.at), Array.from(f.layout.hw), Array.from(f.layout.rvoff), f.layout.prologueLen, f.layout.epilogueOffset, Array.from({ length: f.fn.insns.length }, (_, k) => f.layout.offsetAt(k))])).toEqual(layouts);
    // Encoding again from the same stages gives the same bytes.
    const again = encodeFunctions(fixed, true);
    expect(again.map((f) => Buffer.from(f.code).toString("hex"))).toEqual(first.map((f) => Buffer.from(f.code).toString("hex")));
  });
});
