/**
 * @fileoverview What every lowering routine sees: the assembler for the current function, the instruction being
 * lowered, the function around it, and the resolved options. Passed explicitly; there is no global JIT state.
 */
import type { Insn } from "../bpf/insn.js";
import type { Reg } from "../riscv/regs.js";
import type { Consumed } from "../passes/map-registers.js";
import * as fromMapRegisters from "../passes/map-registers.js";
import type { JitFunc } from "../passes/split-functions.js";
import type { Asm } from "./emit.js";
import * as fromBpfRegs from "./bpf-regs.js";
import * as fromErrors from "./errors.js";

// Imported values as module-local constants: this module runs for every instruction, and V8 folds a module's own
// constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { CONSUMED_LD_IMM64 } = fromMapRegisters;
const { BPF_TO_RV } = fromBpfRegs;
const { JitError } = fromErrors;

/** Options after defaults are applied. */
export interface LowerOptions {
  zacas: boolean;
  acqRel: boolean;
  verifierZext: boolean;
  /** Zero-extend R0 after a 32-bit LR/SC cmpxchg (a verified program whose verifier inserted no zexts). */
  zextCmpxchg32: boolean;
  helperAddr: (id: number) => bigint;
  kfuncAddr: (id: number) => bigint;
  kfuncArgSizes: (id: number) => readonly number[] | undefined;
  arenaKernStart: bigint;
  arenaUserStart: bigint;
  hasM: boolean;
  hasA: boolean;
}

export class LowerCtx {
  /** Local slot of the instruction being lowered. */
  i = 0;

  constructor(
    readonly a: Asm,
    readonly fn: JitFunc,
    readonly opts: LowerOptions,
    /** The function makes calls (final seen flags): TCC lives in s6 across them. */
    readonly seenCall: boolean,
    /** The function's units (map-registers.ts). */
    readonly consumed: Consumed,
  ) {}

  /** RV register holding eBPF register `r`. */
  reg(r: number): Reg {
    return BPF_TO_RV[r]!;
  }

  /** The instruction after the current one, if any. */
  get next(): Insn | undefined {
    return this.fn.insns[this.i + 1];
  }

  /** Slot of the branch target `pc + 1 + off`, checked to lie within the function (its end counts: the epilogue). */
  target(off: number): number {
    const t = this.i + 1 + off;
    if (t < 0 || t > this.fn.insns.length) this.fail(`jump out of range: from insn ${this.fn.start + this.i} to ${this.fn.start + t}`);
    // The kernel would read the never-updated offset entry of the LD_IMM64's first slot and jump to garbage.
    if (this.consumed[t] === CONSUMED_LD_IMM64) this.fail(`jump into the middle of LD_IMM64 at insn ${this.fn.start + t - 1}`);
    return t;
  }

  fail(message: string): never {
    throw new JitError(message, this.fn.start + this.i);
  }

  unknownOpcode(): never {
    this.fail(`bpf-jit: unknown opcode ${this.fn.insns[this.i]!.code.toString(16).padStart(2, "0")}`);
  }
}
