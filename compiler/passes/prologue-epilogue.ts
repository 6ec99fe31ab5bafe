/**
 * @fileoverview Prologue and epilogue (bpf_jit_build_prologue / __build_epilogue), generated from the frame layout.
 * Requires: lowered functions with their seen flags.
 * Provides: per function the frame layout and the prologue, epilogue and tail-call epilogue code, in two variants:
 *   `first`, as the kernel builds them in its first sizing pass (prologue sized from the discovery flags), and
 *   `steady`, for every later pass. They are the same object unless a tail call precedes the first call.
 * Does not: place anything (fixup-branches.ts).
 *
 * Entry sequence, whose size must not depend on RVC because tail calls jump a fixed 12 bytes past it:
 *   nop; nop                  patched by bpf_arch_text_poke into a call to a BPF trampoline (fentry)
 *   addi a6, zero, 33         TCC = MAX_TAIL_CALL_CNT; a tail call enters just after this instruction
 * then the frame: sp -= stackAdjust, saves, s0 = caller's sp, s5 = BPF frame pointer, s6 = TCC if needed.
 * An exception callback instead adopts its boundary's frame: s0 = a2 (the boundary's s0, from bpf_throw), sp below
 * it, nothing stored (arm64 does the same: `mov x29, x2; sub sp, x29, #96`). The RISC-V patch does not say whether
 * the callback keeps the entry sequence; we follow arm64, whose callback keeps its patch site like every function,
 * so the callback starts with the same two nops and TCC initialisation.
 */
import { MAX_TAIL_CALL_CNT } from "../kernel-abi.js";
import { X, type Reg } from "../riscv/regs.js";
import { ARENA, SEEN_CALL, SEEN_TAIL_CALL, seenBit, T3, TCC, TCC_SAVED } from "../jit/bpf-regs.js";
import { CodeBuf } from "../jit/code.js";
import { Asm, type EmitIsa } from "../jit/emit.js";
import { frameLayout, type FrameLayout, type FrameNeeds } from "../jit/frame.js";
import { OP } from "../jit/ops.js";
import type { Lowered, LoweredFunc } from "./lower.js";

/** Bytes a tail call skips at the start of its target: the two fentry nops and the TCC initialisation. */
export const TAIL_CALL_SKIP = 12;

export interface FrameCode {
  layout: FrameLayout;
  prologue: CodeBuf;
  epilogue: CodeBuf;
  tailEpilogue: CodeBuf;
}

export interface FramedFunc extends LoweredFunc {
  first: FrameCode;
  steady: FrameCode;
}

export interface Framed {
  lowered: Lowered;
  funcs: readonly FramedFunc[];
}

export interface FrameOptions {
  isa: EmitIsa;
  arenaKernStart: bigint;
}

export function addPrologueEpilogue(l: Lowered, opts: FrameOptions): Framed {
  return { lowered: l, funcs: l.funcs.map((f) => framed(f, opts)) };
}

function framed(f: LoweredFunc, opts: FrameOptions): FramedFunc {
  const saveAll = f.fn.isExceptionBoundary || f.fn.isExceptionCb;
  const needs = (seen: number): FrameNeeds => {
    // mark_fp: a function with a BPF stack uses s5 even if no instruction names R10
    const fp = f.fn.stackDepth !== 0 ? seenBit(X.s5) : 0;
    return { seen: seen | fp, stackDepth: f.fn.stackDepth, arena: opts.arenaKernStart !== 0n, saveAll };
  };
  const steady = frameCode(needs(f.seen.final), needs(f.seen.final), f, opts);
  const first = f.seen.discovery === f.seen.final ? steady : frameCode(needs(f.seen.discovery), needs(f.seen.final), f, opts);
  return { fn: f.fn, seen: f.seen, body: f.body, first, steady }; // a literal, not a spread: one shape for every function
}

/** Prologue sized for `pro`; epilogues restoring what `epi` says, from the stack size the prologue chose. */
function frameCode(pro: FrameNeeds, epi: FrameNeeds, f: LoweredFunc, opts: FrameOptions): FrameCode {
  const layout = frameLayout(pro);
  const restored = frameLayout(epi).saved.map((s) => s.reg);
  return {
    layout,
    prologue: prologue(layout, pro, f.fn.isExceptionCb, opts),
    epilogue: epilogue(restored, layout.stackAdjust, false, opts.isa),
    tailEpilogue: epilogue(restored, layout.stackAdjust, true, opts.isa),
  };
}

function prologue(layout: FrameLayout, n: FrameNeeds, isExceptionCb: boolean, opts: FrameOptions): CodeBuf {
  const buf = new CodeBuf(24, 1);
  const a = new Asm(buf, opts.isa);
  a.nop();
  a.nop();
  a.i(OP.addi, TCC, X.zero, MAX_TAIL_CALL_CNT); // forced 4 bytes: the tail-call entry offset is a constant
  const { stackAdjust, bpfStackAdjust } = layout;
  if (isExceptionCb) {
    a.mv(X.s0, X.a2); // the boundary's frame pointer, third argument of bpf_exception_cb()
    a.addi(X.sp, X.s0, -stackAdjust);
  } else {
    a.addi(X.sp, X.sp, -stackAdjust);
    for (const { reg, offset } of layout.saved) a.sd(X.sp, stackAdjust + offset, reg);
    a.addi(X.s0, X.sp, stackAdjust);
  }
  if (bpfStackAdjust !== 0) a.addi(X.s5, X.sp, bpfStackAdjust); // R10 = top of the BPF stack
  if ((n.seen & SEEN_TAIL_CALL) !== 0 && (n.seen & SEEN_CALL) !== 0) a.mv(TCC_SAVED, TCC); // keep TCC across calls
  if (n.arena) {
    const v = BigInt.asUintN(64, opts.arenaKernStart);
    a.imm64(ARENA, Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
  }
  return buf;
}

/** Restores `regs` from the top of the frame down, pops it, and returns (a0 = (s32)R0) or tail-calls via t3. */
function epilogue(regs: readonly Reg[], stackAdjust: number, tail: boolean, isa: EmitIsa): CodeBuf {
  const buf = new CodeBuf(24, 1);
  const a = new Asm(buf, isa);
  regs.forEach((reg, k) => a.ld(reg, stackAdjust - 8 * (k + 1), X.sp));
  a.addi(X.sp, X.sp, stackAdjust);
  if (!tail) a.addiw(X.a0, X.a5, 0); // the return value, sign-extended from 32 bits as C callers of BPF expect
  if (tail) a.jalr(X.zero, T3, TAIL_CALL_SKIP);
  else a.jalr(X.zero, X.ra, 0);
  return buf;
}
