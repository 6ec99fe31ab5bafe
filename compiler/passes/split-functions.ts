/**
 * @fileoverview Split into functions (the kernel's jit_subprogs): one JIT image per subprogram.
 * Requires: a program with its subprogram table (the verifier's, or one built by jitRaw from its scan of the calls,
 *   whose call sites it then reads instead of walking the program once more).
 * Provides: per function its own slice of instructions (branch offsets are function-relative), its stack depth and
 *   exception role, and a side table naming the callee function of each bpf-to-bpf call or BPF_PSEUDO_FUNC load;
 *   the program slots of the kfunc calls.
 * Does not: compute addresses (they come with the layout, and calls are resolved in the extra pass, see encode.ts).
 */
import type { Insn } from "../bpf/insn.js";
import * as fromInsn from "../bpf/insn.js";
import * as fromOpcodes from "../bpf/opcodes.js";
import type { JitInput } from "../jit/input.js";
import * as fromErrors from "../jit/errors.js";

// Imported values as module-local constants: this module runs for every instruction, and V8 folds a module's own
// constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { LD_IMM64 } = fromInsn;
const { BPF_CALL, BPF_JMP, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL } = fromOpcodes;
const CALL = BPF_JMP | BPF_CALL;
const { JitError } = fromErrors;

export interface JitFunc {
  index: number;
  name: string;
  /** Program slot of the function's first instruction. */
  start: number;
  /** The function's instructions; local slot k is program slot start + k. */
  insns: readonly Insn[];
  stackDepth: number;
  isExceptionCb: boolean;
  isExceptionBoundary: boolean;
  /** Local slot of each bpf-to-bpf call and BPF_PSEUDO_FUNC load -> index of the function it refers to. */
  callee: ReadonlyMap<number, number>;
}

export interface Split {
  funcs: readonly JitFunc[];
  exceptionCb?: number;
  /** More than one function: the program goes through the two JIT rounds and the extra pass. */
  multi: boolean;
  /** Program slots of the kfunc calls (found on the way: the pipeline checks them for bpf_throw). */
  kfuncCalls: readonly number[];
  verifierZext: boolean;
}

export function splitFunctions(p: JitInput): Split {
  const { insns, subprogs } = p;
  if (subprogs.length === 0) throw new JitError("program has no functions");
  const byStart = new Map<number, number>();
  subprogs.forEach((s, k) => byStart.set(s.start, k));
  const kfuncCalls: number[] = [];
  const funcs = subprogs.map((s, k): JitFunc => {
    if (s.start < 0 || s.end > insns.length || s.start >= s.end) throw new JitError(`subprogram ${k} has an invalid range [${s.start}, ${s.end})`);
    const local = s.start === 0 && s.end === insns.length ? insns : insns.slice(s.start, s.end);
    const callee = new Map<number, number>();
    if (p.callSites === undefined) findCallees(local, s.start, byStart, callee, kfuncCalls);
    else for (const at of p.callSites.calls) if (at >= s.start && at < s.end) addCallee(local, at - s.start, s.start, byStart, callee);
    return {
      index: k,
      name: s.name ?? (k === 0 ? "main" : `func${k}`),
      start: s.start,
      insns: local,
      stackDepth: s.stackDepth,
      isExceptionCb: s.isExceptionCb,
      isExceptionBoundary: s.isExceptionBoundary,
      callee,
    };
  });
  if (p.callSites !== undefined) for (const at of p.callSites.kfuncCalls) kfuncCalls.push(at); // (a spread has an argument limit)
  return { funcs, ...(p.exceptionCb !== undefined ? { exceptionCb: p.exceptionCb } : {}), multi: funcs.length > 1, kfuncCalls, verifierZext: p.verifierZext ?? false };
}

/**
 * The callee of each bpf-to-bpf call and function address of a function starting at program slot `start`, into
 * `callee`, and the program slots of its kfunc calls, into `kfuncCalls`. A function of its own that ends with its
 * loop: V8 compiles a long-running loop on its own (on-stack replacement) while it runs, and that code deoptimizes
 * when it meets, after the loop, an operation it has no type feedback for, at every call until the whole function
 * is optimized.
 */
function findCallees(local: readonly Insn[], start: number, byStart: ReadonlyMap<number, number>, callee: Map<number, number>, kfuncCalls: number[]): void {
  for (let j = 0; j < local.length; j++) {
    const x = local[j]!;
    const code = x.code;
    if (code !== CALL && code !== LD_IMM64) continue; // the common case, decided on the opcode alone
    if (code === CALL && x.src === BPF_PSEUDO_KFUNC_CALL) kfuncCalls.push(start + j);
    addCallee(local, j, start, byStart, callee);
    if (code === LD_IMM64) j++;
  }
}

/** If local slot j is a bpf-to-bpf call or a function address, records the function it refers to. */
function addCallee(local: readonly Insn[], j: number, start: number, byStart: ReadonlyMap<number, number>, callee: Map<number, number>): void {
  const x = local[j]!;
  const isCall = x.code === CALL && x.src === BPF_PSEUDO_CALL;
  const isFuncAddr = x.code === LD_IMM64 && x.src === BPF_PSEUDO_FUNC;
  if (!isCall && !isFuncAddr) return;
  const target = start + j + 1 + x.imm;
  const f = byStart.get(target);
  if (f === undefined) throw new JitError(`${isCall ? "call" : "function address"} to insn ${target}, which does not start a function`, start + j);
  callee.set(j, f);
}
