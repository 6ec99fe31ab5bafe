/**
 * @fileoverview Verifier: the context the state walk reads (the program, its functions, the kernel it targets) and
 * writes (per-function facts the later passes need). One object, passed explicitly to every step.
 */
import type { Insn } from "../bpf/insn.js";
import type { HelperProto } from "../bpf/helper-protos.js";
import type { MemEnv } from "./verify-mem.js";
import type { FrameState, VState } from "./verify-state.js";
import { type Reg, UNINIT } from "./verify-value.js";
import { VerifierError } from "./verify-types.js";

/** A function of the program as the walk sees it. */
export interface FuncInfo {
  start: number;
  end: number;
  name?: string;
  /** Global linkage: verified on its own with scalar arguments; callers only see its signature. */
  global: boolean;
  /** Global functions: how many of r1..r5 it takes. */
  params: number;
  /** Global functions: the declared return type (a pointer is refused when the function is verified). */
  ret: "scalar" | "void" | "ptr";
  isExceptionCb: boolean;
}

/** A map as the verifier needs it. */
export interface VerifierMap {
  name?: string;
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

export interface CheckEnv extends MemEnv {
  insns: readonly Insn[];
  funcs: FuncInfo[];
  /** Function index by start slot. */
  funcAt: ReadonlyMap<number, number>;
  helpers: ReadonlyMap<number, Omit<HelperProto, "id">>;
  kfuncs: ReadonlyMap<number, string>;
  maps: readonly VerifierMap[];
  jitSupportsExceptions: boolean;
  subprogTailCalls: boolean;
  /** Most instructions the walk may process (BPF_COMPLEXITY_LIMIT_INSNS). */
  complexityLimit: number;
  // ----- results -----
  stackDepth: number[];
  /** Slots of the bpf_throw calls on some path. */
  throwSites: Set<number>;
  /** Global functions called from a verified path (they are verified in turn). */
  calledGlobals: Set<number>;
  processed: number;
  lastId: number;
}

export function fail(insn: number, msg: string): never {
  throw new VerifierError(insn, msg);
}

/** The frame of the innermost call. */
export function cur(st: VState): FrameState {
  return st.frames[st.frames.length - 1]!;
}

/** check_reg_arg(SRC_OP): the register must hold a value. */
export function readReg(st: VState, insn: number, r: number): Reg {
  const v = cur(st).regs[r]!;
  if (v.t === "uninit") fail(insn, `R${r} !read_ok`);
  return v;
}

/** check_reg_arg(DST_OP): R10 is read-only. */
export function writeReg(st: VState, insn: number, r: number, v: Reg): void {
  if (r === 10) fail(insn, "frame pointer is read only");
  cur(st).regs[r] = v;
}

/** After a call: R1-R5 are clobbered (unreadable). */
export function clobberArgs(st: VState): void {
  const regs = cur(st).regs;
  for (let r = 1; r <= 5; r++) regs[r] = UNINIT;
}

/** The function containing slot `i`. */
export function funcOf(env: CheckEnv, i: number): number {
  let k = 0;
  while (k + 1 < env.funcs.length && env.funcs[k + 1]!.start <= i) k++;
  return k;
}
