/**
 * @fileoverview Verifier, part 6: calls and exits on one path (the kernel's check_func_call, check_helper_call,
 * check_kfunc_call and the BPF_EXIT case of do_check), with the kernel's messages:
 *   - bpf-to-bpf calls push a frame (at most MAX_CALL_FRAMES: "the call stack of 9 frames is too deep"); the callee
 *     sees the caller's R1-R5, the caller gets R0 back and loses R1-R5; a global function is checked on its own,
 *     so its caller only needs its arguments to be initialised;
 *   - helpers and kfuncs must exist ("program of this type cannot use helper ...", "kernel btf_id 9 is not a
 *     function") and read only initialised arguments; `call bpf_tail_call` needs a prog array and, on RISC-V 6.12,
 *     a program without bpf-to-bpf calls ("tail_calls are not allowed in programs with bpf-to-bpf calls");
 *   - bpf_throw ends the path as an exception exit; it needs a JIT that supports exceptions ("JIT does not support
 *     calling kfunc bpf_throw#1") and no RCU, preemption or IRQ region open;
 *   - an exit needs R0 initialised, may not return a stack pointer to a caller, and at the outermost frame may not
 *     leave a region open.
 */
import type { Insn } from "../bpf/insn.js";
import { helperName, MAX_HELPER_ID } from "../bpf/helper-names.js";
import { BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_FUNC_tail_call } from "../bpf/opcodes.js";
import { MAX_CALL_FRAMES } from "../kernel-abi.js";
import { type CheckEnv, clobberArgs, cur, fail, readReg } from "./verify-env.js";
import type { Succ } from "./verify-insn.js";
import { regTypeName } from "./verify-mem.js";
import { newFrame, type VState } from "./verify-state.js";
import { type Reg, UNINIT, UNKNOWN } from "./verify-value.js";

/** bpf_map_lookup_elem, bpf_map_update_elem, bpf_map_delete_elem: R1 a map, R2 a pointer to the key. */
const MAP_HELPERS = new Set([1, 2, 3]);

/** The kfuncs the verifier knows, with how many of r1..r5 they read. */
const KFUNC_ARGS: Readonly<Record<string, number>> = {
  bpf_throw: 1, bpf_rcu_read_lock: 0, bpf_rcu_read_unlock: 0, bpf_preempt_disable: 0, bpf_preempt_enable: 0,
  bpf_local_irq_save: 1, bpf_local_irq_restore: 1,
};

/** The regions a program can hold open, and the kernel's name for each. */
const REGIONS = [["rcu", "bpf_rcu_read_lock"], ["preempt", "bpf_preempt_disable"], ["irq", "bpf_local_irq_save"]] as const;

/** Fails when `st` holds a region open at an exit of kind `what` ("bpf_throw", "BPF_EXIT instruction in main prog"). */
function checkRegions(st: VState, i: number, what: string): void {
  for (const [field, name] of REGIONS) if (st[field] > 0) fail(i, `${what} cannot be used inside ${name}-ed region`);
}

export function checkCall(env: CheckEnv, st: VState, i: number, x: Insn): Succ[] {
  if (x.src === BPF_PSEUDO_CALL) return pseudoCall(env, st, i, i + 1 + x.imm);
  if (x.src === BPF_PSEUDO_KFUNC_CALL) return kfuncCall(env, st, i, x.imm);
  const def = env.helpers.get(x.imm);
  if (!def) {
    const name = helperName(x.imm);
    fail(i, x.imm >= 1 && x.imm <= MAX_HELPER_ID ? `program of this type cannot use helper ${name}#${x.imm}` : `invalid func unknown#${x.imm}`);
  }
  for (let r = 1; r <= def.args; r++) readReg(st, i, r);
  if (x.imm === BPF_FUNC_tail_call) tailCall(env, st, i);
  else if (MAP_HELPERS.has(x.imm)) mapHelperArgs(env, st, i, x.imm, def.name);
  const r0 = def.ret === "map_value_or_null" ? mapValueOrNull(env, mapArg(st, i, 1)) : UNKNOWN;
  clobberArgs(st);
  cur(st).regs[0] = r0;
  return [{ st, insn: i + 1 }];
}

function pseudoCall(env: CheckEnv, st: VState, i: number, target: number): Succ[] {
  const fi = env.funcAt.get(target)!;
  const callee = env.funcs[fi]!;
  if (callee.global) {
    for (let r = 1; r <= callee.params; r++) readReg(st, i, r);
    env.calledGlobals.add(fi);
    clobberArgs(st);
    cur(st).regs[0] = callee.ret === "void" ? UNINIT : UNKNOWN; // a void function leaves nothing in R0
    return [{ st, insn: i + 1 }];
  }
  if (st.frames.length >= MAX_CALL_FRAMES) fail(i, `the call stack of ${st.frames.length + 1} frames is too deep`);
  const caller = cur(st);
  const frame = newFrame(fi, i);
  for (let r = 1; r <= 5; r++) frame.regs[r] = caller.regs[r]!;
  frame.regs[10] = fp(st.frames.length);
  st.frames.push(frame);
  return [{ st, insn: target }];
}

/** R10 of frame number `frame`. */
export function fp(frame: number): Reg {
  return { t: "ptr", kind: "stack", frame, map: -1, off: 0, vmin: 0, vmax: 0, vtz: 64, nullable: false, id: 0 };
}

/** The map a helper's argument register `r` must point to. */
function mapArg(st: VState, i: number, r: number): number {
  const v = cur(st).regs[r]!;
  if (v.t !== "ptr" || v.kind !== "map_ptr") fail(i, `R${r} type=${regTypeName(v)} expected=map_ptr`);
  return v.map;
}

/** map_lookup_elem / update / delete: R1 is a map other than a prog array, R2 points to the key. */
function mapHelperArgs(env: CheckEnv, st: VState, i: number, id: number, name: string): void {
  const spec = env.maps[mapArg(st, i, 1)]!;
  if (spec.type === "prog_array") fail(i, `cannot pass map_type 3 into func ${name}#${id}`);
  const key = cur(st).regs[2]!;
  if (key.t !== "ptr") fail(i, `R2 type=${regTypeName(key)} expected=fp, pkt, pkt_meta, map_key, map_value, mem`);
}

/** RET_PTR_TO_MAP_VALUE_OR_NULL: a pointer to a value of `map`, NULL-able, with a fresh id for the NULL check. */
function mapValueOrNull(env: CheckEnv, map: number): Reg {
  return { t: "ptr", kind: "map_value", frame: 0, map, off: 0, vmin: 0, vmax: 0, vtz: 64, nullable: true, id: ++env.lastId };
}

/** `call bpf_tail_call` (r1 ctx, r2 prog array, r3 index). */
function tailCall(env: CheckEnv, st: VState, i: number): void {
  const map = mapArg(st, i, 2);
  const spec = env.maps[map]!;
  if (spec.type !== "prog_array") {
    const type = { hash: 1, array: 2 }[spec.type] ?? spec.type;
    fail(i, `cannot pass map_type ${type} into func bpf_tail_call#${BPF_FUNC_tail_call}`);
  }
  if (env.funcs.length > 1 && !env.subprogTailCalls) fail(i, "tail_calls are not allowed in programs with bpf-to-bpf calls");
}

function kfuncCall(env: CheckEnv, st: VState, i: number, id: number): Succ[] {
  const name = env.kfuncs.get(id);
  if (name === undefined || KFUNC_ARGS[name] === undefined) {
    fail(i, name === undefined ? `kernel btf_id ${id} is not a function` : `calling kernel function ${name} is not allowed`);
  }
  if (name === "bpf_throw" && !env.jitSupportsExceptions) fail(i, `JIT does not support calling kfunc ${name}#${id}`);
  for (let r = 1; r <= KFUNC_ARGS[name]!; r++) readReg(st, i, r);
  switch (name) {
    case "bpf_throw":
      checkRegions(st, i, "bpf_throw");
      env.throwSites.add(i);
      return []; // an exception exit: every frame of the path is gone
    case "bpf_rcu_read_lock": st.rcu++; break;
    case "bpf_rcu_read_unlock":
      if (st.rcu === 0) fail(i, `unmatched rcu read unlock (kernel function ${name})`);
      st.rcu--;
      break;
    case "bpf_preempt_disable": st.preempt++; break;
    case "bpf_preempt_enable":
      if (st.preempt === 0) fail(i, `unmatched attempt to enable preemption (kernel function ${name})`);
      st.preempt--;
      break;
    case "bpf_local_irq_save": st.irq++; break;
    case "bpf_local_irq_restore":
      if (st.irq === 0) fail(i, "expected an initialized irq flag as arg#0");
      st.irq--;
      break;
  }
  clobberArgs(st);
  cur(st).regs[0] = UNKNOWN;
  return [{ st, insn: i + 1 }];
}

/** BPF_EXIT: return to the caller's frame, or end the path at the outermost one. */
export function checkExit(env: CheckEnv, st: VState, i: number): Succ[] {
  const f = cur(st);
  const fn = env.funcs[f.subprog]!;
  if (st.frames.length === 1 && fn.global && fn.ret === "void" && !fn.isExceptionCb) {
    checkRegions(st, i, "BPF_EXIT instruction in main prog");
    return []; // a void global function returns nothing: R0 is not read
  }
  const r0 = readReg(st, i, 0);
  if (st.frames.length > 1) {
    // prepare_func_exit refuses any stack pointer, even one into the caller's own stack.
    if (r0.t === "ptr" && r0.kind === "stack") fail(i, "cannot return stack pointer to the caller frame");
    st.frames.pop();
    clobberArgs(st);
    cur(st).regs[0] = r0;
    return [{ st, insn: f.callsite + 1 }];
  }
  checkRegions(st, i, "BPF_EXIT instruction in main prog");
  if (r0.t !== "scalar" && fn.isExceptionCb) fail(i, `At program exit the register R0 is not a known value (${regTypeName(r0)})`);
  if (r0.t !== "scalar" && f.subprog !== 0 && fn.global) {
    fail(i, `At subprogram exit the register R0 is not a scalar value (${regTypeName(r0)})`);
  }
  return [];
}
