/**
 * @fileoverview The reference interpreter's calls: bpf-to-bpf calls, helpers and kfuncs, tail calls and bpf_throw.
 * Each works on the machine of interp.ts (registers, frames, pc), as the kernel defines the call.
 *
 * Tail calls are counted as the RV64 JIT of Linux 6.12 counts them, because the interpreter is the oracle of that
 * JIT's behaviour. Every function the JIT enters from its start sets the counter TCC to MAX_TAIL_CALL_CNT (33)
 * (reference §1.4 step 6); a tail call skips that instruction and hands the target the decremented counter. The
 * inline sequence (reference §4.11) is
 *     if (index >= array->map.max_entries) goto out;      // not counted
 *     a6 = TCC - 1; if (a6 < 0) goto out;
 *     prog = array->ptrs[index]; if (!prog) goto out;
 *     jump past prog's TCC initialisation, with a6 as its TCC
 * so an attempt that passes the index check counts even when the slot is empty, as in the kernel's interpreter
 * (kernel/bpf/core.c: tail_call_cnt++ comes before the NULL test). Where TCC lives makes the difference
 * (reference §1.2, §1.3, §1.4 step 11): in a function without calls it is a6 itself, so `a6 = a6 - 1` consumes one
 * every attempt; in a function that also calls (SEEN_CALL: any helper or kfunc call the JIT does not inline, or a
 * bpf-to-bpf call) a6 does not survive the calls, the prologue copies it to s6, and the sequence computes
 * `a6 = s6 - 1` without writing s6 back: a failed attempt there leaves the count as it was.
 */
import { u32, u64 } from "../../compiler/bpf/alu-semantics.js";
import { RV64_JIT_INLINED_HELPERS } from "../../compiler/bpf/helper-protos.js";
import type { Insn } from "../../compiler/bpf/insn.js";
import { BPF_CALL, BPF_FUNC_tail_call, BPF_JMP, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_X } from "../../compiler/bpf/opcodes.js";
import { MAX_TAIL_CALL_CNT } from "../../compiler/kernel-abi.js";
import { GuestFault, hex64 } from "../kernel/guest-memory.js";
import { HelperArgError, ProgArrayMap } from "../kernel/maps.js";
import type { Interpreter } from "./interp.js";
import type { InterpFrame, InterpResult } from "./types.js";

/**
 * Whether the JIT marks the function [start, end) as making calls (SEEN_CALL, reference §1.3: mark_call() for every
 * CALL it does not inline): any call instruction but an inlined helper and bpf_tail_call, which is no call.
 */
export function makesCalls(insns: readonly Insn[], start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const x = insns[i]!;
    if (x.code !== (BPF_JMP | BPF_CALL)) continue;
    if (x.src === 0 && (x.imm === BPF_FUNC_tail_call || RV64_JIT_INLINED_HELPERS.has(x.imm))) continue;
    return true;
  }
  return false;
}

/** CALL: helper (src 0), bpf-to-bpf (src 1) or kfunc (src 2). Sets pc itself (the next slot, or a function's first). */
export function call(vm: Interpreter, x: Insn): void {
  if (x.src === BPF_PSEUDO_CALL) {
    vm.enter(vm.progIndex, vm.funcAt(vm.prog, vm.pc + 1 + x.imm), vm.pc + 1, false);
    return;
  }
  if (x.src === BPF_PSEUDO_KFUNC_CALL) return kfuncCall(vm, x.imm);
  if (x.src !== 0 || (x.code & BPF_X)) vm.fault("callx and other call forms are not supported");
  if (x.imm === BPF_FUNC_tail_call) tailCall(vm);
  else helperCall(vm, x.imm);
  vm.pc++;
}

/** A helper by number, with r1.. as its arguments and its result in r0; recorded in the run's calls. */
function helperCall(vm: Interpreter, id: number): void {
  const def = vm.helpers.get(id);
  if (!def) vm.fault(`helper #${id} is not modelled`);
  const args = vm.regs.slice(1, 1 + def.args);
  const rec: InterpResult["calls"][number] = { name: def.name, args };
  vm.calls.push(rec);
  try {
    vm.regs[0] = rec.ret = u64(def.call(args, vm.env));
  } catch (e) {
    if (e instanceof GuestFault || e instanceof HelperArgError) vm.fault(`in ${def.name}: ${e.message}`);
    throw e;
  }
}

function kfuncCall(vm: Interpreter, id: number): void {
  const name = vm.prog.kfuncs.get(id);
  if (name === undefined) vm.fault(`kfunc #${id} is not modelled`);
  if (name === "bpf_throw") {
    vm.calls.push({ name, args: [vm.regs[1]!] });
    return throwException(vm, vm.regs[1]!);
  }
  // The lock/irq pairs exist for the verifier's rules; at run time they do nothing and return 0 (as in
  // runtime/kernel/calls.ts).
  vm.calls.push({ name, args: [] });
  vm.regs[0] = 0n;
  vm.pc++;
}

/**
 * bpf_tail_call(ctx = r1, prog_array = r2, index = r3), counted as the file header says: on success the target's
 * main function replaces the current frame with the decremented counter; every failure falls through.
 */
export function tailCall(vm: Interpreter): void {
  const r = vm.regs;
  const map = vm.maps.list.find((m) => m.addr === r[2]);
  if (!(map instanceof ProgArrayMap)) vm.fault(`tail call: r2 = ${hex64(r[2]!)} is not a prog array`);
  const index = Number(u32(r[3]!));
  if (index >= map.spec.maxEntries) return; // if (index >= array->map.max_entries) goto out
  const f = vm.frames[vm.frames.length - 1]!;
  const tcc = f.tcc - 1; // a6 = TCC - 1
  if (!vm.seenCall[f.prog]![f.func]!) f.tcc = tcc; // TCC is a6 itself: every attempt from here on consumes one
  if (tcc < 0) return; // if (a6 < 0) goto out
  const target = map.program(index);
  if (target === undefined) return; // if (!array->ptrs[index]) goto out
  if (!vm.programs[target]) vm.fault(`tail call: prog array entry names program ${target}, not in the run's program list`);
  vm.replaceTop(target, 0, true, tcc);
  vm.pc--; // exec() advances pc after the instruction; the target starts at its first slot
}

/** bpf_throw(cookie): unwind to the boundary and run the exception callback in its place (with R1 = cookie). */
function throwException(vm: Interpreter, cookie: bigint): void {
  const frames: InterpFrame[] = [];
  let pc = vm.pc;
  for (let i = vm.frames.length - 1; i >= 0; i--) {
    const f = vm.frames[i]!;
    const sub = vm.programs[f.prog]!.subprogs[f.func]!;
    frames.push({ prog: f.prog, func: f.func, ...(sub.name !== undefined && { name: sub.name }), kind: f.main ? "main" : "subprog", insn: pc });
    if (f.main) {
      vm.thrown = { cookie, frames };
      vm.unwindTo(i);
      const prog = vm.programs[f.prog]!;
      if (prog.exceptionCb === undefined) vm.fault("bpf_throw in a program without an exception callback");
      vm.regs[1] = cookie;
      // bpf_throw calls the callback from its start: its prologue sets TCC afresh (interp.ts enter()).
      vm.replaceTop(f.prog, prog.exceptionCb, true, MAX_TAIL_CALL_CNT);
      return;
    }
    pc = f.retPc - 1;
  }
  vm.fault("bpf_throw found no exception boundary");
}
