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
const { BPF_CALL, BPF_JMP, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL } = fromOpcodes;
const CALL = BPF_JMP | BPF_CALL;

/** What one walk over a program finds about its calls. */
export interface CallScan {
  /** Sorted, de-duplicated start indices of the subprograms; always begins with 0. */
  starts: number[];
  /** The program calls the bpf_tail_call helper. */
  tailCall: boolean;
  /** Slots of the bpf-to-bpf calls and function-address loads, in order. */
  calls: number[];
  /** Slots of the kfunc calls, in order. */
  kfuncCalls: number[];
}

/** Subprogram starts, calls and tail calls, in one walk (a program of 100,000 instructions is walked several times). */
export function scanCalls(insns: readonly Insn[]): CallScan {
  const calls: number[] = [];
  const kfuncCalls: number[] = [];
  const tailCall = walkCalls(insns, calls, kfuncCalls);
  const targets = calls.map((at) => at + 1 + insns[at]!.imm);
  return { starts: targets.length > 0 ? [...new Set(targets).add(0)].sort((a, b) => a - b) : [0], tailCall, calls, kfuncCalls };
}

/**
 * The walk itself, in a function that ends with its loop: V8 compiles a long-running loop on its own (on-stack
 * replacement) while it runs, and that code deoptimizes when it meets, after the loop, an operation it has no type
 * feedback for, at every call until the whole function is optimized. Pushes the slot of each bpf-to-bpf call and
 * function address, and of each kfunc call; returns whether the program calls bpf_tail_call.
 */
function walkCalls(insns: readonly Insn[], calls: number[], kfuncCalls: number[]): boolean {
  let tailCall = false;
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    const code = x.code;
    if (code === CALL) {
      if (x.src === BPF_PSEUDO_CALL) calls.push(i);
      else if (x.src === BPF_PSEUDO_KFUNC_CALL) kfuncCalls.push(i);
      else if (isTailCallHelper(x)) tailCall = true;
    } else if (code === LD_IMM64) {
      if (x.src === BPF_PSEUDO_FUNC) calls.push(i);
      i++;
    }
  }
  return tailCall;
}

/** Sorted, de-duplicated start indices of the subprograms of `insns`; always begins with 0. */
export function subprogStarts(insns: readonly Insn[]): number[] {
  return scanCalls(insns).starts;
}
