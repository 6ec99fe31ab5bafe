/**
 * @fileoverview What the JIT takes in: a program already checked and rewritten by the verifier (or, for `rvjit jit`,
 * a raw program with a synthetic subprogram table), and the options. `Verified` from compiler/passes/verify.ts has
 * this shape (and more), so it can be passed as is.
 */
import type { Insn } from "../bpf/insn.js";
import type { IsaConfig } from "../riscv/isa-config.js";
import type { Subprog } from "../passes/verify-types.js";

/** The fields of a verifier subprogram entry the JIT reads. */
export type JitSubprog = Pick<Subprog, "start" | "end" | "stackDepth" | "name" | "isExceptionCb" | "isExceptionBoundary">;

export interface JitInput {
  /** The program (post-verifier, "xlated"); bpf-to-bpf calls and BPF_PSEUDO_FUNC loads carry relative offsets. */
  insns: readonly Insn[];
  subprogs: readonly JitSubprog[];
  /** Index of the exception callback subprogram, when the program calls bpf_throw. */
  exceptionCb?: number;
  /** kfunc names by the id in their call's imm (the verifier's `kfuncs`), for messages. */
  kfuncs?: ReadonlyMap<number, string>;
  /** The verifier inserted explicit zero-extensions (the kernel's aux->verifier_zext): 32-bit ops then skip theirs. */
  verifierZext?: boolean;
  /**
   * A raw program, JITed as is (`rvjit jit`, the kernel's test_bpf): exactly Linux 6.12's bytes. Otherwise, when
   * the verifier did not insert zero-extensions, the JIT stands in for the one the kernel's verifier inserts after
   * a 32-bit cmpxchg (whose LR/SC loop leaves R0 sign-extended).
   */
  raw?: boolean;
  /**
   * Where the program's calls are, when the caller has walked it already (jitRaw's scan): the slots of its
   * bpf-to-bpf calls and function-address loads, and of its kfunc calls, each in order. split-functions then looks
   * at these slots only instead of walking the whole program again.
   */
  callSites?: { calls: readonly number[]; kfuncCalls: readonly number[] };
}

export interface JitOptions {
  isa: IsaConfig;
  /** Use Zacas `amocas` for BPF_CMPXCHG (newer kernels; Linux 6.12 always uses the LR/SC loop). Needs isa.zacas. */
  zacas?: boolean;
  /** Accept load-acquire / store-release (newer kernels; Linux 6.12 has no such instructions). */
  loadAcqStoreRel?: boolean;
  /** Kernel built with frame pointers: required for BPF exceptions (bpf_jit_supports_exceptions). */
  framePointer?: boolean;
  /** Address of the main function's first instruction (default kernel-abi IMAGE_ADDR). */
  imageAddr?: bigint;
  /** Address of helper `id` (default kernel-abi helperAddress). */
  helperAddr?: (id: number) => bigint;
  /** Address of kfunc `id` (default kernel-abi kfuncAddress). */
  kfuncAddr?: (id: number) => bigint;
  /** Argument sizes in bytes of kfunc `id` (its BTF model); 4-byte arguments are sign-extended before the call. */
  kfuncArgSizes?: (id: number) => readonly number[] | undefined;
  /** Name of kfunc `id`, for messages (default `kfunc#id`; kfunc 0... see kernel-abi). */
  kfuncName?: (id: number) => string | undefined;
  /** kern_vm_start / user_vm_start of the program's BPF arena, when it has one. */
  arenaKernStart?: bigint;
  arenaUserStart?: bigint;
  /** The verifier inserted zero-extensions (overrides JitInput.verifierZext). */
  verifierZext?: boolean;
  /** Sizing passes allowed before giving up (the kernel's NR_JIT_ITERATIONS, 32); lower only to test the limit. */
  maxPasses?: number;
  /** Record every stage's dump text (for `--dump-after`); off by default because it costs time. */
  dumpStages?: boolean;
}
