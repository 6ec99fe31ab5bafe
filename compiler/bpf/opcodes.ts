/**
 * @fileoverview eBPF opcode fields (RFC 9669, "BPF Instruction Set Architecture"), as numbers.
 *
 *   opcode byte:  +-----------+----+-----------+      ALU/JMP:  op(4) | source(1) | class(3)
 *                 |  7 .. 4   | 3  |  2 .. 0   |      LD/ST:    mode(3) | size(2) | class(3)
 *                 +-----------+----+-----------+
 */

// Instruction classes (low 3 bits).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_JMP32 = 0x06;
export const BPF_ALU64 = 0x07;

// Source operand (bit 3) for ALU and JMP.
export const BPF_K = 0x00;
export const BPF_X = 0x08;

// ALU operations (high 4 bits).
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0;
export const BPF_END = 0xd0;

// BPF_END source bit: to little-endian (K) or big-endian (X); with ALU64 it is the unconditional bswap.
export const BPF_TO_LE = 0x00;
export const BPF_TO_BE = 0x08;

// Jump operations (high 4 bits).
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;

// Load/store sizes (bits 4..3).
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_DW = 0x18;

// Load/store modes (bits 7..5).
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_MEMSX = 0x80;
export const BPF_ATOMIC = 0xc0;

// Atomic operations (in imm).
export const BPF_FETCH = 0x01;
export const BPF_XCHG = 0xe0 | BPF_FETCH;
export const BPF_CMPXCHG = 0xf0 | BPF_FETCH;
export const BPF_LOAD_ACQ = 0x100;
export const BPF_STORE_REL = 0x110;

// src_reg values with special meaning.
/** LD_IMM64: imm is a map fd. */
export const BPF_PSEUDO_MAP_FD = 1;
/** LD_IMM64: imm is a map fd, next imm an offset into its value. */
export const BPF_PSEUDO_MAP_VALUE = 2;
/** LD_IMM64: imm is a BTF id of a kernel variable. */
export const BPF_PSEUDO_BTF_ID = 3;
/** LD_IMM64: imm is an instruction offset to a function (callback address). */
export const BPF_PSEUDO_FUNC = 4;
/** LD_IMM64 map by index (fd_array). */
export const BPF_PSEUDO_MAP_IDX = 5;
export const BPF_PSEUDO_MAP_IDX_VALUE = 6;
/** CALL: imm is a relative offset to a bpf-to-bpf callee. */
export const BPF_PSEUDO_CALL = 1;
/** CALL: imm is a kfunc BTF id. */
export const BPF_PSEUDO_KFUNC_CALL = 2;

/** Helper function number of bpf_tail_call; the verifier turns `call 12` into the tail-call instruction. */
export const BPF_FUNC_tail_call = 12;
/**
 * Kernel-internal jump op (include/linux/filter.h): the verifier rewrites `call bpf_tail_call` into
 * BPF_JMP | BPF_TAIL_CALL (0xf5). It never appears in a loaded program and is not part of the ISA; it exists so that
 * the verifier's "xlated" program can hold and print it.
 */
export const BPF_TAIL_CALL = 0xf0;

/** Registers r0..r10 are the ISA's; the kernel's BPF_REG_AX (r11) exists only inside the verifier's rewrites. */
export const MAX_BPF_REG = 11;

/** The field extractors, named after the RFC. */
export const bpfClass = (code: number): number => code & 0x07;
export const bpfSrc = (code: number): number => code & 0x08;
export const bpfOp = (code: number): number => code & 0xf0;
export const bpfSize = (code: number): number => code & 0x18;
export const bpfMode = (code: number): number => code & 0xe0;

/** Bytes moved by a load/store of `size`. */
export function sizeBytes(size: number): 1 | 2 | 4 | 8 {
  return size === BPF_B ? 1 : size === BPF_H ? 2 : size === BPF_W ? 4 : 8;
}
