/**
 * @fileoverview The JIT, eBPF -> RV64, written out as the chain of passes it is. Each pass is a function from one
 * stage value to the next (compiler/passes/*.ts, each file says what it requires and provides); none mutates
 * another's output. The order is the kernel's (arch/riscv/net/bpf_jit_core.c, Linux 6.12), so that the bytes are
 * the kernel's too.
 */
import { type Insn, isTailCallHelper } from "./bpf/insn.js";
import { kfuncName as modelKfuncName } from "./bpf/helper-names.js";
import { scanCalls } from "./bpf/subprogs.js";
import { helperAddress, IMAGE_ADDR, kfuncAddress } from "./kernel-abi.js";
import { JitError } from "./jit/errors.js";
import { Scratch } from "./jit/scratch.js";
import type { JitInput, JitOptions } from "./jit/input.js";
import type { LowerOptions } from "./jit/lower-ctx.js";
import { encodeFunctions, type JitFunction } from "./passes/encode.js";
import { fixupBranches } from "./passes/fixup-branches.js";
import { lower } from "./passes/lower.js";
import { BPF_TAIL_CALL_OP, mapRegisters } from "./passes/map-registers.js";
import { addPrologueEpilogue } from "./passes/prologue-epilogue.js";
import { splitFunctions } from "./passes/split-functions.js";
import { dumpStage, STAGES, type StageName } from "./jit/dump.js";

export type { JitInput, JitOptions, JitSubprog } from "./jit/input.js";
export type { ExTableEntry, JitFunction, RvInsn } from "./passes/encode.js";
export type { FrameLayout } from "./jit/frame.js";
export { JitError } from "./jit/errors.js";

export interface JitOutput {
  funcs: JitFunction[];
  exceptionCb?: number;
  /** Text of each stage by pass name, when `opts.dumpStages` is set (`--dump-after=<pass>`). */
  stages: Map<StageName, string>;
  /** Kernel quirks the output reproduces (e.g. a tail call at insn 0), for the user to know. */
  warnings: string[];
}

/** Compiles a verified program. */
export function jit(v: JitInput, opts: JitOptions): JitOutput {
  // The passes' working arrays come from one region that the next compile reuses (scratch.ts); none is in the output.
  const scratch = Scratch.acquire();
  try {
    return passes(v, opts, scratch);
  } finally {
    scratch.release();
  }
}

/** The passes, in order. */
function passes(v: JitInput, opts: JitOptions, scratch: Scratch): JitOutput {
  const lowerOpts = lowerOptions(v, opts);
  const isa = { c: opts.isa.c, zba: opts.isa.zba, zbb: opts.isa.zbb };
  const stages = new Map<StageName, string>();
  const dump = <T>(name: StageName, value: T): T => {
    if (opts.dumpStages) stages.set(name, dumpStage(name, value));
    return value;
  };

  // One image per subprogram, as jit_subprogs does; calls between them are resolved by encode's extra pass.
  const split = dump("split", splitFunctions(v));
  checkExceptionSupport(v, split.kfuncCalls, opts);
  // Seen registers first: the kernel's flag-collecting pass runs before the first prologue is sized.
  const mapped = dump("map-registers", mapRegisters(split, lowerOpts.acqRel, scratch));
  // Instruction selection, position-independent: everything that depends on the layout stays symbolic.
  const lowered = dump("lower", lower(mapped, lowerOpts, isa, scratch));
  // The frame is known once the seen flags are: prologue, epilogue and the tail call's inline epilogue.
  const framed = dump("prologue-epilogue", addPrologueEpilogue(lowered, { isa, arenaKernStart: lowerOpts.arenaKernStart }));
  // The pass loop: sizes until stable, allocation (addresses), sizes until stable again.
  const fixed = dump("fixup-branches", fixupBranches(framed, opts.imageAddr ?? IMAGE_ADDR, opts.maxPasses, scratch));
  // The final pass with frozen offsets (the extra pass when there are several functions): bytes, line map, extable.
  const warnings: string[] = [];
  const funcs = dump("encode", encodeFunctions(fixed, split.multi, warnings));
  return { funcs, ...(split.exceptionCb !== undefined ? { exceptionCb: split.exceptionCb } : {}), stages, warnings };
}

/**
 * Compiles a raw program the way ../shared/testdata/linux-6.12-jit was produced: no verifier, every function with
 * the same stack depth, functions where bpf-to-bpf calls and BPF_PSEUDO_FUNC loads point, and only the verifier's
 * `call bpf_tail_call` -> tail-call instruction rewrite.
 */
export function jitRaw(insns: readonly Insn[], stackDepth: number, opts: JitOptions): JitOutput {
  const { starts, tailCall, calls, kfuncCalls } = scanCalls(insns);
  const program = tailCall ? insns.map((x) => (isTailCallHelper(x) ? { ...x, code: BPF_TAIL_CALL_OP, imm: 0 } : x)) : insns;
  const subprogs = starts.map((start, k) => ({
    start,
    end: starts[k + 1] ?? insns.length,
    stackDepth,
    isExceptionCb: false,
    isExceptionBoundary: false,
  }));
  return jit({ insns: program, subprogs, raw: true, callSites: { calls, kfuncCalls } }, opts);
}

/** Pass names accepted by `--dump-after`. */
export { STAGES };

function lowerOptions(v: JitInput, opts: JitOptions): LowerOptions {
  if (opts.zacas && !opts.isa.zacas) throw new JitError("amocas (the zacas option) needs an ISA with Zacas");
  return {
    zacas: opts.zacas ?? false,
    acqRel: opts.loadAcqStoreRel ?? false,
    verifierZext: opts.verifierZext ?? v.verifierZext ?? false,
    zextCmpxchg32: !v.raw && !(opts.verifierZext ?? v.verifierZext ?? false),
    helperAddr: opts.helperAddr ?? helperAddress,
    kfuncAddr: opts.kfuncAddr ?? kfuncAddress,
    kfuncArgSizes: opts.kfuncArgSizes ?? (() => undefined),
    arenaKernStart: opts.arenaKernStart ?? 0n,
    arenaUserStart: opts.arenaUserStart ?? 0n,
    hasM: opts.isa.m,
    hasA: opts.isa.a,
  };
}

/**
 * BPF exceptions need frame pointers: bpf_throw finds the boundary's frame by walking {fp, ra} records
 * (bpf_jit_supports_exceptions() in the RISC-V patch is IS_ENABLED(CONFIG_FRAME_POINTER)). Without them the
 * kernel's verifier refuses the bpf_throw call itself (check_kfunc_call), so we do too, at that call and with its
 * message; a declared exception callback in a program that never throws is no reason to refuse.
 */
function checkExceptionSupport(v: JitInput, kfuncCalls: readonly number[], opts: JitOptions): void {
  if (opts.framePointer) return;
  const name = (id: number): string => opts.kfuncName?.(id) ?? v.kfuncs?.get(id) ?? modelKfuncName(id) ?? `kfunc#${id}`;
  for (const at of kfuncCalls) {
    const id = v.insns[at]!.imm;
    if (name(id) === "bpf_throw") throw new JitError(`JIT does not support calling kfunc ${name(id)}#${id}`, at);
  }
}
