/**
 * @fileoverview How the kernel steps through a function: one eBPF instruction at a time, except that an instruction
 * may consume the next slot too (build_body's `ret > 0`). LD_IMM64 always does; a load of 1, 2 or 4 bytes does when
 * the next instruction is the verifier's explicit zero-extension of its result (a load already zero-extends).
 * Skipped slots emit nothing, set no "seen" flags, and only the unit's last slot gets an offset-table entry.
 */
import { isLdImm64, type Insn } from "../bpf/insn.js";
import { BPF_ALU, BPF_ATOMIC, BPF_DW, BPF_LDX, BPF_LOAD_ACQ, BPF_MOV, BPF_STX, BPF_X, bpfClass, bpfSize } from "../bpf/opcodes.js";

/** The verifier's zero-extension marker: `w = w` (ALU|MOV|X) with imm 1 (kernel insn_is_zext). */
export function isZext(x: Insn | undefined): boolean {
  return x !== undefined && x.code === (BPF_ALU | BPF_MOV | BPF_X) && x.imm === 1;
}

/** Slots consumed by the unit starting at `i`: 1 or 2. `acqRel`: load-acquire is a known instruction. */
export function unitLength(insns: readonly Insn[], i: number, acqRel: boolean): 1 | 2 {
  const x = insns[i]!;
  if (isLdImm64(x)) return 2;
  const cls = bpfClass(x.code);
  if (cls !== BPF_LDX && cls !== BPF_STX) return 1; // the common case, decided on the class alone
  const narrow = bpfSize(x.code) !== BPF_DW;
  if (cls === BPF_LDX && narrow && isZext(insns[i + 1])) return 2;
  if (acqRel && x.code === (BPF_STX | BPF_ATOMIC | bpfSize(x.code)) && x.imm === BPF_LOAD_ACQ && narrow && isZext(insns[i + 1])) return 2;
  return 1;
}
