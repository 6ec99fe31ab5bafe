/**
 * @fileoverview One instruction as text, for the interpreter's fault reports and traces: the eBPF printer's syntax,
 * reading the xlated forms (r11 = AX, tail_call) too.
 */
import type { Insn } from "../../compiler/bpf/insn.js";
import { printInsn } from "../../compiler/bpf/print.js";

/** The instruction at slot `i` (`r0 = *(u64 *)(r1 + 8)`), or a note when `i` is past the end. */
export function describeInsn(insns: readonly Insn[], i: number): string {
  return i >= 0 && i < insns.length ? printInsn(insns, i, { xlated: true }) : `<slot ${i}, past the end>`;
}
