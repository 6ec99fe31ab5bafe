/**
 * @fileoverview What the verifier pass produces and how it fails: the `Verified` program (xlated instructions plus
 * the subprogram table) that the JIT, the reference interpreter and the printers consume, and `VerifierError`.
 * See docs/architecture.md, "eBPF front end".
 */
import type { Insn } from "../bpf/insn.js";

/** One function of the xlated program. */
export interface Subprog {
  /** First slot. */
  start: number;
  /** One past the last slot. */
  end: number;
  /**
   * Bytes of BPF stack the function uses: the deepest byte below its R10 that any access reaches (the kernel's
   * `subprog_info[i].stack_depth`, not rounded; the JIT rounds it).
   */
  stackDepth: number;
  name?: string;
  /** The exception callback (declared, or the hidden default one). */
  isExceptionCb: boolean;
  /** Only the main function of a program that can throw: where bpf_throw unwinds to. */
  isExceptionBoundary: boolean;
  /** Calls a bpf-to-bpf function, a helper or a kfunc (the kernel JIT's "seen call"). */
  hasCalls: boolean;
  hasTailCalls: boolean;
  /** Added by the verifier (the default exception callback); not in the source program. */
  hidden: boolean;
}

export interface Verified {
  /** The xlated program: after the kernel's rewrites, with hidden subprograms appended. */
  insns: Insn[];
  subprogs: Subprog[];
  /** Index in `subprogs` of the exception callback, when the program can throw. */
  exceptionCb?: number;
  /** For each xlated slot, the slot of the source program it came from; -1 for inserted instructions. */
  origin: number[];
  /**
   * The names of the kfuncs the program calls, by the BTF id in their call instruction's imm (how an engine
   * recognises bpf_throw). An addition to the interface in docs/architecture.md.
   */
  kfuncs: ReadonlyMap<number, string>;
}

/** A program the verifier refuses: `message` is the kernel's wording where it has one; `insnIndex` the source slot. */
export class VerifierError extends Error {
  constructor(
    /** Slot of the offending instruction in the source program, or -1 for a whole-program problem. */
    readonly insnIndex: number,
    /** The verifier's reason, without location. */
    readonly reason: string,
    /** `file:line:col` of the instruction, when the program came from a source file. */
    readonly where?: string,
  ) {
    super(where ? `${where}: ${reason}` : insnIndex >= 0 ? `insn ${insnIndex}: ${reason}` : reason);
    this.name = "VerifierError";
  }
}
