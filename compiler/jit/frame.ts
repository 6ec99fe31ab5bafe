/**
 * @fileoverview The stack frame of a JITed function, computed from one table of callee-saved registers.
 *
 *   higher addresses
 *   caller's sp == s0 ->  +------------------------------+
 *                         | ra             (if it calls) |  s0 - 8      \
 *                         | caller's s0    (always)      |  s0 - 16      |  with ra: a {fp, ra} frame record
 *                         | s1 .. s6       (if used)     |               |  at s0 - 16, as the unwinder expects
 *                         | s7             (arena base)  |               |  save area, round_up(8 * n, 16)
 *                         | (padding to 16)              |              /
 *   s5 == BPF R10      -> +------------------------------+  sp + bpfStackAdjust
 *                         | BPF stack                    |  round_up(stack_depth, 16)
 *   sp                 -> +------------------------------+  s0 - stackAdjust
 *   lower addresses
 *
 * Registers are stored from the top down in table order, so the save area's layout depends only on which registers
 * are saved, not on the BPF stack depth. An exception boundary saves ra, s0 and all of s1..s11 whatever it uses
 * (bpf_throw is C code that may clobber any of them and never returns), and its exception callback reuses that frame
 * (sp = boundary's s0 - its own stackAdjust), restoring the same slots: boundary and callback agree on the save
 * area even when their BPF stack depths differ.
 */
import { X, type Reg } from "../riscv/regs.js";
import { ARENA, SEEN_CALL, SEEN_TAIL_CALL, seenBit, TCC, TCC_SAVED } from "./bpf-regs.js";

export interface FrameLayout {
  /** Bytes the prologue subtracts from sp: save area plus BPF stack. */
  stackAdjust: number;
  /** round_up(stack_depth, 16): the BPF stack, [sp, sp + bpfStackAdjust); s5 = sp + bpfStackAdjust. */
  bpfStackAdjust: number;
  /** Saved registers in store order, with their offset from s0 (negative). */
  saved: { reg: Reg; offset: number }[];
  /** Where the tail-call counter lives in the body, if the function tail-calls. */
  tccReg?: Reg;
}

/** Why a function needs the registers it saves. */
export interface FrameNeeds {
  /** Seen flags (compiler/jit/bpf-regs.ts). */
  seen: number;
  stackDepth: number;
  arena: boolean;
  /** Exception boundary or exception callback: save (or restore) ra, s0, s1..s11 unconditionally. */
  saveAll: boolean;
}

/** The callee-saved registers in the order the kernel stores them, with the condition for saving each. */
const CALLEE_SAVED: readonly { reg: Reg; saved: (n: FrameNeeds) => boolean }[] = [
  { reg: X.ra, saved: (n) => (n.seen & SEEN_CALL) !== 0 },
  { reg: X.s0, saved: () => true },
  ...[X.s1, X.s2, X.s3, X.s4, X.s5, X.s6].map((reg) => ({ reg, saved: (n: FrameNeeds) => (n.seen & seenBit(reg)) !== 0 })),
  { reg: ARENA, saved: (n) => n.arena },
];

/** Exception boundaries and callbacks: the full RISC-V callee-saved set, ra and s0 first (the frame record). */
const ALL_CALLEE_SAVED: readonly Reg[] = [X.ra, X.s0, X.s1, X.s2, X.s3, X.s4, X.s5, X.s6, X.s7, X.s8, X.s9, X.s10, X.s11];

const roundUp16 = (n: number): number => (n + 15) & ~15;

export function frameLayout(n: FrameNeeds): FrameLayout {
  const regs = n.saveAll ? ALL_CALLEE_SAVED : CALLEE_SAVED.filter((e) => e.saved(n)).map((e) => e.reg);
  const bpfStackAdjust = roundUp16(n.stackDepth);
  const stackAdjust = roundUp16(8 * regs.length) + bpfStackAdjust;
  const layout: FrameLayout = { stackAdjust, bpfStackAdjust, saved: regs.map((reg, k) => ({ reg, offset: -8 * (k + 1) })) };
  if (n.seen & SEEN_TAIL_CALL) layout.tccReg = n.seen & SEEN_CALL ? TCC_SAVED : TCC;
  return layout;
}
