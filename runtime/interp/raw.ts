/**
 * @fileoverview A program that bypasses the verifier, in the shape the interpreter runs: as the kernel's
 * lib/test_bpf.c loads its eBPF tests (no checks, no rewrites, so the interpreter's own semantics apply directly:
 * x/0 = 0, INT_MIN s/ -1 = INT_MIN, ...), and as `rvjit jit` compiles raw programs. Functions start at slot 0 and
 * at every call target; `call 12` is a tail call; there is no exception callback.
 */
import { KFUNCS } from "../../compiler/bpf/helper-names.js";
import type { Insn } from "../../compiler/bpf/insn.js";
import { subprogStarts } from "../../compiler/bpf/subprogs.js";
import type { Verified } from "../../compiler/passes/verify-types.js";

/** `insns` as an unverified program (every stack depth 512, as the JIT's raw path assumes). */
export function rawProgram(insns: readonly Insn[], kfuncs: ReadonlyMap<number, string> = KFUNCS): Verified {
  const starts = subprogStarts(insns);
  const subprogs = starts.map((start, k) => ({
    start, end: starts[k + 1] ?? insns.length, stackDepth: 512, isExceptionCb: false, isExceptionBoundary: false,
    hasCalls: false, hasTailCalls: false, hidden: false,
  }));
  return { insns: [...insns], subprogs, origin: insns.map((_, i) => i), kfuncs };
}
