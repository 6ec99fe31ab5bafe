/**
 * @fileoverview Encoding: the kernel's final pass, with the layout frozen, and for a multi-function program its extra
 * pass, in which bpf-to-bpf calls and function addresses finally know their targets.
 * Requires: converged layouts and function addresses (fixup-branches.ts).
 * Provides: per function the code bytes, the RV instruction list, the line map (eBPF slot -> byte offset of the
 *   first RV instruction for it) and the exception table.
 * Does not: change any size: every var item is written in the form the layout chose (checked).
 */
import type { Insn } from "../bpf/insn.js";
import { X } from "../riscv/regs.js";
import { writeBranch, writeJump } from "../jit/branch.js";
import { writeI, writeU } from "../jit/encode-op.js";
import { CodeBuf, insnHw, VK } from "../jit/code.js";
import { addUnitLength, imageInsns, putCode, slotStarts, type UnitLengths, unitStartOf } from "../jit/image.js";
import type { PassResult } from "../jit/layout.js";
import { JitError } from "../jit/errors.js";
import type { FrameLayout } from "../jit/frame.js";
import { inAuipcJalrRange } from "../jit/imm.js";
import { OP } from "../jit/ops.js";
import { passFrame, type Fixed, type FixedFunc } from "./fixup-branches.js";

/** One RV64 instruction of the output. */
export interface RvInsn {
  /** Byte offset from the function's first instruction. */
  offset: number;
  size: 2 | 4;
  word: number;
  /** eBPF slot (function-local) it came from; -1 for the prologue and epilogue. */
  bpf: number;
}

/** An exception-table entry (PROBE_MEM loads, arena accesses): on a fault, clear `reg` and resume at `fixup`. */
export interface ExTableEntry {
  /** Byte offset of the instruction that may fault. */
  insn: number;
  /** Byte offset execution resumes at (the next instruction). */
  fixup: number;
  /** RV register set to 0 on a fault, or 0 for none. */
  reg: number;
}

export interface JitFunction {
  index: number;
  name: string;
  /** Program slot of the function's first eBPF instruction, and its instructions (slots are function-local). */
  bpfStart: number;
  bpf: readonly Insn[];
  addr: bigint;
  code: Uint8Array;
  /** The instructions (built on first use). */
  readonly insns: RvInsn[];
  /** eBPF slot (function-local) -> byte offset of its first RV instruction; a slot consumed with the previous one
   * (LD_IMM64's second half, a zero-extension folded into its load) maps to its unit's start (built on first use). */
  readonly lineMap: number[];
  frame: FrameLayout;
  passes: number;
  isExceptionCb: boolean;
  isExceptionBoundary: boolean;
  /** Bytes allocated for the image: the size when the pass loop first converged (the kernel's jited_len). */
  allocSize: number;
  extable: ExTableEntry[];
  /** Byte offsets of the body (first instruction after the prologue) and of the epilogue. */
  bodyStart: number;
  epilogueStart: number;
}

/** Encodes every function; kernel quirks that the output reproduces are described in `warnings`. */
export function encodeFunctions(fixed: Fixed, multi: boolean, warnings: string[] = []): JitFunction[] {
  const addrs = fixed.funcs.map((f) => f.addr);
  return fixed.funcs.map((f) => encodeFunction(f, multi, addrs, warnings));
}

function encodeFunction(f: FixedFunc, multi: boolean, addrs: readonly bigint[], warnings: string[]): JitFunction {
  const body = f.body;
  // The extra pass (several functions): bpf-to-bpf calls know how far their targets are.
  let bpfDelta: Float64Array | undefined;
  if (multi) {
    bpfDelta = new Float64Array(body.nv);
    for (let v = 0; v < body.nv; v++) {
      if (body.vk[v] === VK.CallBpf) bpfDelta[v] = Number(BigInt.asIntN(64, addrs[body.vtarget[v]!]! - f.addr));
    }
  }
  const frame = f.steady;
  const { size: totalHw, result: st } = f.layout.finalPass(passFrame(frame), bpfDelta);
  if (totalHw > f.allocHw) throw new JitError(`internal: final pass of ${f.fn.name} is larger (${totalHw} halfwords) than its allocation (${f.allocHw})`);

  const code = new Uint8Array(2 * totalHw);
  const hws = new Uint16Array(code.buffer); // the image by halfwords, which is how everything in it is aligned
  const nslots = f.fn.insns.length;
  const bodyStart = putCode(hws, 0, frame.prologue);
  let p = writeBody(hws, bodyStart, f, st, multi, addrs, frame.tailEpilogue);
  const epilogueHw = p;
  p = putCode(hws, p, frame.epilogue);
  if (p !== totalHw) throw new JitError(`internal: ${f.fn.name} encodes to ${2 * p} bytes, laid out as ${2 * totalHw}`);
  checkTargets(f, st, epilogueHw, warnings);
  const units = unitLengths(body, st, nslots);
  const extable = exceptionTable(body, st, bodyStart);
  let starts: Int32Array | undefined;
  const startsOf = (): Int32Array => (starts ??= slotStarts(units, bodyStart));
  let insns: RvInsn[] | undefined;
  let lineMap: number[] | undefined;
  return {
    index: f.fn.index,
    name: f.fn.name,
    bpfStart: f.fn.start,
    bpf: f.fn.insns,
    addr: f.addr,
    code,
    get insns(): RvInsn[] {
      insns ??= imageInsns(code, startsOf(), epilogueHw);
      return insns;
    },
    get lineMap(): number[] {
      if (lineMap === undefined) {
        const table = startsOf();
        lineMap = Array.from({ length: nslots }, (_, k) => 2 * unitStartOf(table, k));
      }
      return lineMap;
    },
    frame: frame.layout,
    passes: f.passes,
    isExceptionCb: f.fn.isExceptionCb,
    isExceptionBoundary: f.fn.isExceptionBoundary,
    allocSize: 2 * f.allocHw,
    extable,
    bodyStart: 2 * bodyStart,
    epilogueStart: 2 * epilogueHw,
  };
}

/**
 * The final pass over the body from halfword `p`: the fixed code as lowering encoded it, then the var items written in
 * the form and with the offset the layout's final pass computed (each must fill its room exactly). Returns the
 * halfword after the body.
 */
function writeBody(hws: Uint16Array, p: number, f: FixedFunc, st: PassResult, multi: boolean, addrs: readonly bigint[], tailEpilogue: CodeBuf): number {
  const end = copyFixedCode(hws, p, f.body, st.at, st.hw, f.fn.name);
  writeVars(hws, f, st, multi, addrs, tailEpilogue);
  return end;
}

// The final pass's three loops are three functions: each runs once per function, and V8 optimizes a function whole
// once it has run a few times, but a loop optimized on entry (on-stack) deoptimizes at the first code after it.

/** The fixed code, copied in the runs between var items; each var item's room skipped (it must be where the layout
 * put it). Returns the halfword after the body. */
function copyFixedCode(hws: Uint16Array, p: number, body: CodeBuf, at: Int32Array, hw: Uint8Array, name: string): number {
  const { code, vpos, nv } = body;
  const total = body.hw;
  let q = 0; // position in the fixed code
  // One loop, the run after the last var item included: code after a long loop deoptimizes (see above).
  for (let v = 0; v <= nv; v++) {
    for (const end = v < nv ? vpos[v]! : total; q < end; q++) hws[p++] = code[q]!;
    if (v === nv) break;
    if (at[v] !== p) throw new JitError(`internal: var item ${v} of ${name} laid out at ${2 * at[v]!} but lands at ${2 * p}`);
    p += hw[v]!;
  }
  return p;
}

/** Each unit's length in the image (halfwords: its fixed code, then its var items as the layout sized them), by the
 * unit's first slot (image.ts). */
function unitLengths(body: CodeBuf, st: PassResult, nslots: number): UnitLengths {
  const { nu, nv, uSlot, uStart, vunit } = body;
  const hw = st.hw;
  const units: UnitLengths = { lens: new Uint8Array(nslots), long: new Map() };
  for (let u = 0; u < nu; u++) addUnitLength(units, uSlot[u]!, 1 + uStart[u + 1]! - uStart[u]!); // from 0: 1 + its length
  for (let v = 0; v < nv; v++) addUnitLength(units, uSlot[vunit[v]!]!, hw[v]!);
  return units;
}

/**
 * Where unit u starts in the image (halfwords): its place in the fixed code, moved by everything before it that is
 * not fixed code (the prologue, the var items), which is how far the next var item landed from its own fixed place
 * (none between them); for the units after the last var item, how far the epilogue did.
 */
function unitStart(body: CodeBuf, st: PassResult, u: number, epilogueHw: number): number {
  if (u === body.nu) return epilogueHw;
  const v = body.uVar[u]!;
  return body.uStart[u]! + (v < body.nv ? st.at[v]! - body.vpos[v]! : epilogueHw - body.hw);
}

/** The var items, written straight into the image where the layout put them, each checked to fill its room. */
function writeVars(hws: Uint16Array, f: FixedFunc, st: PassResult, multi: boolean, addrs: readonly bigint[], tailEpilogue: CodeBuf): void {
  const { at, hw, rvoff } = st;
  const { vk, vcond, va, vb, nv } = f.body;
  for (let v = 0; v < nv; v++) {
    const p = at[v]!;
    const end = vk[v] === VK.Branch ? writeBranch(hws, p, vcond[v]!, va[v]!, vb[v]!, rvoff[v]!) : writeVar(hws, p, f, st, v, multi, addrs, tailEpilogue);
    if (end - p !== hw[v]) throw new JitError(`internal: var item ${v} of ${f.fn.name} changed size in the final pass`);
  }
}

/**
 * The exception table: each op that may fault, at its byte offset in the image (its place in the fixed code plus the
 * var items written before it: those placed at or before it, as an item's place precedes the op emitted after it).
 */
function exceptionTable(body: CodeBuf, st: PassResult, bodyStart: number): ExTableEntry[] {
  const out: ExTableEntry[] = [];
  let v = 0;
  let extra = bodyStart;
  body.faultPos.forEach((q, e) => {
    for (; v < body.nv && body.vpos[v]! <= q; v++) extra += st.hw[v]!;
    const insn = 2 * (q + extra);
    out.push({ insn, fixup: insn + 2 * insnHw(body.code[q]!), reg: body.faultReg[e]! });
  });
  return out;
}

/** Writes var item `v` at halfword `p` in the form and with the offset the final pass computed; returns the
 * halfword after it. */
function writeVar(hws: Uint16Array, p: number, f: FixedFunc, st: PassResult, v: number, multi: boolean, addrs: readonly bigint[], tailEpilogue: CodeBuf): number {
  const b = f.body;
  const off = st.rvoff[v]!;
  switch (b.vk[v]) {
    case VK.Branch:
    case VK.TailOut:
      return writeBranch(hws, p, b.vcond[v]!, b.va[v]!, b.vb[v]!, off);
    case VK.Jump:
    case VK.JumpEpilogue:
      return writeJump(hws, p, X.zero, off, true);
    case VK.CallFixed:
      return writeJump(hws, p, X.ra, off, true);
    case VK.CallBpf:
      return writeJump(hws, p, X.ra, off, false);
    case VK.Addr: {
      const target = b.vtarget[v]! >= 0 ? addrs[b.vtarget[v]!]! : b.vaddr[v]!;
      const rel = BigInt.asIntN(64, target - (f.addr + BigInt(2 * p)));
      if (multi && !inAuipcJalrRange(Number(rel))) throw new JitError(`bpf-jit: target offset 0x${rel.toString(16)} is out of range`);
      const rd = b.va[v]!;
      const q = writeU(hws, p, OP.auipc, rd, Number(BigInt.asIntN(20, (rel + 0x800n) >> 12n)));
      return writeI(hws, q, OP.addi, rd, rd, Number(BigInt.asIntN(12, rel)));
    }
    case VK.TailEpilogue:
      return putCode(hws, p, tailEpilogue);
  }
  throw new JitError(`internal: unknown var item kind ${b.vk[v]}`);
}

/**
 * Every branch and jump must land where its target's code starts. The kernel does not check this (its final pass
 * trusts a converged size); a program whose layout is inconsistent is refused rather than miscompiled.
 */
function checkTargets(f: FixedFunc, st: PassResult, epilogueHw: number, warnings: string[]): void {
  const b = f.body;
  const { vk, vtarget, vunit, uVar, uSlot, slotUnit } = b;
  const nslots = f.fn.insns.length;
  for (let v = 0; v < b.nv; v++) {
    const kind = vk[v];
    let want: number;
    if (kind === VK.Branch || kind === VK.Jump) {
      const t = vtarget[v]!;
      want = t === nslots ? epilogueHw : unitStart(b, st, slotUnit[t]!, epilogueHw);
    } else if (kind === VK.JumpEpilogue) want = epilogueHw;
    else if (kind === VK.TailOut) want = unitStart(b, st, vunit[v]! + 1, epilogueHw); // the next unit, or the epilogue
    else continue;
    const miss = 2 * st.at[v]! + st.rvoff[v]! - 2 * want;
    if (miss === 0) continue;
    const u = vunit[v]!;
    if (kind === VK.TailOut && uSlot[u] === 0) {
      // Linux 6.12 measures the exit of a tail call at slot 0 as offset[0], which includes the prologue.
      if (v === uVar[u]) warnings.push(`${f.fn.name}: tail call at insn 0: its "out" branches land ${miss} bytes past the sequence (Linux 6.12 counts the prologue in offset[0]); reproduced as the kernel emits it`);
      continue;
    }
    throw new JitError(`bpf-jit: inconsistent layout: a branch in ${f.fn.name} misses its target by ${miss} bytes`, f.fn.start + uSlot[u]!);
  }
}
