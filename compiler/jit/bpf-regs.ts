/**
 * @fileoverview Where eBPF registers live in RV64 code, and the registers the JIT reserves for itself: the kernel's
 * `regmap[]` and RV_REG_TCC/TCC_SAVED/ARENA (arch/riscv/net/bpf_jit_comp64.c, Linux 6.12), declared once.
 */
import { X, type Reg } from "../riscv/regs.js";

/** eBPF register number -> RV64 register, indexed R0..R10 then AX (11). A typed array: read on every instruction. */
export const BPF_TO_RV: Uint8Array = Uint8Array.from([
  X.a5, // R0: return value inside BPF code; copied (sign-extended) to a0 only by the epilogue
  X.a0, // R1: first argument = first C argument, so helpers are called without shuffling
  X.a1, // R2
  X.a2, // R3
  X.a3, // R4
  X.a4, // R5: fifth argument
  X.s1, // R6: callee-saved in both ABIs; saved by the prologue only if used ("seen")
  X.s2, // R7
  X.s3, // R8
  X.s4, // R9
  X.s5, // R10: the read-only BPF frame pointer, top of the BPF stack
  X.t0, // AX: the verifier's scratch register (constant blinding, rewrites)
]);

/** Highest eBPF register number an instruction may name (AX). */
export const BPF_REG_AX = 11;

/** Tail-call counter, set to MAX_TAIL_CALL_CNT by the entry and decremented by each tail call. */
export const TCC = X.a6;
/** Copy of TCC kept across calls when a function both calls and tail-calls (a6 is caller-saved). */
export const TCC_SAVED = X.s6;
/** kern_vm_start of the BPF arena, for programs that use one. */
export const ARENA = X.s7;

/** Emitter scratch registers, never allocated to eBPF registers: immediates, address arithmetic, zext/sext copies. */
export const T1 = X.t1;
export const T2 = X.t2;
/** Tail-call target and the store-conditional result of the cmpxchg loop. */
export const T3 = X.t3;

/**
 * "Seen" flags, one bit per RV register number as in the kernel: a callee-saved register whose bit is set is saved by
 * the prologue and restored by the epilogue. Bit 0 (x0 is never saved) marks a tail call, bit 1 (ra) a call.
 */
export const SEEN_TAIL_CALL = 1 << 0;
export const SEEN_CALL = 1 << X.ra;
export const seenBit = (r: Reg): number => 1 << r;

/** Registers whose use is tracked: s1..s6 (the kernel's RV_CTX_F_SEEN_S1..S6). */
export const TRACKED: readonly Reg[] = Object.freeze([X.s1, X.s2, X.s3, X.s4, X.s5, X.s6]);
const TRACKED_MASK = TRACKED.reduce((m, r) => m | seenBit(r), 0);

/** The seen-bit a use of eBPF register `bpfReg` sets (0 when its RV register is not tracked). */
export function seenOf(bpfReg: number): number {
  return (1 << BPF_TO_RV[bpfReg]!) & TRACKED_MASK;
}
