/**
 * @fileoverview Register mapping and seen-register tracking.
 * Requires: functions from split-functions.
 * Provides: per function the "seen" flags (compiler/jit/bpf-regs.ts) as the kernel knows them at two moments:
 *   `discovery`, after its flag-collecting first pass over the body (what the first real prologue is sized with),
 *   and `final`, after the first real pass (what every later prologue, and every epilogue, uses).
 *   They differ only when a tail call precedes the program's first call: the discovery pass does not yet know that
 *   TCC must live in s6 there.
 * Does not: choose frame slots (prologue-epilogue.ts) or emit code.
 *
 * Flags follow the kernel's init_regs exactly, over-approximation included: the destination register is marked for
 * every instruction but JA/CALL/EXIT/TAIL_CALL, and the source register for every opcode with a non-zero low nibble.
 */
import { isLdImm64 } from "../bpf/insn.js";
import { BPF_CALL, BPF_EXIT, BPF_JA, BPF_JMP } from "../bpf/opcodes.js";
import { BPF_REG_AX, SEEN_CALL, SEEN_TAIL_CALL, seenBit, seenOf, TCC_SAVED } from "../jit/bpf-regs.js";
import { JitError } from "../jit/errors.js";
import { unitLength } from "../jit/units.js";
import type { JitFunc, Split } from "./split-functions.js";

/** BPF_JMP | BPF_TAIL_CALL: the verifier's internal tail-call opcode (bpf_tail_call helper calls become this). */
export const BPF_TAIL_CALL_OP = BPF_JMP | 0xf0;
/** bpf_get_smp_processor_id, which the JIT inlines instead of calling. */
export const BPF_FUNC_get_smp_processor_id = 8;

export interface SeenRegs {
  discovery: number;
  final: number;
}

export interface RegMapped {
  split: Split;
  seen: readonly SeenRegs[];
}

export function mapRegisters(split: Split, acqRel: boolean): RegMapped {
  return { split, seen: split.funcs.map((f) => seenFlags(f, acqRel)) };
}

function seenFlags(f: JitFunc, acqRel: boolean): SeenRegs {
  const insns = f.insns;
  let flags = 0;
  for (let i = 0; i < insns.length; i += unitLength(insns, i, acqRel)) {
    const x = insns[i]!;
    if (x.dst > BPF_REG_AX || x.src > BPF_REG_AX) throw new JitError(`invalid register r${Math.max(x.dst, x.src)}`, f.start + i);
    const code = x.code;
    if (code !== (BPF_JMP | BPF_JA) && code !== (BPF_JMP | BPF_CALL) && code !== (BPF_JMP | BPF_EXIT) && code !== BPF_TAIL_CALL_OP) flags |= seenOf(x.dst);
    if ((code & 0x0f) !== 0) flags |= seenOf(x.src);
    if (code === (BPF_JMP | BPF_CALL) && !(x.src === 0 && x.imm === BPF_FUNC_get_smp_processor_id)) flags |= SEEN_CALL;
    if (code === BPF_TAIL_CALL_OP) {
      flags |= SEEN_TAIL_CALL;
      if (flags & SEEN_CALL) flags |= seenBit(TCC_SAVED);
    }
    if (isLdImm64(x) && i + 1 >= insns.length) throw new JitError("LD_IMM64 is missing its second slot", f.start + i);
  }
  const both = (flags & SEEN_CALL) !== 0 && (flags & SEEN_TAIL_CALL) !== 0;
  return { discovery: flags, final: both ? flags | seenBit(TCC_SAVED) : flags };
}
