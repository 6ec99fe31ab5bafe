/**
 * @fileoverview Verifier, part 10: which scalar values can still change what the walk decides. A register or stack
 * slot is *relevant* at an instruction when its value may later reach a jump condition, an address, a helper or
 * function argument, or (in a bpf-to-bpf callee) R0 at exit. Two states that differ only in the bounds of
 * irrelevant scalars lead to the same decisions, so path pruning may treat them as equal: this is what the
 * kernel's precision tracking buys it (mark_chain_precision), computed here once, ahead of the walk, by a backward
 * data-flow pass over each function. It errs towards "relevant" wherever a value could escape the analysis
 * (anything stored through a pointer other than R10, any call).
 */
import { type Insn, isLdImm64 } from "../bpf/insn.js";
import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_DW, BPF_END, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_LD,
  BPF_LDX, BPF_MOV, BPF_NEG, BPF_ST, BPF_STX, BPF_SUB, BPF_X, bpfClass, bpfMode, bpfOp, bpfSize,
} from "../bpf/opcodes.js";
import { jumpTarget } from "./verify-cfg.js";
import type { FuncInfo } from "./verify-env.js";

/** Relevant registers (bit r) and stack slots (bit k: [R10 - 8(k+1), R10 - 8k)) at the start of each instruction. */
export interface Relevance {
  regs: Uint16Array;
  /** Stack slot masks as two 32-bit halves (slots 0-31, 32-63). */
  slotsLo: Int32Array;
  slotsHi: Int32Array;
}

const ALL = -1;
const ARGS = 0b11_1110; // r1..r5
const CALL_DEFS = 0b11_1111; // r0..r5

interface Set_ {
  regs: number;
  lo: number;
  hi: number;
}

/** The fixed stack slot of an aligned 8-byte access `*(u64 *)(r10 + off)`, or -1. */
function fullSlot(x: Insn): number {
  return x.off < 0 && x.off >= -512 && x.off % 8 === 0 && bpfSize(x.code) === BPF_DW ? -x.off / 8 - 1 : -1;
}

/** The slot a fixed R10-relative access of any size falls in (accesses are aligned, so it is one slot). */
function slotOf(x: Insn): number {
  return x.off < 0 && x.off >= -512 ? Math.floor((-x.off - 1) / 8) : -1;
}

const has = (s: Set_, r: number) => (s.regs & (1 << r)) !== 0;
const slotHas = (s: Set_, k: number) => ((k < 32 ? s.lo : s.hi) & (1 << (k & 31))) !== 0;
function slotSet(s: Set_, k: number, on: boolean): void {
  const bit = 1 << (k & 31);
  if (k < 32) s.lo = on ? s.lo | bit : s.lo & ~bit;
  else s.hi = on ? s.hi | bit : s.hi & ~bit;
}

/** What is relevant before instruction `x` at `i`, given what is relevant after it (`s`, updated in place). */
function transfer(x: Insn, s: Set_, staticSubprog: boolean): void {
  const cls = bpfClass(x.code);
  const op = bpfOp(x.code);
  const isX = (x.code & BPF_X) !== 0;
  const add = (r: number) => (s.regs |= 1 << r);
  const kill = (r: number) => (s.regs &= ~(1 << r));
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64:
      if (op === BPF_MOV) {
        const rel = has(s, x.dst);
        kill(x.dst);
        if (isX && rel) add(x.src);
      } else if (cls === BPF_ALU64 && isX && (op === BPF_ADD || op === BPF_SUB)) {
        // Either operand may be a pointer, and pointer arithmetic checks the scalar's bounds right here
        // ("math between fp pointer and register with unbounded min value ..."), whatever happens later.
        add(x.dst);
        add(x.src);
      } else if (op !== BPF_END && op !== BPF_NEG && isX && has(s, x.dst)) add(x.src);
      return;
    case BPF_LD:
      if (isLdImm64(x)) kill(x.dst);
      return;
    case BPF_LDX: {
      const rel = has(s, x.dst);
      kill(x.dst);
      add(x.src);
      if (rel && x.src === 10 && slotOf(x) >= 0) slotSet(s, slotOf(x), true);
      else if (rel) [s.lo, s.hi] = [ALL, ALL]; // through another pointer: it may be any stack slot
      return;
    }
    case BPF_ST:
    case BPF_STX: {
      const atomic = cls === BPF_STX && bpfMode(x.code) === BPF_ATOMIC;
      const k = x.dst === 10 ? fullSlot(x) : -1;
      const valueRel = x.dst !== 10 || atomic || (slotOf(x) >= 0 && slotHas(s, slotOf(x)));
      if (k >= 0 && !atomic) slotSet(s, k, false); // overwritten whole
      add(x.dst);
      if (cls === BPF_STX && valueRel) add(x.src);
      if (atomic) {
        add(x.src);
        if (x.imm === BPF_CMPXCHG) add(0);
        if (x.dst === 10 && slotOf(x) >= 0) slotSet(s, slotOf(x), true);
      }
      return;
    }
    default: // JMP, JMP32
      if (op === BPF_CALL) {
        s.regs = (s.regs & ~CALL_DEFS) | ARGS;
        [s.lo, s.hi] = [ALL, ALL]; // the callee may read the stack through a pointer argument
      } else if (op === BPF_EXIT) {
        s.regs = staticSubprog ? 1 : 0; // a static callee's R0 becomes the caller's
        [s.lo, s.hi] = [0, 0];
      } else if (op !== BPF_JA) {
        add(x.dst);
        if (isX) add(x.src);
      }
  }
}

/** Successor slots of instruction i inside its function. */
function successors(insns: readonly Insn[], i: number): number[] {
  const x = insns[i]!;
  const cls = bpfClass(x.code);
  if (isLdImm64(x)) return [i + 2];
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return [i + 1];
  const op = bpfOp(x.code);
  if (op === BPF_EXIT) return [];
  if (op === BPF_CALL) return [i + 1];
  if (op === BPF_JA) return [jumpTarget(x, i)];
  if (op >= 0xe0) return [i + 1]; // the kernel-internal tail call falls through when it fails
  return [i + 1, jumpTarget(x, i)];
}

/** Relevance at every slot, by a backward fixpoint over each function. */
export function relevance(insns: readonly Insn[], funcs: readonly FuncInfo[]): Relevance {
  const n = insns.length;
  const out: Relevance = { regs: new Uint16Array(n + 2), slotsLo: new Int32Array(n + 2), slotsHi: new Int32Array(n + 2) };
  const secondHalf = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (isLdImm64(insns[i]!)) secondHalf[++i] = 1;
  funcs.forEach((f, k) => {
    const staticSubprog = k > 0 && !f.global && !f.isExceptionCb;
    for (let changed = true; changed; ) {
      changed = false;
      for (let i = f.end - 1; i >= f.start; i--) {
        if (secondHalf[i]) continue;
        const s: Set_ = { regs: 0, lo: 0, hi: 0 };
        for (const j of successors(insns, i)) {
          if (j >= f.end) continue;
          s.regs |= out.regs[j]!;
          s.lo |= out.slotsLo[j]!;
          s.hi |= out.slotsHi[j]!;
        }
        transfer(insns[i]!, s, staticSubprog);
        if (s.regs !== out.regs[i] || s.lo !== out.slotsLo[i] || s.hi !== out.slotsHi[i]) {
          [out.regs[i], out.slotsLo[i], out.slotsHi[i]] = [s.regs, s.lo, s.hi];
          changed = true;
        }
      }
    }
  });
  return out;
}

