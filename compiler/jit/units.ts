/**
 * @fileoverview How the kernel steps through a function: one eBPF instruction at a time, except that an instruction
 * may consume the next slot too (build_body's `ret > 0`). LD_IMM64 always does; a load of 1, 2 or 4 bytes does when
 * the next instruction is the verifier's explicit zero-extension of its result (a load already zero-extends).
 * Skipped slots emit nothing, set no "seen" flags, and only the unit's last slot gets an offset-table entry.
 */
import { type Insn, LD_IMM64 } from "../bpf/insn.js";
import { BPF_ALU, BPF_ATOMIC, BPF_DW, BPF_LDX, BPF_LOAD_ACQ, BPF_MOV, BPF_STX, BPF_X } from "../bpf/opcodes.js";

/** The verifier's zero-extension marker: `w = w` (ALU|MOV|X) with imm 1 (kernel insn_is_zext). */
export function isZext(x: Insn | undefined): boolean {
  return x !== undefined && x.code === ZEXT_CODE && x.imm === 1;
}

const ZEXT_CODE = BPF_ALU | BPF_MOV | BPF_X;
const LD_IMM64_CODE = LD_IMM64;
const LDX = BPF_LDX;
const STX = BPF_STX;
const DW = BPF_DW;

/**
 * Slots consumed by the unit starting at `i`: 1 or 2. `acqRel`: load-acquire is a known instruction. (Called once per
 * instruction; the opcode constants are module-local copies, which V8 folds, unlike imported bindings.)
 */
export function unitLength(insns: readonly Insn[], i: number, acqRel: boolean): 1 | 2 {
  const x = insns[i]!;
  const code = x.code;
  if (code === LD_IMM64_CODE) return 2;
  const cls = code & 0x07;
  if (cls !== LDX && cls !== STX) return 1; // the common case, decided on the class alone
  const narrow = (code & 0x18) !== DW;
  if (cls === LDX) return narrow && isZext(insns[i + 1]) ? 2 : 1;
  if (acqRel && code === (STX | BPF_ATOMIC | (code & 0x18)) && x.imm === BPF_LOAD_ACQ && narrow && isZext(insns[i + 1])) return 2;
  return 1;
}
