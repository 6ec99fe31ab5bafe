/**
 * @fileoverview Verifier, part 1: the program's structure, before any value is tracked. What the kernel does in
 * add_subprog_and_kfunc, check_subprogs and check_cfg (kernel/bpf/verifier.c), with its messages:
 *   - functions start at slot 0, at every bpf-to-bpf call target and BPF_PSEUDO_FUNC load target, and at the
 *     declared exception callback ("call to invalid destination" when a target is outside the program);
 *   - every jump stays inside its function ("jump out of range from insn %d to %d");
 *   - every function ends in exit or an unconditional jump ("last insn is not an exit or jmp"), so control never
 *     falls from one function into the next or off the end;
 *   - every instruction is reachable from slot 0 or the exception callback ("unreachable insn %d"), and no jump
 *     lands on the second slot of an LD_IMM64 ("jump into the middle of ldimm64 insn %d").
 * Requires: every instruction well formed (validate.ts). Provides: the sorted function starts.
 */
import { type Insn, isLdImm64 } from "../bpf/insn.js";
import { BPF_CALL, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, bpfClass, bpfOp } from "../bpf/opcodes.js";
import { VerifierError } from "./verify-types.js";

/** BPF_MAX_SUBPROGS (include/linux/bpf_verifier.h). */
const MAX_SUBPROGS = 256;

export const isPseudoCall = (x: Insn): boolean => x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_CALL;
export const isPseudoFunc = (x: Insn): boolean => isLdImm64(x) && x.src === BPF_PSEUDO_FUNC;

/** The target slot of a jump (JMP32 JA = gotol carries it in imm). */
export function jumpTarget(x: Insn, i: number): number {
  return i + 1 + (x.code === (BPF_JMP32 | BPF_JA) ? x.imm : x.off);
}

/** True for the conditional and unconditional jumps (not call, exit, or the kernel-internal tail call). */
export function isJump(x: Insn): boolean {
  const cls = bpfClass(x.code);
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return false;
  const op = bpfOp(x.code);
  return op !== BPF_CALL && op !== BPF_EXIT && op < 0xe0;
}

/**
 * Function starts, sorted: 0, every call/func-load target and `extraStart` (the exception callback), as
 * add_subprog_and_kfunc finds them.
 */
export function findSubprogs(insns: readonly Insn[], extraStart?: number): number[] {
  const starts = new Set<number>([0]);
  const add = (target: number, at: number) => {
    if (target < 0 || target >= insns.length) throw new VerifierError(at, "call to invalid destination");
    starts.add(target);
    if (starts.size > MAX_SUBPROGS) throw new VerifierError(at, "too many subprograms");
  };
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    if (isPseudoCall(x) || isPseudoFunc(x)) add(i + 1 + x.imm, i);
    if (isLdImm64(x)) i++;
  }
  if (extraStart !== undefined) add(extraStart, -1);
  return [...starts].sort((a, b) => a - b);
}

/** The end (exclusive) of the function starting at starts[k]. */
export function subprogEnd(starts: readonly number[], k: number, len: number): number {
  return k + 1 < starts.length ? starts[k + 1]! : len;
}

/** check_subprogs: jumps stay in their function; each function ends in exit, goto or gotol. */
export function checkSubprogs(insns: readonly Insn[], starts: readonly number[]): void {
  for (let k = 0; k < starts.length; k++) {
    const start = starts[k]!;
    const end = subprogEnd(starts, k, insns.length);
    for (let i = start; i < end; i++) {
      const x = insns[i]!;
      if (isJump(x)) {
        const t = jumpTarget(x, i);
        if (t < start || t >= end) throw new VerifierError(i, `jump out of range from insn ${i} to ${t}`);
      }
      if (isLdImm64(x)) i++;
    }
    // The second slot of an LD_IMM64 has code 0, so an LD_IMM64 at the very end fails this check too.
    const last = end - 1;
    const code = insns[last]!.code;
    if (code !== (BPF_JMP | BPF_EXIT) && code !== (BPF_JMP | BPF_JA) && code !== (BPF_JMP32 | BPF_JA)) {
      throw new VerifierError(last, "last insn is not an exit or jmp");
    }
  }
}

/**
 * check_cfg: depth-first search from slot 0 (and from the exception callback, which nothing calls), following
 * fall-through, jumps and calls. Every instruction must be reached; no jump may reach an LD_IMM64's second slot.
 */
export function checkCfg(insns: readonly Insn[], exceptionCbStart?: number): void {
  const seen = new Uint8Array(insns.length);
  const todo = [0];
  if (exceptionCbStart !== undefined) todo.push(exceptionCbStart);
  seen[0] = 1;
  if (exceptionCbStart !== undefined) seen[exceptionCbStart] = 1;
  const visit = (from: number, to: number) => {
    if (to < 0 || to >= insns.length) throw new VerifierError(from, `jump out of range from insn ${from} to ${to}`);
    if (!seen[to]) {
      seen[to] = 1;
      todo.push(to);
    }
  };
  while (todo.length) {
    const i = todo.pop()!;
    const x = insns[i]!;
    const cls = bpfClass(x.code);
    const op = bpfOp(x.code);
    if (isLdImm64(x)) {
      if (isPseudoFunc(x)) visit(i, i + 1 + x.imm);
      visit(i, i + 2);
    } else if ((cls === BPF_JMP || cls === BPF_JMP32) && op === BPF_EXIT) {
      continue;
    } else if ((cls === BPF_JMP || cls === BPF_JMP32) && op === BPF_JA) {
      visit(i, jumpTarget(x, i));
    } else if (isJump(x)) {
      visit(i, i + 1);
      visit(i, jumpTarget(x, i));
    } else {
      if (isPseudoCall(x)) visit(i, i + 1 + x.imm);
      visit(i, i + 1);
    }
  }
  for (let i = 0; i < insns.length; i++) {
    if (!seen[i]) throw new VerifierError(i, `unreachable insn ${i}`);
    if (isLdImm64(insns[i]!)) {
      if (seen[i + 1]) throw new VerifierError(i, `jump into the middle of ldimm64 insn ${i}`);
      i++;
    }
  }
}
