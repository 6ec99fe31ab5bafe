/**
 * @fileoverview One instruction as text, for the interpreter's fault reports and traces.
 */
import type { Insn } from "../../compiler/bpf/insn.js";

/** The instruction at slot `i`, as raw fields (until the eBPF printer is wired in). */
export function describeInsn(insns: readonly Insn[], i: number): string {
  const x = insns[i];
  if (!x) return "<past the end>";
  return `code 0x${x.code.toString(16).padStart(2, "0")} dst r${x.dst} src r${x.src} off ${x.off} imm ${x.imm}`;
}
