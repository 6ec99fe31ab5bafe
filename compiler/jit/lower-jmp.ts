/**
 * @fileoverview Lowering of JMP and JMP32 instructions: jumps, conditional branches, calls, tail calls and exit
 * (bpf_jit_emit_insn's control-flow cases). Branches and calls become var items (compiler/jit/code.ts): their form
 * is chosen by the layout passes. Code emitted before a branch in the same instruction (operand copies, an
 * immediate in t1) is simply part of the unit; the layout measures the branch from where it actually lands, which is
 * what the kernel's `rvoff -= ninsns_rvoff(e - s)` adjustment computes.
 */
import type { Insn } from "../bpf/insn.js";
import * as fromOpcodes from "../bpf/opcodes.js";
import * as fromRegs from "../riscv/regs.js";
import * as fromKernelAbi from "../kernel-abi.js";
import * as fromMapRegisters from "../passes/map-registers.js";
import * as fromBpfRegs from "./bpf-regs.js";
import * as fromCode from "./code.js";
import * as fromImm from "./imm.js";
import type { LowerCtx } from "./lower-ctx.js";
import * as fromOps from "./ops.js";

// Imported values as module-local constants: this module runs for every instruction, and V8 folds a module's own
// constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { BPF_CALL, BPF_EXIT, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JMP, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_K, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_X, bpfClass, bpfOp, bpfSrc } = fromOpcodes;
const { X } = fromRegs;
const { ARRAY_MAX_ENTRIES_OFF, ARRAY_PTRS_OFF, PROG_BPF_FUNC_OFF, THREAD_INFO_CPU_OFF } = fromKernelAbi;
const { BPF_FUNC_get_smp_processor_id, BPF_TAIL_CALL_OP } = fromMapRegisters;
const { T1, T2, T3, TCC, TCC_SAVED } = fromBpfRegs;
const { VK } = fromCode;
const { fitsI12 } = fromImm;
const { OP } = fromOps;

/** The conditions with an RV branch (all but JSET, which tests dst & src), by op >> 4 (an array, not a Set: every
 * branch of a program looks here). */
const IS_COND = Uint8Array.from({ length: 16 }, (_, k) => ([BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE].includes(k << 4) ? 1 : 0));
/** A conditional branch: a condition with an RV branch, or JSET (`op`: the opcode's operation bits). */
export const isCondOp = (op: number): boolean => IS_COND[op >> 4] === 1 || op === BPF_JSET;
const isSigned = (cond: number): boolean => cond === BPF_JSGT || cond === BPF_JSLT || cond === BPF_JSGE || cond === BPF_JSLE;

export function lowerJmp(c: LowerCtx, x: Insn): void {
  const code = x.code;
  const op = bpfOp(code);
  const is64 = bpfClass(code) === BPF_JMP;
  if (op === BPF_JA && bpfSrc(code) === BPF_K) {
    // goto pc + 1 + off (JMP32: gotol, the offset is in imm)
    c.a.buf.emitVar(VK.Jump, 0, 0, 0, c.target(is64 ? x.off : x.imm));
    return;
  }
  if (isCondOp(op)) return bpfSrc(code) === BPF_X ? condReg(c, x, op, is64) : condImm(c, x, op, is64);
  if (!is64) c.unknownOpcode();
  if (code === (BPF_JMP | BPF_CALL)) return call(c, x);
  if (code === BPF_TAIL_CALL_OP) return tailCall(c);
  if (code === (BPF_JMP | BPF_EXIT)) {
    // return r0: fall into the epilogue when last, else jump to it
    if (c.i !== c.fn.insns.length - 1) c.a.buf.emitVar(VK.JumpEpilogue, 0, 0, 0, -1);
    return;
  }
  c.unknownOpcode();
}

/** if (dst COND src) goto pc + 1 + off; JMP32 compares copies of the low 32 bits, extended as the condition needs. */
export function condReg(c: LowerCtx, x: Insn, op: number, is64: boolean): void {
  const a = c.a;
  const target = c.target(x.off);
  let rd = c.reg(x.dst);
  let rs = c.reg(x.src);
  if (!is64) {
    if (isSigned(op)) {
      a.sextw(T1, rs);
      a.sextw(T2, rd);
    } else {
      a.zextw(T1, rs);
      a.zextw(T2, rd);
    }
    rs = T1;
    rd = T2;
  }
  if (op === BPF_JSET) {
    a.and(T1, rd, rs); // if (dst & src) goto ...
    a.buf.emitVar(VK.Branch, BPF_JNE, T1, X.zero, target);
  } else {
    a.buf.emitVar(VK.Branch, op, rd, rs, target);
  }
}

/** if (dst COND imm) goto pc + 1 + off; imm (sign-extended) goes to t1 unless it is 0. */
export function condImm(c: LowerCtx, x: Insn, op: number, is64: boolean): void {
  const a = c.a;
  const target = c.target(x.off);
  let rd = c.reg(x.dst);
  const imm = x.imm;
  if (op === BPF_JSET) {
    if (fitsI12(imm)) a.andi(T1, rd, imm);
    else {
      a.imm(T1, imm);
      a.and(T1, rd, T1);
    }
    // jset32 only compares t1 with zero, so sign extension does as well as the zero extension it would need
    if (!is64 && imm < 0) a.sextw(T1, T1);
    a.buf.emitVar(VK.Branch, BPF_JNE, T1, X.zero, target);
    return;
  }
  if (imm !== 0) a.imm(T1, imm);
  const rs = imm !== 0 ? T1 : X.zero;
  if (!is64) {
    if (isSigned(op)) a.sextw(T2, rd); // t1 is already sign-extended: imm is an s32
    else {
      a.zextw(T2, rd);
      if (imm !== 0) a.zextw(rs, rs);
    }
    rd = T2;
  }
  a.buf.emitVar(VK.Branch, op, rd, rs, target);
}

/** Helper, kfunc and bpf-to-bpf calls; bpf_get_smp_processor_id is inlined. */
function call(c: LowerCtx, x: Insn): void {
  const a = c.a;
  const r0 = c.reg(0);
  if (x.src === 0 && x.imm === BPF_FUNC_get_smp_processor_id) {
    a.lw(r0, THREAD_INFO_CPU_OFF, X.tp); // r0 = current_thread_info()->cpu (tp points at task_struct = thread_info)
    return;
  }
  if (x.src === BPF_PSEUDO_CALL) {
    // The callee leaves R0 in a5 (a0 only gets a sign-extended copy), so nothing is moved after the call.
    a.buf.emitVar(VK.CallBpf, 0, X.ra, 0, c.fn.callee.get(c.i)!);
    return;
  }
  let addr: bigint;
  if (x.src === BPF_PSEUDO_KFUNC_CALL) {
    // The RISC-V ABI passes 32-bit arguments sign-extended; BPF leaves their upper halves undefined.
    const sizes = c.opts.kfuncArgSizes(x.imm) ?? [];
    sizes.forEach((size, k) => {
      if (size === 4) a.sextw(c.reg(1 + k), c.reg(1 + k));
    });
    addr = c.opts.kfuncAddr(x.imm);
  } else {
    addr = c.opts.helperAddr(x.imm);
  }
  if ((addr & 1n) !== 0n) c.fail(`call target 0x${BigInt.asUintN(64, addr).toString(16)} is not 2-byte aligned`);
  a.buf.emitVar(VK.CallFixed, 0, X.ra, 0, -1, addr);
  a.mv(r0, X.a0); // R0 = return value
}

/**
 * bpf_tail_call(ctx = a0, array = a1, index = a2): every check that fails goes "out", to the instruction after the
 * sequence; success pops this frame and jumps past the target's TCC initialisation with the decremented counter in
 * a6.
 */
function tailCall(c: LowerCtx): void {
  const a = c.a;
  const buf = a.buf;
  const tcc = c.seenCall ? TCC_SAVED : TCC;
  a.zextw(X.a2, X.a2); // the index is a u32
  a.i(OP.lwu, T1, X.a1, ARRAY_MAX_ENTRIES_OFF); // if (index >= array->map.max_entries) goto out
  buf.emitVar(VK.TailOut, BPF_JGE, X.a2, T1, -1);
  a.addi(TCC, tcc, -1); // if (--tcc < 0) goto out
  buf.emitVar(VK.TailOut, BPF_JSLT, TCC, X.zero, -1);
  a.sh3add(T2, X.a2, X.a1); // prog = array->ptrs[index]; if (!prog) goto out
  a.ld(T2, ARRAY_PTRS_OFF, T2);
  buf.emitVar(VK.TailOut, BPF_JEQ, T2, X.zero, -1);
  a.ld(T3, PROG_BPF_FUNC_OFF, T2); // goto *(prog->bpf_func + skip)
  buf.emitVar(VK.TailEpilogue, 0, 0, 0, -1);
}
