/**
 * @fileoverview Where subprograms start: instruction 0, plus every target of a bpf-to-bpf call or a BPF_PSEUDO_FUNC
 * load (the kernel's add_subprog_and_kfunc). Structural only, no checks: the verifier pass validates the targets and
 * builds the full subprogram table; the raw `rvjit jit` path, which bypasses the verifier, uses this directly.
 */
import type { Insn } from "./insn.js";
import * as fromInsn from "./insn.js";
import * as fromOpcodes from "./opcodes.js";

// Imported values as module-local constants: the scan runs for every instruction, and V8 folds a module's own
// constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { isTailCallHelper, LD_IMM64 } = fromInsn;
const { BPF_CALL, BPF_JMP, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC } = fromOpcodes;
const CALL = BPF_JMP | BPF_CALL;

/** What one walk over a program finds about its calls. */
export interface CallScan {
  /** Sorted, de-duplicated start indices of the subprograms; always begins with 0. */
  starts: number[];
  /** The program calls the bpf_tail_call helper. */
  tailCall: boolean;
}

/** Subprogram starts and tail calls, in one walk (a program of 100,000 instructions is walked several times). */
export function scanCalls(insns: readonly Insn[]): CallScan {
  let starts: Set<number> | undefined;
  let tailCall = false;
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    const code = x.code;
    if (code === CALL) {
      if (x.src === BPF_PSEUDO_CALL) (starts ??= new Set()).add(i + 1 + x.imm);
      else if (isTailCallHelper(x)) tailCall = true;
    } else if (code === LD_IMM64) {
      if (x.src === BPF_PSEUDO_FUNC) (starts ??= new Set()).add(i + 1 + x.imm);
      i++;
    }
  }
  return { starts: starts ? [...starts.add(0)].sort((a, b) => a - b) : [0], tailCall };
}

/** Sorted, de-duplicated start indices of the subprograms of `insns`; always begins with 0. */
export function subprogStarts(insns: readonly Insn[]): number[] {
  return scanCalls(insns).starts;
}
