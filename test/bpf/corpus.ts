/**
 * @fileoverview A generated corpus of eBPF instructions covering every opcode of the ISA: every ALU operation in
 * K and X form, 32 and 64 bits, signed div/mod, movsx, every byte swap, every load/store size and mode, every atomic
 * operation, every jump condition, calls of every kind; with edge immediates and offsets. Built with insn() from
 * the RFC's field values, independently of the assembler and the printer it is used to check.
 */
import { insn, LD_IMM64, type Insn } from "../../compiler/bpf/insn.js";
import { ldImm64 } from "../../compiler/bpf/build.js";

export interface CorpusEntry {
  /** One instruction (two slots for LD_IMM64). */
  readonly insns: Insn[];
  /** Whether llvm-mc-19 can read our spelling of it (LLVM 19 has no load-acquire, map[...], kfunc, ...). */
  readonly llvm: boolean;
}

const ALU = 0x04, ALU64 = 0x07, JMP = 0x05, JMP32 = 0x06, K = 0x00, X = 0x08;
const ALU_OPS = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0];
const JMP_CONDS = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
const SIZES = [0x00, 0x08, 0x10, 0x18];
const IMMS = [0, 1, -1, 42, 0x7fffffff, -0x80000000, 999_999, -1_000_000];
const OFFS = [0, 1, -1, 8, -8, 0x7fff, -0x8000];
const REG_PAIRS: Array<[number, number]> = [[0, 1], [1, 0], [9, 10], [10, 9], [5, 5]];
const IMM64S = [0n, 1n, -1n, 999_999n, -999_999n, 1_000_000n, 0x80000000n, -0x80000000n, 0xffffffffn, 0x123456789n,
  0x7fffffffffffffffn, 0x8000000000000000n, 0xfedcba9876543210n];

export function corpus(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  const add = (x: Insn | Insn[], llvm = true) => out.push({ insns: Array.isArray(x) ? x : [x], llvm });
  for (const cls of [ALU, ALU64]) {
    for (const op of ALU_OPS) {
      IMMS.forEach((imm, k) => add(insn(cls | op | K, k % 11, 0, 0, imm)));
      for (const [d, s] of REG_PAIRS) add(insn(cls | op | X, d, s, 0, 0));
    }
    for (const op of [0x30, 0x90]) {
      for (const imm of [1, -1, 7, 0x7fffffff]) add(insn(cls | op | K, 3, 0, 1, imm));
      for (const [d, s] of REG_PAIRS) add(insn(cls | op | X, d, s, 1, 0));
    }
    for (let d = 0; d <= 10; d++) add(insn(cls | 0x80, d, 0, 0, 0));
    for (const bits of cls === ALU64 ? [8, 16, 32] : [8, 16]) for (const [d, s] of REG_PAIRS) add(insn(cls | 0xb0 | X, d, s, bits, 0));
    for (const bits of [16, 32, 64]) {
      if (cls === ALU) for (const src of [0x00, 0x08]) add(insn(ALU | 0xd0 | src, bits % 11, 0, 0, bits));
      else add(insn(ALU64 | 0xd0, bits % 11, 0, 0, bits));
    }
  }
  for (const v of IMM64S) for (const d of [0, 1, 10]) add(ldImm64(d, v));
  for (const size of [0x00, 0x08, 0x10]) {
    for (const imm of [0, 5, -1, 0x7fffffff]) add(insn(0x20 | size, 0, 0, 0, imm));
    for (const src of [1, 9]) {
      add(insn(0x40 | size, 0, src, 0, 0));
      add(insn(0x40 | size, 0, src, 0, 14), false); // LLVM 19 reads and prints skb[rN] without an offset
    }
  }
  for (const size of SIZES) {
    OFFS.forEach((off, k) => {
      const [d, s] = REG_PAIRS[k % REG_PAIRS.length]!;
      add(insn(0x61 | size, d, s, off, 0));
      if (size !== 0x18) add(insn(0x81 | size, s, d, off, 0));
      add(insn(0x62 | size, d, 0, off, IMMS[k]!));
      add(insn(0x63 | size, d, s, off, 0));
    });
  }
  for (const size of [0x00, 0x18]) {
    for (const op of [0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1]) {
      for (const [[d, s], off] of [[[1, 2], 0], [[10, 0], -8], [[0, 9], 0x7fff], [[3, 3], -0x8000]] as const) {
        add(insn(0xc3 | size, d, s, off, op));
      }
    }
  }
  for (const size of SIZES) {
    add(insn(0xc3 | size, 0, 1, -1, 0x100), false); // load-acquire: LLVM 21
    add(insn(0xc3 | size, 10, 2, 8, 0x110), false); // store-release
  }
  for (const off of OFFS) add(insn(JMP, 0, 0, off, 0));
  for (const imm of [0, 1, -1, 0x7fff, -0x8000]) add(insn(JMP32, 0, 0, 0, imm));
  for (const imm of [0x8000, 100_000, 0x7fffffff, -0x80000000]) add(insn(JMP32, 0, 0, 0, imm), false); // llvm-mc-19: 16-bit literal only
  for (const cls of [JMP, JMP32]) {
    for (const op of JMP_CONDS) {
      OFFS.forEach((off, k) => {
        add(insn(cls | op | K, k % 11, 0, off, IMMS[k]!));
        const [d, s] = REG_PAIRS[k % REG_PAIRS.length]!;
        add(insn(cls | op | X, d, s, off, 0));
      });
    }
  }
  for (const imm of [0, 1, 5, 12, 211, 212, 0x7fffffff, -1]) add(insn(0x85, 0, 0, 0, imm));
  for (let d = 0; d <= 10; d++) add(insn(0x8d, d, 0, 0, 0));
  add(insn(0x95, 0, 0, 0, 0));
  return out;
}

/** Instructions llvm-mc cannot spell: bpf-to-bpf calls and pseudo LD_IMM64 forms, kfunc calls. */
export function extraCorpus(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const rel of [0, 3, -1, 0x7fffffff, -0x80000000]) out.push({ insns: [insn(0x85, 0, 1, 0, rel)], llvm: false });
  for (const id of [1, 2, 7, 99, 0x7fffffff]) out.push({ insns: [insn(0x85, 0, 2, 0, id)], llvm: false });
  for (const [src, imm, hi] of [[1, 0, 0], [1, 3, 0], [2, 1, 0], [2, 1, 16], [2, 0, -1], [3, 77, 0], [4, 2, 0], [4, -3, 0], [5, 4, 0], [6, 4, 8]]) {
    out.push({ insns: [insn(LD_IMM64, 1, src!, 0, imm!), insn(0, 0, 0, 0, hi!)], llvm: false });
  }
  return out;
}
