/**
 * @fileoverview The verifier pass: checks a program as the Linux verifier (6.12, privileged loader, RISC-V JIT)
 * would, and produces the xlated program with its function table.
 * Requires: a program (instructions, or an AsmProgram with its function declarations and source lines).
 * Provides: `Verified` (docs/architecture.md): xlated instructions, the subprogram table with stack depths and
 *   flags, the exception callback (declared, or the hidden default), origin slots; or a VerifierError naming the
 *   instruction, with the kernel's message.
 * Does not: remove dead code or hard-wire branches the walk found constant (opt_remove_dead_code etc.), inline map
 *   lookups or helpers, insert zero-extensions (verifier_zext is off in our baseline), check return values against
 *   a program type (none is modelled), or blind constants.
 *
 * The steps in order, each in its own file:
 *   1. every instruction well formed (compiler/bpf/validate.ts), callx refused as 6.12 does;
 *   2. the declared exception callback exists and has the required form (verify-exceptions.ts);
 *   3. structure: functions, jumps, fall-through, reachability (verify-cfg.ts);
 *   4. every path walked with register and stack state (verify-check.ts and the parts it uses);
 *   5. the call graph: frames, combined stack, exception rules (verify-callgraph.ts);
 *   6. the rewrites, and the hidden exception callback (verify-rewrite.ts).
 */
import type { FuncDecl, SourcePos } from "../bpf/asm.js";
import { KFUNCS } from "../bpf/helper-names.js";
import { type Insn, isLdImm64 } from "../bpf/insn.js";
import { BPF_CALL, BPF_FUNC_tail_call, BPF_JMP, BPF_X } from "../bpf/opcodes.js";
import { validateProgram } from "../bpf/validate.js";
import { HELPER_PROTOS, type HelperProto } from "../bpf/helper-protos.js";
import { mapAddress as kernelMapAddress, MAX_BPF_STACK } from "../kernel-abi.js";
import { checkCallGraph } from "./verify-callgraph.js";
import { checkCfg, checkSubprogs, findSubprogs, subprogEnd } from "./verify-cfg.js";
import { checkProgram } from "./verify-check.js";
import type { CheckEnv, FuncInfo, VerifierMap } from "./verify-env.js";
import { declaredExceptionCb } from "./verify-exceptions.js";
import { appendHiddenExceptionCb, rewrite } from "./verify-rewrite.js";
import { type Subprog, type Verified, VerifierError } from "./verify-types.js";
import { type Reg, scalarConst, UNKNOWN } from "./verify-value.js";

export { VerifierError, type Subprog, type Verified } from "./verify-types.js";
export type { VerifierMap } from "./verify-env.js";

/** A program with what the assembler knows about it (compiler/bpf/asm.ts's AsmProgram fits). */
export interface VerifyProgram {
  readonly insns: readonly Insn[];
  /** Function declarations: names, linkage, signatures (`.func`). */
  readonly funcs?: readonly FuncDecl[];
  /** kfunc names by id; default: the kfuncs rvjit models (compiler/bpf/helper-names.ts). */
  readonly kfuncs?: ReadonlyMap<number, string>;
  /** Source position of each slot, for error locations. */
  readonly lines?: readonly SourcePos[];
  /** `.exception_callback name` (the kernel's `exception_callback:` decl tag); several is an error. */
  readonly exceptionCallback?: string | readonly string[];
}

export interface VerifyOptions {
  /**
   * What the program gets at entry. "kernel" (the default): r1 = ctx, nothing else. "conformance" (bpf_conformance):
   * r1 = the memory block (NULL when empty), r2 = its length. "scalars": r1-r5 are initialised scalars of unknown
   * value and there is no ctx, as a global function with five scalar arguments sees them (specs whose run cases
   * give r1-r5: the program must be safe for every value).
   */
  entry?: "kernel" | "conformance" | "scalars";
  /** Bytes r1 points to at entry (ctx, or the conformance memory); accesses beyond are refused. Default unchecked. */
  ctxSize?: number;
  /** A kernel with CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS (not RISC-V's default): only stack accesses must be aligned. */
  efficientUnalignedAccess?: boolean;
  /** bpf_jit_supports_exceptions(); default true (rvjit's JIT does, with frame pointers). */
  jitSupportsExceptions?: boolean;
  /** bpf_jit_supports_subprog_tailcalls(); default false, as RISC-V in 6.12. */
  subprogTailCalls?: boolean;
  /** Helpers the program type may call, by number; default the modelled ones (compiler/bpf/helper-protos.ts). */
  helpers?: ReadonlyMap<number, Omit<HelperProto, "id">>;
  /** The maps `map[...]` loads refer to, by fd / index. */
  maps?: readonly VerifierMap[];
  /** Where map `i` lives (what its loads become); default where the kernel model puts it (kernel-abi.ts mapAddress). */
  mapAddress?: (index: number) => bigint;
  /** Instructions the walk may process (BPF_COMPLEXITY_LIMIT_INSNS, 1,000,000). */
  complexityLimit?: number;
}

/** Verifies `program` and returns the xlated program, or throws VerifierError naming the instruction. */
export function verify(program: readonly Insn[] | VerifyProgram, opts: VerifyOptions = {}): Verified {
  const p: VerifyProgram = isInsnList(program) ? { insns: program } : program;
  try {
    return verifyProgram(p, opts);
  } catch (e) {
    if (e instanceof VerifierError && e.where === undefined && e.insnIndex >= 0 && p.lines?.[e.insnIndex]) {
      const pos = p.lines[e.insnIndex]!;
      throw new VerifierError(e.insnIndex, e.reason, `${pos.file}:${pos.line}:${pos.col}`);
    }
    throw e;
  }
}

function isInsnList(p: readonly Insn[] | VerifyProgram): p is readonly Insn[] {
  return Array.isArray(p);
}

function verifyProgram(p: VerifyProgram, opts: VerifyOptions): Verified {
  const insns = p.insns;
  if (insns.length === 0) throw new VerifierError(-1, "empty program: no instructions");
  const bad = validateProgram(insns)[0];
  if (bad) throw new VerifierError(bad.index, `${bad.message} (${bad.detail})`);
  // Linux 6.12 does not know callx (BPF_JMP | BPF_CALL | BPF_X): bpf_opcode_in_insntable() refuses it.
  const callx = insns.findIndex((x) => x.code === (BPF_JMP | BPF_CALL | BPF_X));
  if (callx >= 0) throw new VerifierError(callx, "unknown opcode 8d (callx, BPF_JMP|BPF_CALL|BPF_X, is newer than Linux 6.12)");
  const kfuncs = p.kfuncs ?? KFUNCS;
  const cb = declaredExceptionCb(p);
  const starts = findSubprogs(insns, cb?.start);
  checkSubprogs(insns, starts);
  checkCfg(insns, cb?.start);

  const funcs = starts.map((start, k): FuncInfo => {
    const decl = p.funcs?.find((f) => f.start === start);
    return {
      start, end: subprogEnd(starts, k, insns.length), name: decl?.name, global: k > 0 && decl?.linkage === "global",
      params: decl?.args ?? 0, ret: decl?.ret ?? "scalar", isExceptionCb: start === cb?.start,
    };
  });
  const maps = opts.maps ?? [];
  const env: CheckEnv = {
    insns, funcs, funcAt: new Map(starts.map((s, k) => [s, k])),
    helpers: opts.helpers ?? HELPER_PROTOS, kfuncs, maps,
    jitSupportsExceptions: opts.jitSupportsExceptions ?? true, subprogTailCalls: opts.subprogTailCalls ?? false,
    complexityLimit: opts.complexityLimit ?? 1_000_000,
    ctxSize: opts.ctxSize, strictAlignment: !opts.efficientUnalignedAccess,
    mapValueSize: (m) => maps[m]!.valueSize,
    noteStackDepth(subprog, depth) {
      if (depth > this.stackDepth[subprog]!) this.stackDepth[subprog] = depth;
    },
    stackDepth: funcs.map(() => 0), throwSites: new Set(), calledGlobals: new Set(),
    processed: 0, lastId: 0,
  };
  checkProgram(env, entryArgs(opts));
  const throwId = [...kfuncs].find(([, n]) => n === "bpf_throw")?.[0];
  checkCallGraph(env, throwId);

  const r = rewrite(insns, opts.mapAddress ?? kernelMapAddress);
  const seenException = env.throwSites.size > 0;
  const subprogs: Subprog[] = funcs.map((f, k) => ({
    start: r.newIndex[f.start]!, end: r.newIndex[f.end]!, stackDepth: env.stackDepth[k]!,
    ...(f.name !== undefined && { name: f.name }),
    isExceptionCb: f.isExceptionCb, isExceptionBoundary: k === 0 && seenException,
    hasCalls: callsIn(insns, f, (x) => x.src !== 0 || x.imm !== BPF_FUNC_tail_call),
    hasTailCalls: callsIn(insns, f, (x) => x.src === 0 && x.imm === BPF_FUNC_tail_call), hidden: false,
  }));
  let exceptionCb = funcs.findIndex((f) => f.isExceptionCb);
  if (seenException && exceptionCb < 0) {
    const start = appendHiddenExceptionCb(r);
    exceptionCb = subprogs.length;
    subprogs.push({ start, end: r.insns.length, stackDepth: 0, isExceptionCb: true, isExceptionBoundary: false, hasCalls: false, hasTailCalls: false, hidden: true });
  }
  // do_misc_fixups: a tail call may enter a program that uses the whole stack, so a single-function caller reserves
  // it all (a multi-function program is JITed per function with each function's own depth).
  if (!env.subprogTailCalls && subprogs.length === 1 && subprogs[0]!.hasTailCalls) subprogs[0]!.stackDepth = MAX_BPF_STACK;
  return { insns: r.insns, subprogs, ...(exceptionCb >= 0 && { exceptionCb }), origin: r.origin, kfuncs };
}

/** r1.. at entry under the contract. */
function entryArgs(opts: VerifyOptions): Reg[] {
  if (opts.entry === "scalars") return [UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN];
  const size = opts.ctxSize;
  const kind = opts.entry === "conformance" ? "mem" : "ctx";
  const r1: Reg = { t: "ptr", kind, frame: 0, map: -1, off: 0, vmin: 0, vmax: 0, vtz: 64, nullable: false, id: 0 };
  if (opts.entry !== "conformance") return [r1];
  if (size === undefined) return [r1, UNKNOWN];
  return [size === 0 ? scalarConst(0n) : r1, scalarConst(BigInt(size))];
}

function callsIn(insns: readonly Insn[], f: FuncInfo, which: (x: Insn) => boolean): boolean {
  for (let i = f.start; i < f.end; i++) {
    const x = insns[i]!;
    if (x.code === (BPF_JMP | BPF_CALL) && which(x)) return true;
    if (isLdImm64(x)) i++;
  }
  return false;
}
