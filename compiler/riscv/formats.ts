/**
 * @fileoverview One codec per RISC-V instruction format: where each field sits, drawn as a bit layout, with the
 * encoder (range-checked operands -> word) and the field extractor (word -> operands) side by side, so the two
 * directions are checked against each other by reading one screenful (and by test/riscv: decode(encode(x)) = x).
 *
 * A "format" here is a bit layout *and* the roles of its fields: c.lwsp and c.ldsp share the CI shape but scramble
 * their offsets differently, so they are two formats. A row of the table (isa.ts) names its format and supplies the
 * function fields (opcode, funct3, ...); everything else is an operand.
 *
 * Immediates are in the units the assembly language uses: byte offsets for branches, jumps, loads and stores (the
 * encoder checks alignment), the 20-bit field for lui/auipc/c.lui, the shift amount for shifts. Parameters of the
 * low-level packers are named after the bits they hold (imm11_0, imm12_1), as the kernel names them.
 */
import type { InsnSpec } from "./isa.js";

/** The operands of one instruction, by their role in the (expanded) instruction. */
export interface Operands {
  rd?: number;
  rs1?: number;
  rs2?: number;
  imm?: number;
  aq?: boolean;
  rl?: boolean;
  pred?: number;
  succ?: number;
}

/** An operand that does not fit its field, or a missing/invalid operand. Names the instruction and the field. */
export class EncodeError extends Error {
  constructor(
    readonly mnemonic: string,
    readonly field: string,
    message: string,
  ) {
    super(`${mnemonic}: ${message}`);
    this.name = "EncodeError";
  }
}

/** The register/immediate slots an operand may occupy in a format (bit masks), for rows that fix an operand. */
export interface Slots {
  rd?: number;
  rs1?: number;
  rs2?: number;
  imm?: number;
}

/** An immediate's allowed values: min..max, a multiple of align, and not 0 when nonzero. */
export interface ImmRange {
  readonly min: number;
  readonly max: number;
  readonly align: number;
  readonly nonzero?: boolean;
}

/** How a format's immediate is printed by objdump: decimal, hex, or as a pc-relative target address. */
export type ImmStyle = "dec" | "hex" | "target" | "none";

export interface FormatCodec {
  readonly size: 2 | 4;
  /** Bits fixed by the row's function fields (opcode, funct3, ...). */
  readonly mask: number;
  /** The function fields of `row`, placed. */
  base(row: InsnSpec): number;
  /** Where each operand lives in the word. */
  readonly slots: Slots;
  /** In compressed formats whose register field is rd/rs1: rs1 is rd unless the row implies another rs1. */
  readonly tied?: boolean;
  readonly immStyle: ImmStyle;
  /** The immediate's canonical range (what decode yields; some formats also accept another spelling). */
  readonly range?: ImmRange;
  /** Places the operands into `base`; checks every range. `m` names the instruction in errors. */
  encode(m: string, base: number, o: Operands): number;
  /** Extracts operands into `d` (only the fields the format has). */
  decode(w: number, d: DecodedFields): void;
}

/** The mutable operand fields a decoder fills in (decode.ts's Decoded extends it with the row). */
export interface DecodedFields {
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  aq: boolean;
  rl: boolean;
  pred: number;
  succ: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Range predicates, named after the width they test (the kernel's is_12b_int & co).

/** True when v is an integer in [-2^(bits-1), 2^(bits-1)). */
export function fitsSigned(v: number, bits: number): boolean {
  const lim = 2 ** (bits - 1);
  return Number.isInteger(v) && v >= -lim && v < lim;
}
/** True when v is an integer in [0, 2^bits). */
export function fitsUnsigned(v: number, bits: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < 2 ** bits;
}
export const fitsI6 = (v: number): boolean => fitsSigned(v, 6);
export const fitsI12 = (v: number): boolean => fitsSigned(v, 12);
export const fitsI13 = (v: number): boolean => fitsSigned(v, 13);
export const fitsI21 = (v: number): boolean => fitsSigned(v, 21);
export const fitsI32 = (v: number): boolean => fitsSigned(v, 32);

// ---------------------------------------------------------------------------------------------------------------
// Operand checks. Each returns the value to place (registers as their field value) or throws EncodeError.

function need(m: string, field: string, v: number | undefined): number {
  if (v === undefined) throw new EncodeError(m, field, `missing operand ${field}`);
  return v;
}

/** A full register field (x0..x31). */
function reg(m: string, field: string, v: number | undefined): number {
  if (v !== undefined && v >>> 0 === v && v < 32) return v;
  const r = need(m, field, v);
  throw new EncodeError(m, field, `${field} = ${r} is not a register (0..31)`);
}

/** A 3-bit RVC register field: x8..x15 (s0, s1, a0..a5); returns r - 8. */
function creg(m: string, field: string, v: number | undefined): number {
  if (v !== undefined && v >>> 0 === v && v >= 8 && v <= 15) return v - 8;
  const r = need(m, field, v);
  throw new EncodeError(m, field, `${field} = ${r} cannot be encoded: compressed forms take only x8..x15 (s0, s1, a0-a5)`);
}

/** An immediate within `r` (every range here is within int32, and every alignment a power of two). */
function imm(m: string, v: number | undefined, r: ImmRange): number {
  if (v !== undefined && (v | 0) === v && v >= r.min && v <= r.max && (v & (r.align - 1)) === 0 && !(r.nonzero && v === 0)) return v;
  const x = need(m, "imm", v);
  const what = `${r.align > 1 ? `a multiple of ${r.align} in ` : ""}${r.min}..${r.max}${r.nonzero ? ", not 0" : ""}`;
  throw new EncodeError(m, "imm", `imm = ${x} is out of range (must be ${what})`);
}

// Immediate ranges, one per layout.
const r = (min: number, max: number, align = 1, nonzero = false): ImmRange => ({ min, max, align, nonzero });
export const RANGES = {
  I12: r(-2048, 2047), SHAMT6: r(0, 63), SHAMT5: r(0, 31), B13: r(-4096, 4094, 2), U20: r(-0x80000, 0x7ffff),
  J21: r(-(1 << 20), (1 << 20) - 2, 2), CI6: r(-32, 31), CSHAMT: r(0, 63), C16SP: r(-512, 496, 16, true),
  CLUI: r(-32, 31, 1, true), CLWSP: r(0, 252, 4), CLDSP: r(0, 504, 8), CIW: r(4, 1020, 4, true), CLW: r(0, 124, 4),
  CLD: r(0, 248, 8), CB9: r(-256, 254, 2), CJ12: r(-2048, 2046, 2),
} as const;
/** lui/auipc also take the 20-bit field as written, 0..0xfffff. */
const U20_WRITTEN = r(-0x80000, 0xfffff);

/** Bits hi..lo of x, as an unsigned number. */
const bits = (x: number, hi: number, lo: number): number => (x >>> lo) & ((1 << (hi - lo + 1)) - 1);
/** Sign-extends the low `n` bits of x. */
const sext = (x: number, n: number): number => (x << (32 - n)) >> (32 - n);

const RD = 0x00000f80, RS1 = 0x000f8000, RS2 = 0x01f00000;
const CRD = 0x0f80, CRS2 = 0x007c; // 5-bit RVC fields at 11:7 and 6:2
const CRS1P = 0x0380, CRS2P = 0x001c; // 3-bit RVC fields at 9:7 and 4:2

// ---------------------------------------------------------------------------------------------------------------
// 32-bit formats. Low-level packers take field values; the codecs check operands and call them.

/*
 * R-type   31      25 24   20 19   15 14  12 11    7 6      0
 *         | funct7   |  rs2  |  rs1  |funct3|  rd   | opcode |
 */
export const packR = (funct7: number, rs2: number, rs1: number, funct3: number, rd: number, opcode: number): number =>
  ((funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode) >>> 0;

/*
 * I-type   31            20 19   15 14  12 11    7 6      0
 *         |   imm[11:0]    |  rs1  |funct3|  rd   | opcode |
 */
export const packI = (imm11_0: number, rs1: number, funct3: number, rd: number, opcode: number): number =>
  (((imm11_0 & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode) >>> 0;

/*
 * S-type   31      25 24   20 19   15 14  12 11    7 6      0
 *         |imm[11:5] |  rs2  |  rs1  |funct3|imm[4:0]| opcode|
 */
export const packS = (imm11_0: number, rs2: number, rs1: number, funct3: number, opcode: number): number =>
  ((bits(imm11_0, 11, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (bits(imm11_0, 4, 0) << 7) | opcode) >>> 0;

/*
 * B-type   31  30     25 24   20 19   15 14  12 11     8  7   6      0
 *         |12 |imm[10:5]|  rs2  |  rs1  |funct3|imm[4:1]|11 | opcode |
 */
export const packB = (imm12_1: number, rs2: number, rs1: number, funct3: number, opcode: number): number =>
  ((bits(imm12_1, 12, 12) << 31) | (bits(imm12_1, 10, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) |
    (bits(imm12_1, 4, 1) << 8) | (bits(imm12_1, 11, 11) << 7) | opcode) >>> 0;

/*
 * U-type   31                    12 11    7 6      0
 *         |      imm[31:12]        |  rd   | opcode |
 */
export const packU = (imm31_12: number, rd: number, opcode: number): number =>
  (((imm31_12 & 0xfffff) << 12) | (rd << 7) | opcode) >>> 0;

/*
 * J-type   31  30        21  20  19       12 11    7 6      0
 *         |20 | imm[10:1]  |11 | imm[19:12] |  rd   | opcode |
 */
export const packJ = (imm20_1: number, rd: number, opcode: number): number =>
  ((bits(imm20_1, 20, 20) << 31) | (bits(imm20_1, 10, 1) << 21) | (bits(imm20_1, 11, 11) << 20) |
    (bits(imm20_1, 19, 12) << 12) | (rd << 7) | opcode) >>> 0;

const f3 = (row: InsnSpec): number => (row.funct3 ?? 0) << 12;

export const R: FormatCodec = {
  size: 4,
  mask: 0xfe00707f,
  base: (row) => packR(row.funct7 ?? 0, 0, 0, row.funct3 ?? 0, 0, row.opcode),
  slots: { rd: RD, rs1: RS1, rs2: RS2 },
  immStyle: "none",
  encode: (m, b, o) => (b | (reg(m, "rs2", o.rs2) << 20) | (reg(m, "rs1", o.rs1) << 15) | (reg(m, "rd", o.rd) << 7)) >>> 0,
  decode(w, d) {
    d.rd = bits(w, 11, 7);
    d.rs1 = bits(w, 19, 15);
    d.rs2 = bits(w, 24, 20);
  },
};

/*
 * AMO      31     27 26 25 24   20 19   15 14  12 11    7 6      0
 *         | funct5  |aq|rl|  rs2  |  rs1  |funct3|  rd   | opcode |
 */
export const AMO: FormatCodec = {
  size: 4,
  mask: 0xf800707f,
  base: (row) => (((row.funct5 ?? 0) << 27) | f3(row) | row.opcode) >>> 0,
  slots: { rd: RD, rs1: RS1, rs2: RS2 },
  immStyle: "none",
  encode: (m, b, o) =>
    (b | (o.aq ? 1 << 26 : 0) | (o.rl ? 1 << 25 : 0) | (reg(m, "rs2", o.rs2) << 20) | (reg(m, "rs1", o.rs1) << 15) |
      (reg(m, "rd", o.rd) << 7)) >>> 0,
  decode(w, d) {
    R.decode(w, d);
    d.aq = (w & (1 << 26)) !== 0;
    d.rl = (w & (1 << 25)) !== 0;
  },
};

export const I: FormatCodec = {
  size: 4,
  mask: 0x0000707f,
  base: (row) => (f3(row) | row.opcode) >>> 0,
  slots: { rd: RD, rs1: RS1, imm: 0xfff00000 },
  immStyle: "dec",
  range: RANGES.I12,
  encode: (m, b, o) =>
    (b | packI(imm(m, o.imm, RANGES.I12), reg(m, "rs1", o.rs1), 0, reg(m, "rd", o.rd), 0)) >>> 0,
  decode(w, d) {
    d.rd = bits(w, 11, 7);
    d.rs1 = bits(w, 19, 15);
    d.imm = w >> 20;
  },
};

/*
 * Shift by immediate, RV64 (6-bit shamt; also the Zbs single-bit and Zbb rotate immediates)
 *          31    26 25     20 19   15 14  12 11    7 6      0
 *         | funct6 |shamt[5:0]|  rs1  |funct3|  rd   | opcode |
 */
export const SH6: FormatCodec = {
  size: 4,
  mask: 0xfc00707f,
  base: (row) => (((row.funct6 ?? 0) << 26) | f3(row) | row.opcode) >>> 0,
  slots: { rd: RD, rs1: RS1, imm: 0x03f00000 },
  immStyle: "hex",
  range: RANGES.SHAMT6,
  encode: (m, b, o) => (b | (imm(m, o.imm, RANGES.SHAMT6) << 20) | (reg(m, "rs1", o.rs1) << 15) | (reg(m, "rd", o.rd) << 7)) >>> 0,
  decode(w, d) {
    d.rd = bits(w, 11, 7);
    d.rs1 = bits(w, 19, 15);
    d.imm = bits(w, 25, 20);
  },
};

/*
 * Shift by immediate, 32-bit (the *w forms; shamt[5] is part of funct7 and must be 0)
 *          31      25 24     20 19   15 14  12 11    7 6      0
 *         | funct7   |shamt[4:0]|  rs1  |funct3|  rd   | opcode |
 */
export const SH5: FormatCodec = {
  size: 4,
  mask: 0xfe00707f,
  base: (row) => (((row.funct7 ?? 0) << 25) | f3(row) | row.opcode) >>> 0,
  slots: { rd: RD, rs1: RS1, imm: 0x01f00000 },
  immStyle: "hex",
  range: RANGES.SHAMT5,
  encode: (m, b, o) => (b | (imm(m, o.imm, RANGES.SHAMT5) << 20) | (reg(m, "rs1", o.rs1) << 15) | (reg(m, "rd", o.rd) << 7)) >>> 0,
  decode(w, d) {
    d.rd = bits(w, 11, 7);
    d.rs1 = bits(w, 19, 15);
    d.imm = bits(w, 24, 20);
  },
};

export const S: FormatCodec = {
  size: 4,
  mask: 0x0000707f,
  base: (row) => (f3(row) | row.opcode) >>> 0,
  slots: { rs1: RS1, rs2: RS2 },
  immStyle: "dec",
  range: RANGES.I12,
  encode: (m, b, o) => (b | packS(imm(m, o.imm, RANGES.I12), reg(m, "rs2", o.rs2), reg(m, "rs1", o.rs1), 0, 0)) >>> 0,
  decode(w, d) {
    d.rs1 = bits(w, 19, 15);
    d.rs2 = bits(w, 24, 20);
    d.imm = ((w >> 25) << 5) | bits(w, 11, 7);
  },
};

export const B: FormatCodec = {
  size: 4,
  mask: 0x0000707f,
  base: (row) => (f3(row) | row.opcode) >>> 0,
  slots: { rs1: RS1, rs2: RS2 },
  immStyle: "target",
  range: RANGES.B13,
  encode: (m, b, o) => (b | packB(imm(m, o.imm, RANGES.B13), reg(m, "rs2", o.rs2), reg(m, "rs1", o.rs1), 0, 0)) >>> 0,
  decode(w, d) {
    d.rs1 = bits(w, 19, 15);
    d.rs2 = bits(w, 24, 20);
    d.imm = ((w >> 31) << 12) | (bits(w, 7, 7) << 11) | (bits(w, 30, 25) << 5) | (bits(w, 11, 8) << 1);
  },
};

/** U-type immediates: the 20-bit field, given signed (-0x80000..0x7ffff) or as written (0..0xfffff); decoded signed. */
export const U: FormatCodec = {
  size: 4,
  mask: 0x0000007f,
  base: (row) => row.opcode,
  slots: { rd: RD },
  immStyle: "hex",
  range: RANGES.U20,
  encode: (m, b, o) => (b | packU(imm(m, o.imm, U20_WRITTEN), reg(m, "rd", o.rd), 0)) >>> 0,
  decode(w, d) {
    d.rd = bits(w, 11, 7);
    d.imm = w >> 12;
  },
};

export const J: FormatCodec = {
  size: 4,
  mask: 0x0000007f,
  base: (row) => row.opcode,
  slots: { rd: RD },
  immStyle: "target",
  range: RANGES.J21,
  encode: (m, b, o) => (b | packJ(imm(m, o.imm, RANGES.J21), reg(m, "rd", o.rd), 0)) >>> 0,
  decode(w, d) {
    d.rd = bits(w, 11, 7);
    d.imm = ((w >> 31) << 20) | (bits(w, 19, 12) << 12) | (bits(w, 20, 20) << 11) | (bits(w, 30, 21) << 1);
  },
};

/*
 * FENCE    31  28 27  24 23  20 19   15 14  12 11    7 6      0
 *         |  fm  | pred | succ |  rs1  |funct3|  rd   | opcode |     pred/succ bits: i o r w (3..0)
 * fm = 0000 is FENCE (fm = 1000 with rw,rw is FENCE.TSO, its own row); rs1 and rd are reserved for finer-grained
 * fences. The specification asks implementations to run such words as plain fences, but no assembler emits them
 * and GNU objdump calls them illegal; so does this decoder (the mask covers fm, rs1 and rd, all zero).
 */
export const FENCE: FormatCodec = {
  size: 4,
  mask: 0xf00fffff,
  base: (row) => (((row.fm ?? 0) << 28) | f3(row) | row.opcode) >>> 0,
  slots: {},
  immStyle: "none",
  encode(m, b, o) {
    const set = (field: "pred" | "succ", v: number | undefined): number => {
      const x = need(m, field, v);
      if (!fitsUnsigned(x, 4)) throw new EncodeError(m, field, `${field} = ${x} is out of range (a set of i,o,r,w: 0..15)`);
      return x;
    };
    return (b | (set("pred", o.pred) << 24) | (set("succ", o.succ) << 20)) >>> 0;
  },
  decode(w, d) {
    d.pred = bits(w, 27, 24);
    d.succ = bits(w, 23, 20);
  },
};

/*
 * SYSTEM with every field fixed (ecall, ebreak)
 *          31            20 19   15 14  12 11    7 6      0
 *         |    funct12     | 00000 | 000  | 00000 | opcode |
 */
export const SYS: FormatCodec = {
  size: 4,
  mask: 0xffffffff,
  base: (row) => packI(row.funct12 ?? 0, 0, row.funct3 ?? 0, 0, row.opcode),
  slots: {},
  immStyle: "none",
  encode: (_m, b) => b,
  decode() {},
};

// ---------------------------------------------------------------------------------------------------------------
// 16-bit (RVC) formats. rd' / rs1' / rs2' are 3-bit fields naming x8..x15.

const cbase = (row: InsnSpec): number => ((row.funct3 ?? 0) << 13) | row.opcode;

/*
 * CR       15     12 11      7 6      2 1  0
 *         | funct4  |  rd/rs1  |  rs2   | op |        c.mv, c.add (rd; c.add: rs1 = rd)
 */
export const CR: FormatCodec = {
  size: 2,
  mask: 0xf003,
  base: (row) => ((row.funct4 ?? 0) << 12) | row.opcode,
  slots: { rd: CRD, rs2: CRS2 },
  tied: true,
  immStyle: "none",
  encode: (m, b, o) => b | (reg(m, "rd", o.rd) << 7) | (reg(m, "rs2", o.rs2) << 2),
  decode(w, d) {
    d.rd = d.rs1 = bits(w, 11, 7);
    d.rs2 = bits(w, 6, 2);
  },
};

/*
 * CR, jumps 15    12 11      7 6      2 1  0
 *         | funct4  |   rs1    | 00000  | op |       c.jr, c.jalr, c.ebreak
 */
export const CRJ: FormatCodec = {
  size: 2,
  mask: 0xf07f,
  base: CR.base,
  slots: { rs1: CRD },
  immStyle: "none",
  encode: (m, b, o) => b | (reg(m, "rs1", o.rs1) << 7),
  decode(w, d) {
    d.rs1 = bits(w, 11, 7);
  },
};

/**
 * The CI and CSS shapes: funct3 at 15:13, one register field, and an immediate scattered over the rest; `scatter`
 * places a checked immediate's bits, `gather` reads them back. CI's register (11:7) is rd, and rs1 too when tied;
 * CSS's (6:2) is rs2.
 */
function rvcImm(shape: "CI" | "CSS", range: ImmRange, immStyle: ImmStyle, tied: boolean,
  scatter: (x: number) => number, gather: (w: number) => number): FormatCodec {
  const field = shape === "CI" ? "rd" : "rs2";
  const shift = shape === "CI" ? 7 : 2;
  return {
    size: 2,
    mask: 0xe003,
    base: cbase,
    slots: shape === "CI" ? { rd: CRD, imm: 0x107c } : { rs2: CRS2 },
    tied,
    immStyle,
    range,
    encode: (m, b, o) => b | scatter(imm(m, o.imm, range)) | (reg(m, field, o[field]) << shift),
    decode(w, d) {
      const r = bits(w, shift + 4, shift);
      if (shape === "CSS") d.rs2 = r;
      else if (tied) d.rd = d.rs1 = r;
      else d.rd = r;
      d.imm = gather(w);
    },
  };
}

/*
 * CI       15  13  12   11      7 6        2 1  0
 *         |funct3|imm5|  rd/rs1  | imm[4:0] | op |   c.addi, c.addiw, c.li, c.nop (signed 6-bit);
 *                                                    c.slli, c.slli64 (CISH: unsigned shift amount)
 */
const ci6 = (x: number): number => (bits(x, 5, 5) << 12) | (bits(x, 4, 0) << 2);
const ci6u = (w: number): number => (bits(w, 12, 12) << 5) | bits(w, 6, 2);
export const CI = rvcImm("CI", RANGES.CI6, "dec", true, ci6, (w) => sext(ci6u(w), 6));
export const CISH = rvcImm("CI", RANGES.CSHAMT, "hex", true, ci6, ci6u);

/*
 * CI, c.addi16sp  15 13 12       11   7 6                 2 1  0
 *         |funct3|nzimm[9]| 00010 | nzimm[4|6|8:7|5] | op |     sp += imm, imm a multiple of 16
 */
export const CI16SP = rvcImm("CI", RANGES.C16SP, "dec", true,
  (x) => (bits(x, 9, 9) << 12) | (bits(x, 4, 4) << 6) | (bits(x, 6, 6) << 5) | (bits(x, 8, 7) << 3) | (bits(x, 5, 5) << 2),
  (w) => sext((bits(w, 12, 12) << 9) | (bits(w, 4, 3) << 7) | (bits(w, 5, 5) << 6) | (bits(w, 2, 2) << 5) | (bits(w, 6, 6) << 4), 10));

/*
 * CI, c.lui  15 13 12        11    7 6            2 1  0
 *         |funct3|nzimm[17]|   rd   | nzimm[16:12] | op |   rd = imm << 12; imm in lui units, -32..31, not 0
 * (imm may also be written as lui's 20-bit field: 0xfffe0..0xfffff for -32..-1.)
 */
const cluiPlain = rvcImm("CI", RANGES.CLUI, "hex", false, ci6, (w) => sext(ci6u(w), 6));
export const CILUI: FormatCodec = {
  ...cluiPlain,
  encode(m, b, o) {
    const v = o.imm !== undefined && o.imm >= 0xfffe0 && o.imm <= 0xfffff ? o.imm - 0x100000 : o.imm;
    return cluiPlain.encode(m, b, v === o.imm ? o : { ...o, imm: v });
  },
};

/*
 * CI, c.lwsp  15 13 12      11   7 6              2 1  0
 *         |funct3|uimm[5]|   rd  | uimm[4:2|7:6]  | op |   rd = mem32[sp + imm]
 */
export const CILWSP = rvcImm("CI", RANGES.CLWSP, "dec", false,
  (x) => (bits(x, 5, 5) << 12) | (bits(x, 4, 2) << 4) | (bits(x, 7, 6) << 2),
  (w) => (bits(w, 3, 2) << 6) | (bits(w, 12, 12) << 5) | (bits(w, 6, 4) << 2));

/*
 * CI, c.ldsp  15 13 12      11   7 6              2 1  0
 *         |funct3|uimm[5]|   rd  | uimm[4:3|8:6]  | op |   rd = mem64[sp + imm]
 */
export const CILDSP = rvcImm("CI", RANGES.CLDSP, "dec", false,
  (x) => (bits(x, 5, 5) << 12) | (bits(x, 4, 3) << 5) | (bits(x, 8, 6) << 2),
  (w) => (bits(w, 4, 2) << 6) | (bits(w, 12, 12) << 5) | (bits(w, 6, 5) << 3));

/*
 * CSS, c.swsp  15 13 12           7 6      2 1  0
 *         |funct3| uimm[5:2|7:6]  |  rs2   | op |   mem32[sp + imm] = rs2
 */
export const CSSW = rvcImm("CSS", RANGES.CLWSP, "dec", false,
  (x) => (bits(x, 5, 2) << 9) | (bits(x, 7, 6) << 7),
  (w) => (bits(w, 8, 7) << 6) | (bits(w, 12, 9) << 2));

/*
 * CSS, c.sdsp  15 13 12           7 6      2 1  0
 *         |funct3| uimm[5:3|8:6]  |  rs2   | op |   mem64[sp + imm] = rs2
 */
export const CSSD = rvcImm("CSS", RANGES.CLDSP, "dec", false,
  (x) => (bits(x, 5, 3) << 10) | (bits(x, 8, 6) << 7),
  (w) => (bits(w, 9, 7) << 6) | (bits(w, 12, 10) << 3));

/*
 * CIW, c.addi4spn  15 13 12                 5 4   2 1  0
 *         |funct3| nzuimm[5:4|9:6|2|3]  | rd'  | op |   rd' = sp + imm, imm a multiple of 4, not 0
 */
export const CIW: FormatCodec = {
  size: 2,
  mask: 0xe003,
  base: cbase,
  slots: { rd: CRS2P, imm: 0x1fe0 },
  immStyle: "dec",
  range: RANGES.CIW,
  encode(m, b, o) {
    const x = imm(m, o.imm, RANGES.CIW);
    return b | (bits(x, 5, 4) << 11) | (bits(x, 9, 6) << 7) | (bits(x, 2, 2) << 6) | (bits(x, 3, 3) << 5) |
      (creg(m, "rd", o.rd) << 2);
  },
  decode(w, d) {
    d.rd = bits(w, 4, 2) + 8;
    d.imm = (bits(w, 10, 7) << 6) | (bits(w, 12, 11) << 4) | (bits(w, 5, 5) << 3) | (bits(w, 6, 6) << 2);
  },
};

/*
 * CL/CS, word  15 13 12       10 9    7 6          5 4      2 1  0
 *         |funct3| uimm[5:3]  | rs1'  | uimm[2|6]  | rd'/rs2'| op |   c.lw, c.sw
 */
const clwImm = (m: string, v: number | undefined): number => {
  const x = imm(m, v, RANGES.CLW);
  return (bits(x, 5, 3) << 10) | (bits(x, 2, 2) << 6) | (bits(x, 6, 6) << 5);
};
const clwDec = (w: number): number => (bits(w, 5, 5) << 6) | (bits(w, 12, 10) << 3) | (bits(w, 6, 6) << 2);

/*
 * CL/CS, double  15 13 12     10 9    7 6          5 4      2 1  0
 *         |funct3| uimm[5:3]  | rs1'  | uimm[7:6]  | rd'/rs2'| op |   c.ld, c.sd
 */
const cldImm = (m: string, v: number | undefined): number => {
  const x = imm(m, v, RANGES.CLD);
  return (bits(x, 5, 3) << 10) | (bits(x, 7, 6) << 5);
};
const cldDec = (w: number): number => (bits(w, 6, 5) << 6) | (bits(w, 12, 10) << 3);

function loadCodec(immBits: typeof clwImm, immOf: typeof clwDec, range: ImmRange): FormatCodec {
  return {
    size: 2,
    range,
    mask: 0xe003,
    base: cbase,
    slots: { rd: CRS2P, rs1: CRS1P },
    immStyle: "dec",
    encode: (m, b, o) => b | immBits(m, o.imm) | (creg(m, "rs1", o.rs1) << 7) | (creg(m, "rd", o.rd) << 2),
    decode(w, d) {
      d.rd = bits(w, 4, 2) + 8;
      d.rs1 = bits(w, 9, 7) + 8;
      d.imm = immOf(w);
    },
  };
}
function storeCodec(immBits: typeof clwImm, immOf: typeof clwDec, range: ImmRange): FormatCodec {
  return {
    size: 2,
    range,
    mask: 0xe003,
    base: cbase,
    slots: { rs2: CRS2P, rs1: CRS1P },
    immStyle: "dec",
    encode: (m, b, o) => b | immBits(m, o.imm) | (creg(m, "rs1", o.rs1) << 7) | (creg(m, "rs2", o.rs2) << 2),
    decode(w, d) {
      d.rs2 = bits(w, 4, 2) + 8;
      d.rs1 = bits(w, 9, 7) + 8;
      d.imm = immOf(w);
    },
  };
}
export const CLW = loadCodec(clwImm, clwDec, RANGES.CLW);
export const CLD = loadCodec(cldImm, cldDec, RANGES.CLD);
export const CSW = storeCodec(clwImm, clwDec, RANGES.CLW);
export const CSD = storeCodec(cldImm, cldDec, RANGES.CLD);

/*
 * CA       15       10 9       7 6     5 4    2 1  0
 *         |  funct6   | rd'/rs1' |funct2| rs2' | op |   c.sub, c.xor, c.or, c.and, c.subw, c.addw
 */
export const CA: FormatCodec = {
  size: 2,
  mask: 0xfc63,
  base: (row) => ((row.funct6 ?? 0) << 10) | ((row.funct2 ?? 0) << 5) | row.opcode,
  slots: { rd: CRS1P, rs2: CRS2P },
  tied: true,
  immStyle: "none",
  encode: (m, b, o) => b | (creg(m, "rd", o.rd) << 7) | (creg(m, "rs2", o.rs2) << 2),
  decode(w, d) {
    d.rd = d.rs1 = bits(w, 9, 7) + 8;
    d.rs2 = bits(w, 4, 2) + 8;
  },
};

/*
 * CB, ALU  15 13 12     11  10 9       7 6        2 1  0
 *         |funct3|imm5|funct2| rd'/rs1' | imm[4:0] | op |   c.srli, c.srai (shamt 0..63), c.andi (-32..31)
 */
function cbAlu(signed: boolean): FormatCodec {
  return {
    size: 2,
    mask: 0xec03,
    base: (row) => cbase(row) | ((row.funct2 ?? 0) << 10),
    slots: { rd: CRS1P, imm: 0x107c },
    tied: true,
    immStyle: signed ? "dec" : "hex",
    range: signed ? RANGES.CI6 : RANGES.CSHAMT,
    encode(m, b, o) {
      const x = imm(m, o.imm, signed ? RANGES.CI6 : RANGES.CSHAMT);
      return b | (bits(x, 5, 5) << 12) | (creg(m, "rd", o.rd) << 7) | (bits(x, 4, 0) << 2);
    },
    decode(w, d) {
      d.rd = d.rs1 = bits(w, 9, 7) + 8;
      const x = (bits(w, 12, 12) << 5) | bits(w, 6, 2);
      d.imm = signed ? sext(x, 6) : x;
    },
  };
}
export const CBSH = cbAlu(false);
export const CBI = cbAlu(true);

/*
 * CB, branch  15 13 12          10 9    7 6                 2 1  0
 *         |funct3| off[8|4:3]   | rs1'  | off[7:6|2:1|5]    | op |   c.beqz, c.bnez: -256..254
 */
export const CB: FormatCodec = {
  size: 2,
  mask: 0xe003,
  base: cbase,
  slots: { rs1: CRS1P },
  immStyle: "target",
  range: RANGES.CB9,
  encode(m, b, o) {
    const x = imm(m, o.imm, RANGES.CB9);
    return b | (bits(x, 8, 8) << 12) | (bits(x, 4, 3) << 10) | (creg(m, "rs1", o.rs1) << 7) | (bits(x, 7, 6) << 5) |
      (bits(x, 2, 1) << 3) | (bits(x, 5, 5) << 2);
  },
  decode(w, d) {
    d.rs1 = bits(w, 9, 7) + 8;
    d.imm = sext((bits(w, 12, 12) << 8) | (bits(w, 6, 5) << 6) | (bits(w, 2, 2) << 5) | (bits(w, 11, 10) << 3) |
      (bits(w, 4, 3) << 1), 9);
  },
};

/*
 * CJ       15 13 12                                2 1  0
 *         |funct3| off[11|4|9:8|10|6|7|3:1|5]       | op |   c.j: -2048..2046
 */
export const CJ: FormatCodec = {
  size: 2,
  mask: 0xe003,
  base: cbase,
  slots: {},
  immStyle: "target",
  range: RANGES.CJ12,
  encode(m, b, o) {
    const x = imm(m, o.imm, RANGES.CJ12);
    return b | (bits(x, 11, 11) << 12) | (bits(x, 4, 4) << 11) | (bits(x, 9, 8) << 9) | (bits(x, 10, 10) << 8) |
      (bits(x, 6, 6) << 7) | (bits(x, 7, 7) << 6) | (bits(x, 3, 1) << 3) | (bits(x, 5, 5) << 2);
  },
  decode(w, d) {
    d.imm = sext((bits(w, 12, 12) << 11) | (bits(w, 8, 8) << 10) | (bits(w, 10, 9) << 8) | (bits(w, 6, 6) << 7) |
      (bits(w, 7, 7) << 6) | (bits(w, 2, 2) << 5) | (bits(w, 11, 11) << 4) | (bits(w, 5, 3) << 1), 12);
  },
};

/** Every format by name; isa.ts rows name one of these. */
export const FORMATS = {
  R, AMO, I, SH6, SH5, S, B, U, J, FENCE, SYS,
  CR, CRJ, CI, CISH, CI16SP, CILUI, CILWSP, CILDSP, CSSW, CSSD, CIW, CLW, CLD, CSW, CSD, CA, CBSH, CBI, CB, CJ,
} as const satisfies Record<string, FormatCodec>;

export type Format = keyof typeof FORMATS;
