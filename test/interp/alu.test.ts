/**
 * @fileoverview The interpreter's value semantics, one row per fact, named as lib/test_bpf.c names its cases. The
 * expected values come from RFC 9669 and the kernel's documented choices (x/0 = 0, x%0 = x, INT_MIN/-1 = INT_MIN,
 * smod -1 = 0, masked shifts, zero-extended 32-bit results), worked out by hand.
 */
import { describe, expect, it } from "vitest";
import {
  BPF_ADD, BPF_AND, BPF_ARSH, BPF_DIV, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE,
  BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_LSH, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR,
} from "../../compiler/bpf/opcodes.js";
import { alu32, alu64, bswap, endian, jumpTaken } from "../../compiler/bpf/alu-semantics.js";

const M64 = 0xffff_ffff_ffff_ffffn;
const INT64_MIN = 0x8000_0000_0000_0000n;
const neg = (v: bigint) => BigInt.asUintN(64, -v);

type Row = [name: string, op: number, dst: bigint, src: bigint, off: number, want: bigint];

const ALU64: Row[] = [
  ["ALU64_ADD: 1 + 2 = 3", BPF_ADD, 1n, 2n, 0, 3n],
  ["ALU64_ADD: 0xffffffffffffffff + 1 wraps to 0", BPF_ADD, M64, 1n, 0, 0n],
  ["ALU64_SUB: 0 - 1 = 0xffffffffffffffff", BPF_SUB, 0n, 1n, 0, M64],
  ["ALU64_MUL: 2^32 * 2^32 wraps to 0", BPF_MUL, 1n << 32n, 1n << 32n, 0, 0n],
  ["ALU64_MUL: -3 * 5 = -15", BPF_MUL, neg(3n), 5n, 0, neg(15n)],
  ["ALU64_DIV: 10 / 3 = 3", BPF_DIV, 10n, 3n, 0, 3n],
  ["ALU64_DIV: unsigned: 0xffffffffffffffff / 2 = 0x7fffffffffffffff", BPF_DIV, M64, 2n, 0, M64 >> 1n],
  ["ALU64_DIV: x / 0 = 0", BPF_DIV, 1234n, 0n, 0, 0n],
  ["ALU64_SDIV: -7 s/ 2 = -3 (truncates toward zero)", BPF_DIV, neg(7n), 2n, 1, neg(3n)],
  ["ALU64_SDIV: 7 s/ -2 = -3", BPF_DIV, 7n, neg(2n), 1, neg(3n)],
  ["ALU64_SDIV: LLONG_MIN s/ -1 = LLONG_MIN", BPF_DIV, INT64_MIN, M64, 1, INT64_MIN],
  ["ALU64_SDIV: x s/ 0 = 0", BPF_DIV, neg(5n), 0n, 1, 0n],
  ["ALU64_MOD: 10 % 3 = 1", BPF_MOD, 10n, 3n, 0, 1n],
  ["ALU64_MOD: x % 0 = x", BPF_MOD, 1234n, 0n, 0, 1234n],
  ["ALU64_SMOD: -7 smod 2 = -1 (sign of the dividend)", BPF_MOD, neg(7n), 2n, 1, neg(1n)],
  ["ALU64_SMOD: 7 smod -2 = 1", BPF_MOD, 7n, neg(2n), 1, 1n],
  ["ALU64_SMOD: LLONG_MIN smod -1 = 0", BPF_MOD, INT64_MIN, M64, 1, 0n],
  ["ALU64_SMOD: x smod 0 = x", BPF_MOD, neg(7n), 0n, 1, neg(7n)],
  ["ALU64_OR: 0xf0 | 0x0f = 0xff", BPF_OR, 0xf0n, 0x0fn, 0, 0xffn],
  ["ALU64_AND: 0xff & 0x0f = 0x0f", BPF_AND, 0xffn, 0x0fn, 0, 0x0fn],
  ["ALU64_XOR: 0xff ^ 0x0f = 0xf0", BPF_XOR, 0xffn, 0x0fn, 0, 0xf0n],
  ["ALU64_LSH: 1 << 63 = 0x8000000000000000", BPF_LSH, 1n, 63n, 0, INT64_MIN],
  ["ALU64_LSH: the count is masked: 1 << 65 = 1 << 1", BPF_LSH, 1n, 65n, 0, 2n],
  ["ALU64_LSH: 1 << 64 = 1 << 0", BPF_LSH, 1n, 64n, 0, 1n],
  ["ALU64_RSH: logical: 0x8000000000000000 >> 63 = 1", BPF_RSH, INT64_MIN, 63n, 0, 1n],
  ["ALU64_ARSH: 0x8000000000000000 s>> 63 = -1", BPF_ARSH, INT64_MIN, 63n, 0, M64],
  ["ALU64_ARSH: the count is masked: -16 s>> 66 = -4", BPF_ARSH, neg(16n), 66n, 0, neg(4n)],
  ["ALU64_NEG: -(1) = 0xffffffffffffffff", BPF_NEG, 1n, 0n, 0, M64],
  ["ALU64_NEG: -(LLONG_MIN) = LLONG_MIN", BPF_NEG, INT64_MIN, 0n, 0, INT64_MIN],
  ["ALU64_MOV: r = src", BPF_MOV, 0n, 0x1234_5678_9abc_def0n, 0, 0x1234_5678_9abc_def0n],
  ["ALU64_MOVSX8: (s8)0x80 = -128", BPF_MOV, 0n, 0xffff_ff80n, 8, neg(128n)],
  ["ALU64_MOVSX8: (s8)0x17f = 127", BPF_MOV, 0n, 0x17fn, 8, 127n],
  ["ALU64_MOVSX16: (s16)0x8000 = -32768", BPF_MOV, 0n, 0x8000n, 16, neg(32768n)],
  ["ALU64_MOVSX32: (s32)0x80000000 = 0xffffffff80000000", BPF_MOV, 0n, 0x8000_0000n, 32, 0xffff_ffff_8000_0000n],
];

const ALU32: Row[] = [
  ["ALU_ADD: 0xffffffff + 1 wraps to 0", BPF_ADD, 0xffff_ffffn, 1n, 0, 0n],
  ["ALU_ADD: the upper half of dst is dropped: w(0x100000005) + 1 = 6", BPF_ADD, 0x1_0000_0005n, 1n, 0, 6n],
  ["ALU_SUB: 0 - 1 = 0xffffffff, zero-extended", BPF_SUB, 0n, 1n, 0, 0xffff_ffffn],
  ["ALU_MUL: 0x10000 * 0x10000 wraps to 0", BPF_MUL, 0x1_0000n, 0x1_0000n, 0, 0n],
  ["ALU_DIV: unsigned: 0xffffffff / 2 = 0x7fffffff", BPF_DIV, 0xffff_ffffn, 2n, 0, 0x7fff_ffffn],
  ["ALU_DIV: only the low halves count: w(0x100000006) / w(0x100000003) = 2", BPF_DIV, 0x1_0000_0006n, 0x1_0000_0003n, 0, 2n],
  ["ALU_DIV: x / 0 = 0", BPF_DIV, 7n, 0n, 0, 0n],
  ["ALU_DIV: x / w(0x100000000) = 0 (the divisor's low half is 0)", BPF_DIV, 7n, 1n << 32n, 0, 0n],
  ["ALU_SDIV: -7 s/ 2 = -3, zero-extended", BPF_DIV, 0xffff_fff9n, 2n, 1, 0xffff_fffdn],
  ["ALU_SDIV: INT_MIN s/ -1 = INT_MIN", BPF_DIV, 0x8000_0000n, 0xffff_ffffn, 1, 0x8000_0000n],
  ["ALU_MOD: x % 0 = the low half of x, zero-extended", BPF_MOD, 0xdead_0000_0007n, 0n, 0, 7n],
  ["ALU_SMOD: INT_MIN smod -1 = 0", BPF_MOD, 0x8000_0000n, 0xffff_ffffn, 1, 0n],
  ["ALU_SMOD: -7 smod 2 = -1, zero-extended", BPF_MOD, 0xffff_fff9n, 2n, 1, 0xffff_ffffn],
  ["ALU_SMOD: x smod 0 = x, zero-extended", BPF_MOD, 0xffff_0000_ffff_fff9n, 0n, 1, 0xffff_fff9n],
  ["ALU_LSH: the count is masked to 5 bits: 1 << 33 = 2", BPF_LSH, 1n, 33n, 0, 2n],
  ["ALU_RSH: logical on the low half: w(0xffffffff80000000) >> 31 = 1", BPF_RSH, 0xffff_ffff_8000_0000n, 31n, 0, 1n],
  ["ALU_ARSH: 0x80000000 s>> 31 = 0xffffffff, zero-extended", BPF_ARSH, 0x8000_0000n, 31n, 0, 0xffff_ffffn],
  ["ALU_NEG: -(1) = 0xffffffff", BPF_NEG, 1n, 0n, 0, 0xffff_ffffn],
  ["ALU_MOV: w = the low half of src", BPF_MOV, M64, 0xffff_ffff_1234_5678n, 0, 0x1234_5678n],
  ["ALU_MOVSX8: (s8)0x80 = 0xffffff80, zero-extended", BPF_MOV, 0n, 0x80n, 8, 0xffff_ff80n],
  ["ALU_MOVSX16: (s16)0xffff8000 = 0xffff8000", BPF_MOV, 0n, 0x8000n, 16, 0xffff_8000n],
];

describe("ALU64 semantics", () => {
  for (const [name, op, dst, src, off, want] of ALU64) {
    it(name, () => expect(alu64(op, dst, src, off)).toBe(want));
  }
});

describe("ALU (32-bit) semantics", () => {
  for (const [name, op, dst, src, off, want] of ALU32) {
    it(name, () => expect(alu32(op, dst, src, off)).toBe(want));
  }
});

describe("BPF_END", () => {
  const v = 0x1122_3344_5566_7788n;
  it("to LE truncates on a little-endian machine: le16 = 0x7788, le32 = 0x55667788, le64 = itself", () => {
    expect(endian(v, 16, false, false)).toBe(0x7788n);
    expect(endian(v, 32, false, false)).toBe(0x5566_7788n);
    expect(endian(v, 64, false, false)).toBe(v);
  });
  it("to BE swaps the low bytes: be16 = 0x8877, be32 = 0x88776655, be64 = 0x8877665544332211", () => {
    expect(endian(v, 16, false, true)).toBe(0x8877n);
    expect(endian(v, 32, false, true)).toBe(0x8877_6655n);
    expect(endian(v, 64, false, true)).toBe(0x8877_6655_4433_2211n);
  });
  it("ALU64 END is the unconditional bswap (cpu v4), whatever the source bit", () => {
    expect(endian(v, 16, true, false)).toBe(0x8877n);
    expect(endian(v, 32, true, false)).toBe(0x8877_6655n);
    expect(bswap(v, 64)).toBe(0x8877_6655_4433_2211n);
  });
});

describe("jump conditions", () => {
  const cases: [string, number, bigint, bigint, boolean, boolean][] = [
    ["JEQ: 5 == 5", BPF_JEQ, 5n, 5n, false, true],
    ["JNE: 5 != 6", BPF_JNE, 5n, 6n, false, true],
    ["JGT is unsigned: -1 > 1", BPF_JGT, M64, 1n, false, true],
    ["JSGT is signed: -1 s> 1 is false", BPF_JSGT, M64, 1n, false, false],
    ["JGE: 3 >= 3", BPF_JGE, 3n, 3n, false, true],
    ["JLT: 1 < -1 (unsigned)", BPF_JLT, 1n, M64, false, true],
    ["JLE: 4 <= 3 is false", BPF_JLE, 4n, 3n, false, false],
    ["JSGE: -1 s>= -1", BPF_JSGE, M64, M64, false, true],
    ["JSLT: -2 s< -1", BPF_JSLT, neg(2n), M64, false, true],
    ["JSLE: 0 s<= -1 is false", BPF_JSLE, 0n, M64, false, false],
    ["JSET: 6 & 3 != 0", BPF_JSET, 6n, 3n, false, true],
    ["JSET: 4 & 3 == 0", BPF_JSET, 4n, 3n, false, false],
    ["JMP32 JEQ compares the low halves: w(0x100000000) == 0", BPF_JEQ, 1n << 32n, 0n, true, true],
    ["JMP64 JEQ compares everything: 0x100000000 != 0", BPF_JEQ, 1n << 32n, 0n, false, false],
    ["JMP32 JSLT: w(0x80000000) s< 0", BPF_JSLT, 0x8000_0000n, 0n, true, true],
    ["JMP64 JSLT: 0x80000000 s< 0 is false", BPF_JSLT, 0x8000_0000n, 0n, false, false],
    ["JMP32 JGT: w(0x1_00000002) > w(1)", BPF_JGT, 0x1_0000_0002n, 0xffff_ffff_0000_0001n, true, true],
    ["JMP32 JSET ignores the upper half: w(0x100000000) & 0x100000000 == 0", BPF_JSET, 1n << 32n, 1n << 32n, true, false],
  ];
  for (const [name, op, a, b, is32, want] of cases) it(name, () => expect(jumpTaken(op, a, b, is32)).toBe(want));
});
