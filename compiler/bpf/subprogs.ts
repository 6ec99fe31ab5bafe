/**
 * @fileoverview Where subprograms start: instruction 0, plus every target of a bpf-to-bpf call or a BPF_PSEUDO_FUNC
 * load (the kernel's add_subprog_and_kfunc). Structural only, no checks: the verifier pass validates the targets and
 * builds the full subprogram table; the raw `rvjit jit` path, which bypasses the verifier, uses this directly.
 */
import { isLdImm64, type Insn } from "./insn.js";
import { BPF_CALL, BPF_JMP, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC } from "./opcodes.js";

/** Sorted, de-duplicated start indices of the subprograms of `insns`; always begins with 0. */
export function subprogStarts(insns: readonly Insn[]): number[] {
  const starts = new Set<number>([0]);
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    if (x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_CALL) starts.add(i + 1 + x.imm);
    if (isLdImm64(x)) {
      if (x.src === BPF_PSEUDO_FUNC) starts.add(i + 1 + x.imm);
      i++;
    }
  }
  return [...starts].sort((a, b) => a - b);
}
