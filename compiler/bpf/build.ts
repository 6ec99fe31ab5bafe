/**
 * @fileoverview Constructors for eBPF instructions, named as the kernel's include/linux/filter.h macros name them
 * (BPF_ALU64_IMM, BPF_LDX_MEM, …), for tests and for code that synthesises programs (the verifier's rewrites,
 * generators, benchmarks). Each returns one slot, except ldImm64, which returns the two slots of LD_IMM64.
 */
import { insn, LD_IMM64, type Insn } from "./insn.js";
import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_END, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_K, BPF_LDX, BPF_MEM,
  BPF_MEMSX, BPF_MOV, BPF_NEG, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_ST, BPF_STX, BPF_X,
} from "./opcodes.js";

export const R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8, R9 = 9, R10 = 10;
/** The verifier's auxiliary register (BPF_REG_AX), used only inside rewrites. */
export const AX = 11;

/** dst = dst OP imm (64-bit). */
export const alu64Imm = (op: number, dst: number, imm: number): Insn => insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
/** dst = dst OP src (64-bit). */
export const alu64Reg = (op: number, dst: number, src: number): Insn => insn(BPF_ALU64 | op | BPF_X, dst, src, 0, 0);
/** wdst = wdst OP imm (32-bit, result zero-extended). */
export const alu32Imm = (op: number, dst: number, imm: number): Insn => insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
/** wdst = wdst OP wsrc. */
export const alu32Reg = (op: number, dst: number, src: number): Insn => insn(BPF_ALU | op | BPF_X, dst, src, 0, 0);
export const mov64Imm = (dst: number, imm: number): Insn => alu64Imm(BPF_MOV, dst, imm);
export const mov64Reg = (dst: number, src: number): Insn => alu64Reg(BPF_MOV, dst, src);
export const mov32Imm = (dst: number, imm: number): Insn => alu32Imm(BPF_MOV, dst, imm);
export const mov32Reg = (dst: number, src: number): Insn => alu32Reg(BPF_MOV, dst, src);
export const neg64 = (dst: number): Insn => insn(BPF_ALU64 | BPF_NEG, dst, 0, 0, 0);
/** Signed div/mod (cpu v4) are the DIV/MOD opcodes with off = 1. */
export const alu64RegOff = (op: number, dst: number, src: number, off: number): Insn => insn(BPF_ALU64 | op | BPF_X, dst, src, off, 0);
export const alu32RegOff = (op: number, dst: number, src: number, off: number): Insn => insn(BPF_ALU | op | BPF_X, dst, src, off, 0);
/** Byte swap / endian conversion: class ALU (to LE/BE by source bit) or ALU64 (unconditional bswap). */
export const endian = (cls: number, source: number, dst: number, bits: 16 | 32 | 64): Insn => insn(cls | BPF_END | source, dst, 0, 0, bits);

/** The two slots of dst = imm64 (src carries a BPF_PSEUDO_* kind, 0 for a plain constant). */
export function ldImm64(dst: number, value: bigint, src = 0): [Insn, Insn] {
  const v = BigInt.asUintN(64, value);
  return [insn(LD_IMM64, dst, src, 0, Number(v & 0xffff_ffffn) | 0), insn(0, 0, 0, 0, Number(v >> 32n) | 0)];
}

/** dst = *(size *)(src + off). */
export const ldxMem = (size: number, dst: number, src: number, off: number): Insn => insn(BPF_LDX | BPF_MEM | size, dst, src, off, 0);
/** dst = *(signed size *)(src + off) (cpu v4). */
export const ldxMemSx = (size: number, dst: number, src: number, off: number): Insn => insn(BPF_LDX | BPF_MEMSX | size, dst, src, off, 0);
/** *(size *)(dst + off) = src. */
export const stxMem = (size: number, dst: number, src: number, off: number): Insn => insn(BPF_STX | BPF_MEM | size, dst, src, off, 0);
/** *(size *)(dst + off) = imm. */
export const stMem = (size: number, dst: number, off: number, imm: number): Insn => insn(BPF_ST | BPF_MEM | size, dst, 0, off, imm);
/** Atomic op `op` (BPF_ADD, BPF_ADD|BPF_FETCH, BPF_XCHG, BPF_CMPXCHG, …) on *(size *)(dst + off) with src. */
export const atomic = (size: number, op: number, dst: number, src: number, off: number): Insn => insn(BPF_STX | BPF_ATOMIC | size, dst, src, off, op);

/** if (dst OP imm) goto pc + 1 + off. */
export const jmpImm = (op: number, dst: number, imm: number, off: number): Insn => insn(BPF_JMP | op | BPF_K, dst, 0, off, imm);
export const jmpReg = (op: number, dst: number, src: number, off: number): Insn => insn(BPF_JMP | op | BPF_X, dst, src, off, 0);
export const jmp32Imm = (op: number, dst: number, imm: number, off: number): Insn => insn(BPF_JMP32 | op | BPF_K, dst, 0, off, imm);
export const jmp32Reg = (op: number, dst: number, src: number, off: number): Insn => insn(BPF_JMP32 | op | BPF_X, dst, src, off, 0);
/** goto pc + 1 + off. */
export const ja = (off: number): Insn => insn(BPF_JMP | BPF_JA, 0, 0, off, 0);
/** gotol: JMP32 JA with the offset in imm (cpu v4). */
export const gotol = (imm: number): Insn => insn(BPF_JMP32 | BPF_JA, 0, 0, 0, imm);
/** call helper number `id`. */
export const callHelper = (id: number): Insn => insn(BPF_JMP | BPF_CALL, 0, 0, 0, id);
/** call the bpf-to-bpf function at pc + 1 + rel. */
export const callPseudo = (rel: number): Insn => insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel);
/** call kfunc with BTF id `id`. */
export const callKfunc = (id: number): Insn => insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, id);
export const exit = (): Insn => insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
