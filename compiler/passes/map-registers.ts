/**
 * @fileoverview Register mapping and seen-register tracking.
 * Requires: functions from split-functions.
 * Provides: per function its units (which slots the kernel steps over with the one before, compiler/jit/units.ts)
 *   and the "seen" flags (compiler/jit/bpf-regs.ts) as the kernel knows them at two moments:
 *   `discovery`, after its flag-collecting first pass over the body (what the first real prologue is sized with),
 *   and `final`, after the first real pass (what every later prologue, and every epilogue, uses).
 *   They differ only when a tail call precedes the program's first call: the discovery pass does not yet know that
 *   TCC must live in s6 there.
 * Does not: choose frame slots (prologue-epilogue.ts) or emit code.
 *
 * Flags follow the kernel's init_regs exactly, over-approximation included: the destination register is marked for
 * every instruction but JA/CALL/EXIT/TAIL_CALL, and the source register for every opcode with a non-zero low nibble.
 */
import * as fromOpcodes from "../bpf/opcodes.js";
import * as fromBpfRegs from "../jit/bpf-regs.js";
import * as fromErrors from "../jit/errors.js";
import * as fromInsn from "../bpf/insn.js";
import * as fromUnits from "../jit/units.js";
import { type Arrays, FRESH } from "../jit/scratch.js";
import type { JitFunc, Split } from "./split-functions.js";

// Imported values as module-local constants: this module runs for every instruction, and V8 folds a module's own
// constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { BPF_ATOMIC, BPF_CALL, BPF_DW, BPF_EXIT, BPF_JA, BPF_JMP, BPF_LDX, BPF_STX } = fromOpcodes;
const { BPF_REG_AX, SEEN_CALL, SEEN_TAIL_CALL, seenBit, seenOf, TCC_SAVED } = fromBpfRegs;
const { JitError } = fromErrors;
const { LD_IMM64 } = fromInsn;
const { unitLength } = fromUnits;

/** BPF_JMP | BPF_TAIL_CALL: the verifier's internal tail-call opcode (bpf_tail_call helper calls become this). */
export const BPF_TAIL_CALL_OP = BPF_JMP | 0xf0;
/** bpf_get_smp_processor_id, which the JIT inlines instead of calling. */
export const BPF_FUNC_get_smp_processor_id = 8;

export interface SeenRegs {
  discovery: number;
  final: number;
}

/**
 * Per local slot of a function, and one past its end: 0 where a unit (one kernel emission step) starts;
 * CONSUMED_LD_IMM64 for the second slot of an LD_IMM64 (no instruction, and no valid jump target); CONSUMED_ZEXT for
 * a zero-extension folded into the load before it.
 */
export type Consumed = Uint8Array;
export const CONSUMED_LD_IMM64 = 1;
export const CONSUMED_ZEXT = 2;

export interface RegMapped {
  split: Split;
  seen: readonly SeenRegs[];
  /** Per function. */
  consumed: readonly Consumed[];
}

/** `scratch`: where the consumed-slot tables come from (scratch.ts; fresh ones by default). */
export function mapRegisters(split: Split, acqRel: boolean, scratch: Arrays = FRESH): RegMapped {
  const consumed = split.funcs.map((f) => scratch.uint8(f.insns.length + 1).fill(0));
  return { split, seen: split.funcs.map((f, k) => seenFlags(f, acqRel, consumed[k]!)), consumed };
}

/** Walks the function unit by unit (recording its units in `consumed`) and collects its seen flags. */
function seenFlags(f: JitFunc, acqRel: boolean, consumed: Consumed): SeenRegs {
  const flags = walkUnits(f, acqRel, consumed);
  if (consumed[f.insns.length] !== 0) throw new JitError("LD_IMM64 is missing its second slot", f.start + f.insns.length - 1);
  const both = (flags & SEEN_CALL) !== 0 && (flags & SEEN_TAIL_CALL) !== 0;
  return { discovery: flags, final: both ? flags | seenBit(TCC_SAVED) : flags };
}

/**
 * The walk itself, in a function that ends with its loop (V8 compiles a long-running loop on its own, on-stack, and
 * that code deoptimizes at every call when it meets, after the loop, an operation it has no type feedback for).
 * Returns the seen flags of the registers, calls and tail calls (no register's bit is a call's).
 */
function walkUnits(f: JitFunc, acqRel: boolean, consumed: Consumed): number {
  const insns = f.insns;
  const seenOfReg = SEEN_OF_REG; // locals: this loop runs once per instruction of every program
  const uses = USES;
  let flags = 0; // the registers' bits, and those of the calls and tail calls (SEEN_TAIL_CALL after a call adds TCC_SAVED)
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    const code = x.code;
    const dst = x.dst;
    const src = x.src;
    if (dst > BPF_REG_AX || src > BPF_REG_AX) throw new JitError(`invalid register r${Math.max(dst, src)}`, f.start + i);
    // Which registers the opcode marks, as masks (all ones or zero): no branch on the opcode in the common case.
    const use = uses[code]!;
    flags |= (seenOfReg[src]! & -(use & USES_SRC)) | (seenOfReg[dst]! & -((use & USES_DST) >> 1));
    if ((use & UNUSUAL) === 0) continue;
    if (code === CALL) {
      if (!(src === 0 && x.imm === BPF_FUNC_get_smp_processor_id)) flags |= SEEN_CALL;
    } else if (code === BPF_TAIL_CALL_OP) {
      flags |= flags & SEEN_CALL ? SEEN_TAIL_CALL | seenBit(TCC_SAVED) : SEEN_TAIL_CALL;
    } else if (unitLength(insns, i, acqRel) === 2) {
      // LD_IMM64, and narrow loads followed by the verifier's zero-extension, take the next slot too (units.ts)
      consumed[++i] = code === LD_IMM64 ? CONSUMED_LD_IMM64 : CONSUMED_ZEXT;
    }
  }
  return flags; // nothing but a local after the loop
}

const JA = BPF_JMP | BPF_JA;
const CALL = BPF_JMP | BPF_CALL;
const EXIT = BPF_JMP | BPF_EXIT;

/** Per opcode: USES_SRC if it marks its source register (init_regs: any opcode with a non-zero low nibble),
 * USES_DST if it marks its destination (every one but JA, CALL, EXIT and the tail call), UNUSUAL if the walk must
 * look closer: a call or tail call, or an instruction that may take the next slot too (units.ts: LD_IMM64, narrow
 * loads, atomics). */
const USES_SRC = 1;
const USES_DST = 2;
const UNUSUAL = 4;
const USES = Uint8Array.from({ length: 256 }, (_, code) => {
  const cls = code & 0x07;
  const src = (code & 0x0f) !== 0 ? USES_SRC : 0;
  if (cls === BPF_JMP) {
    if (code === CALL || code === BPF_TAIL_CALL_OP) return src | UNUSUAL;
    return code === JA || code === EXIT ? src : src | USES_DST;
  }
  const narrow = (code & 0x18) !== BPF_DW;
  const unusual = code === LD_IMM64 || (cls === BPF_LDX && narrow) || (cls === BPF_STX && (code & 0xe0) === BPF_ATOMIC);
  return src | USES_DST | (unusual ? UNUSUAL : 0);
});

/** The seen-bit a use of each eBPF register sets (seenOf, by register number; 0..15 as the 4-bit fields allow). */
const SEEN_OF_REG = Int32Array.from({ length: 16 }, (_, r) => (r <= BPF_REG_AX ? seenOf(r) : 0));
