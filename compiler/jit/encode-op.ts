/**
 * @fileoverview Turns a JIT op (compiler/jit/ops.ts row + numeric operands) into its encoding through the
 * instruction layer (compiler/riscv/encode.ts), passing each operand under its name so that the operands a
 * compressed form implies (c.jalr's rd = ra, c.addi16sp's sp) are left to the table.
 *
 * Two paths: encodeOp(), checked by the instruction layer, and encodeInto() (FAST_ENCODE per op), for whole images.
 *
 * One exception: the kernel encodes an immediate shift with an out-of-range amount (a raw program's `r1 <<= 68`)
 * by OR-ing the amount into the I-type immediate field, producing a word that is not a valid shift. Those words are
 * built with the I-type packer here, bit for bit as `rv_i_insn(imm11_0, ...)` would (srai/sraiw add 0x400).
 */
import * as fromEncode from "../riscv/encode.js";
import type { Operands } from "../riscv/formats.js";
import * as fromFormats from "../riscv/formats.js";
import * as fromIsa from "../riscv/isa.js";
import * as fromRows from "../riscv/rows.js";
import * as fromOps from "./ops.js";

// Imported values as module-local constants: this module runs for every instruction, and V8 folds a module's own
// constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { encode } = fromEncode;
const { packB, packI, packJ, packS, packU } = fromFormats;
const { ISA } = fromIsa;
const { ROW_OF } = fromRows;
const { AQ, OP_NAME, OP_SHAPE, RL } = fromOps;

const SHIFT_LIMIT: Readonly<Record<string, number>> = { slli: 64, srli: 64, srai: 64, srliw: 32, sraiw: 32 };

/** One scratch operand object, so encode() always sees the same object shape. */
const scratch: Operands = {};

/**
 * The encoding (32-bit word, or halfword for c.*) of an op through the instruction layer's checked encode(): every
 * operand range-checked. The reference for fastEncoder() below, and what stage dumps use.
 */
export function encodeOp(op: number, rd: number, rs1: number, rs2: number, imm: number, fl: number): number {
  const m = OP_NAME[op]!;
  const limit = SHIFT_LIMIT[m];
  if (limit !== undefined && !(imm >= 0 && imm < limit)) return rawShift(m, rd, rs1, imm);
  return encode(m, operands(op, rd, rs1, rs2, imm, fl));
}

function rawShift(m: string, rd: number, rs1: number, imm: number): number {
  const spec = ISA[m as "slli"];
  return packI((m === "srai" || m === "sraiw" ? 0x400 : 0) | (imm & 0xfff), rs1, spec.funct3, rd, spec.opcode);
}

function operands(op: number, rd: number, rs1: number, rs2: number, imm: number, fl: number): Operands {
  const o = scratch;
  o.rd = o.rs1 = o.rs2 = o.imm = o.pred = o.succ = undefined;
  o.aq = o.rl = undefined;
  switch (OP_SHAPE[op]) {
    case "R":
      o.rd = rd;
      o.rs1 = rs1;
      o.rs2 = rs2;
      break;
    case "I":
    case "L":
    case "CL":
      o.rd = rd;
      o.rs1 = rs1;
      o.imm = imm;
      break;
    case "R1":
      o.rd = rd;
      o.rs1 = rs1;
      break;
    case "U":
      o.rd = rd;
      o.imm = (imm << 12) >> 12; // the low 20 bits, as the signed field
      break;
    case "S":
    case "B":
    case "CS":
      o.rs1 = rs1;
      o.rs2 = rs2;
      o.imm = imm;
      break;
    case "J":
    case "CI":
    case "CLSP":
    case "C4SPN":
      o.rd = rd;
      o.imm = imm;
      break;
    case "AMO":
    case "LR":
      if (OP_SHAPE[op] === "AMO") o.rs2 = rs2;
      o.rd = rd;
      o.rs1 = rs1;
      o.aq = (fl & AQ) !== 0;
      o.rl = (fl & RL) !== 0;
      break;
    case "FENCE":
      o.pred = rs1;
      o.succ = rs2;
      break;
    case "CR":
      o.rd = rd;
      o.rs2 = rs2;
      break;
    case "CJR":
      o.rs1 = rs1;
      break;
    case "CSSP":
      o.rs2 = rs2;
      o.imm = imm;
      break;
    case "C16SP":
      o.imm = imm;
      break;
  }
  return o;
}

type Enc = (rd: number, rs1: number, rs2: number, imm: number, fl: number) => number;

/** How fastEncode places an op's operands. */
const K_R = 0, K_R1 = 1, K_I = 2, K_SHIFT = 3, K_S = 4, K_B = 5, K_U = 6, K_J = 7, K_AMO = 8, K_LR = 9, K_CODEC = 10;

function kindOf(op: number): number {
  const fmt = ROW_OF.get(OP_NAME[op]!)!.spec.fmt;
  const shape = OP_SHAPE[op];
  switch (fmt) {
    case "R":
      return shape === "R1" ? K_R1 : K_R; // sext.b, rev8, ...: rs2 is a function field the row fixes
    case "I":
      return K_I;
    case "SH6":
    case "SH5":
      return K_SHIFT;
    case "S":
      return K_S;
    case "B":
      return K_B;
    case "U":
      return K_U;
    case "J":
      return K_J;
    case "AMO":
      return shape === "LR" ? K_LR : K_AMO; // lr.w/lr.d: rs2 is 0
    default:
      return K_CODEC;
  }
}

const KIND = Uint8Array.from(OP_NAME, (_, op) => kindOf(op));
/** Each row's fixed bits: function fields and the operands it fixes. */
const MATCH = Int32Array.from(OP_NAME, (m) => ROW_OF.get(m)!.match | 0); // as int32: the encoder works in 32-bit integer arithmetic
const LIMIT = Uint8Array.from(OP_NAME, (m) => SHIFT_LIMIT[m] ?? 0);

/** The bits each 32-bit op's register operands occupy: rd, rs1 and rs2 sit at the same place in every format. */
const RD_BITS = 0x1f << 7, RS1_BITS = 0x1f << 15, RS2_BITS = 0x1f << 20;
const REG_BITS = Int32Array.from(OP_NAME, (_, op) => {
  switch (KIND[op]) {
    case K_R:
    case K_AMO:
      return RD_BITS | RS1_BITS | RS2_BITS;
    case K_R1: // sext.b, rev8, ...: rs2 is a function field the row fixes
    case K_I:
    case K_SHIFT:
    case K_LR: // lr.w/lr.d: rs2 is 0
      return RD_BITS | RS1_BITS;
    case K_S:
    case K_B:
      return RS1_BITS | RS2_BITS;
    case K_U:
    case K_J:
      return RD_BITS;
    default:
      return 0;
  }
});

/**
 * The JIT's hot path: writes the encoding of one op as little-endian halfwords at `hws[p]` and returns the halfword
 * after it. A 32-bit op is its row's fixed bits (`match`), its register operands placed and masked to the fields
 * its format has, and its immediate scattered as the format's packer does; compressed ops go through their format
 * codec (remembered, below). Operand ranges are not re-checked: every value was checked where the emitter chose the
 * instruction (fitsI12 for addi, the branch/jump forms for offsets, ...), and test/jit/encode-op.test.ts checks this
 * path against encodeOp() for every op over its whole operand ranges.
 * It is one small function (so that V8 inlines it into the image loop) and it stores the word rather than
 * returning it: a 32-bit word returned from a call that is not inlined is boxed (most words have bit 30 or 31 set).
 */
export function encodeInto(hws: Uint16Array, p: number, op: number, rd: number, rs1: number, rs2: number, imm: number, fl: number): number {
  const kind = KIND[op]!;
  if (kind === K_R || kind === K_R1) return writeR(hws, p, op, rd, rs1, rs2);
  if (kind === K_I || kind === K_SHIFT) return writeI(hws, p, op, rd, rs1, imm);
  if (kind === K_CODEC) return KEYED[op] === 1 ? writeC(hws, p, op, rd, rs1, rs2, imm) : codecInto(hws, p, op, rd, rs1, rs2, imm, fl);
  if (kind === K_S) return writeS(hws, p, op, rs1, rs2, imm);
  if (kind === K_U) return writeU(hws, p, op, rd, imm);
  if (kind === K_B) return writeB(hws, p, op, rs1, rs2, imm);
  if (kind === K_J) return writeJ(hws, p, op, rd, imm);
  // AMO, LR
  const w = MATCH[op]! | (((rd << 7) | (rs1 << 15) | (rs2 << 20)) & REG_BITS[op]!) | ((fl & (AQ | RL)) << 25);
  hws[p] = w; // a Uint16Array keeps the low 16 bits
  hws[p + 1] = w >>> 16;
  return p + 2;
}

/*
 * encodeInto() by format, for callers that know it (the assembler's raw forms and compressed choices): no dispatch.
 * Each stores its word itself: a shared store helper is one inlining level more for V8, and made lowering 4-8%
 * slower side by side.
 */

/** An R-type op (or a unary one whose rs2 field the row fixes): rd = rs1 OP rs2. */
export function writeR(hws: Uint16Array, p: number, op: number, rd: number, rs1: number, rs2: number): number {
  const w = MATCH[op]! | (((rd << 7) | (rs1 << 15) | (rs2 << 20)) & REG_BITS[op]!);
  hws[p] = w;
  hws[p + 1] = w >>> 16;
  return p + 2;
}

/** An I-type op (loads, jalr, immediate shifts: a shift amount out of range takes the kernel's raw encoding). */
export function writeI(hws: Uint16Array, p: number, op: number, rd: number, rs1: number, imm: number): number {
  const limit = LIMIT[op]!;
  const w = limit !== 0 && !(imm >= 0 && imm < limit) ? rawShift(OP_NAME[op]!, rd, rs1, imm) : MATCH[op]! | (rd << 7) | (rs1 << 15) | (imm << 20);
  hws[p] = w;
  hws[p + 1] = w >>> 16;
  return p + 2;
}

/** An S-type op (stores): *(rs1 + imm) = rs2. */
export function writeS(hws: Uint16Array, p: number, op: number, rs1: number, rs2: number, imm: number): number {
  const w = MATCH[op]! | (rs1 << 15) | (rs2 << 20) | packS(imm, 0, 0, 0, 0);
  hws[p] = w;
  hws[p + 1] = w >>> 16;
  return p + 2;
}

/** A U-type op (lui, auipc): the 20-bit field `imm`. */
export function writeU(hws: Uint16Array, p: number, op: number, rd: number, imm: number): number {
  const w = MATCH[op]! | (rd << 7) | packU(imm, 0, 0);
  hws[p] = w;
  hws[p + 1] = w >>> 16;
  return p + 2;
}

/** A B-type op (conditional branch): if (rs1 OP rs2) goto pc + imm. */
export function writeB(hws: Uint16Array, p: number, op: number, rs1: number, rs2: number, imm: number): number {
  const w = MATCH[op]! | (rs1 << 15) | (rs2 << 20) | packB(imm, 0, 0, 0, 0);
  hws[p] = w;
  hws[p + 1] = w >>> 16;
  return p + 2;
}

/** A J-type op (jal): rd = pc + 4; goto pc + imm. */
export function writeJ(hws: Uint16Array, p: number, op: number, rd: number, imm: number): number {
  const w = MATCH[op]! | (rd << 7) | packJ(imm, 0, 0);
  hws[p] = w;
  hws[p + 1] = w >>> 16;
  return p + 2;
}

/** A compressed op: the register and 6-bit immediate forms packed directly (CFIELDS), the others from the remembered
 * encodings (below) when they have been seen. */
export function writeC(hws: Uint16Array, p: number, op: number, rd: number, rs1: number, rs2: number, imm: number): number {
  const f = CFIELDS[op]!;
  if (f !== 0) {
    // masks rather than a branch per form: rd and rs1 share bits 11:7 (rd' bits 9:7), rs2 goes to 6:2 (rs2' 4:2),
    // imm[5] to bit 12 and imm[4:0] to 6:2
    const regs = (((rd & f) | (rs1 & (f >> 5))) << 7) | ((rs2 & (f >> 10)) << 2); // rs1 and rs2 < 32: only their masks count
    const immBits = (((imm & 0x20) << 7) | ((imm & 0x1f) << 2)) & -(f >> 15);
    hws[p] = MATCH[op]! | regs | immBits;
    return p + 1;
  }
  if (imm < -1024 || imm >= 1024) {
    hws[p] = codecEncode(op, rd, rs1, rs2, imm, 0); // not a compressed immediate: the codec will say so
    return p + 1;
  }
  const a = (op << 16) | (rd << 11) | (imm + 1024);
  const b = (rs1 << 5) | rs2;
  const e = Math.imul(a ^ (b << 23), 0x9e3779b1) >>> (32 - CACHE_BITS); // Fibonacci hashing
  hws[p] = tagA[e] === a && tagB[e] === b ? cached[e]! : codecEncode(op, rd, rs1, rs2, imm, 0);
  return p + 1;
}

/** encodeInto() for the 32-bit ops without a packer here (fence): through their format codec. */
function codecInto(hws: Uint16Array, p: number, op: number, rd: number, rs1: number, rs2: number, imm: number, fl: number): number {
  const w = CODEC_ENCODE[op]!(rd, rs1, rs2, imm, fl);
  hws[p] = w;
  hws[p + 1] = w >>> 16;
  return p + 2;
}

const ONE = new Uint16Array(2);

/** encodeInto() for one op: its word (32-bit) or halfword (compressed). */
export function fastEncode(op: number, rd: number, rs1: number, rs2: number, imm: number, fl: number): number {
  return encodeInto(ONE, 0, op, rd, rs1, rs2, imm, fl) === 1 ? ONE[0]! : (ONE[0]! | (ONE[1]! << 16)) >>> 0;
}

/**
 * Compressed ops through their format codec, remembered: a JIT image uses few distinct compressed encodings
 * (c.li a5,0, c.mv a5,a0, the zext pair, ...), and the codec path costs far more than a lookup. The cache is
 * direct-mapped, in typed arrays: an entry holds its whole operand tuple as two tags (op, rd and the immediate,
 * biased into 11 bits since every compressed immediate lies in -1024..1023; then rs1 and rs2) and the halfword.
 * A colliding tuple simply replaces the entry.
 */
const CACHE_BITS = 12;
const tagA = new Int32Array(1 << CACHE_BITS).fill(-1);
const tagB = new Int32Array(1 << CACHE_BITS);
const cached = new Uint16Array(1 << CACHE_BITS);

/** Ops without a packer here: through their format codec, remembered when compressed. */
function codecEncode(op: number, rd: number, rs1: number, rs2: number, imm: number, fl: number): number {
  if (KEYED[op] === 0 || imm < -1024 || imm >= 1024) return CODEC_ENCODE[op]!(rd, rs1, rs2, imm, fl);
  const a = (op << 16) | (rd << 11) | (imm + 1024);
  const b = (rs1 << 5) | rs2;
  const e = Math.imul(a ^ (b << 23), 0x9e3779b1) >>> (32 - CACHE_BITS); // Fibonacci hashing
  if (tagA[e] === a && tagB[e] === b) return cached[e]!;
  const w = CODEC_ENCODE[op]!(rd, rs1, rs2, imm, fl);
  tagA[e] = a;
  tagB[e] = b;
  cached[e] = w;
  return w;
}

/**
 * Which operand fields writeC packs directly for each compressed op, as masks (the quadrant, funct and fixed fields
 * are the row's match bits): bits 4:0 the rd mask (31: rd at 11:7; 7: rd' at 9:7), bits 9:5 the rs1 mask (at 11:7),
 * bits 14:10 the rs2 mask (31: at 6:2; 7: rs2' at 4:2), bit 15 the 6-bit immediate (imm[5] at 12, imm[4:0] at 6:2).
 * The CR forms c.mv, c.add; the CA forms c.sub ... c.subw; the CI forms c.li, c.lui, c.addi, c.addiw, c.slli; the
 * CB forms c.srli, c.srai, c.andi; c.jr, c.jalr. 0: the others (their immediates are scrambled), through the cache.
 * Operands are not range-checked (see encodeInto above).
 */
const RD = 31, RD3 = 7, RS1 = 31 << 5, RS2 = 31 << 10, RS2_3 = 7 << 10, IMM6 = 1 << 15;
const C_FIELDS: Readonly<Record<string, number>> = {
  "c.mv": RD | RS2, "c.add": RD | RS2,
  "c.sub": RD3 | RS2_3, "c.xor": RD3 | RS2_3, "c.or": RD3 | RS2_3, "c.and": RD3 | RS2_3, "c.subw": RD3 | RS2_3,
  "c.li": RD | IMM6, "c.lui": RD | IMM6, "c.addi": RD | IMM6, "c.addiw": RD | IMM6, "c.slli": RD | IMM6,
  "c.srli": RD3 | IMM6, "c.srai": RD3 | IMM6, "c.andi": RD3 | IMM6,
  "c.jr": RS1, "c.jalr": RS1,
};
const CFIELDS = Uint16Array.from(OP_NAME, (m) => C_FIELDS[m] ?? 0);

/** Ops whose encodings are remembered: the compressed ones (everything encoded through a codec is 16-bit here). */
const KEYED = Uint8Array.from(OP_NAME, (m, op) => (KIND[op] === K_CODEC && m.startsWith("c.") ? 1 : 0));

function codecEncoder(op: number): Enc {
  const m = OP_NAME[op]!;
  const row = ROW_OF.get(m)!;
  const codec = row.codec;
  return (rd, rs1, rs2, imm, fl) => {
    const o = operands(op, rd, rs1, rs2, imm, fl);
    for (const [k, v] of row.fixed) o[k] = v; // operands the row implies (c.addi16sp's sp, c.jalr's ra)
    return codec.encode(m, row.base, o);
  };
}

const CODEC_ENCODE: readonly Enc[] = OP_NAME.map((_, op) => codecEncoder(op));

/** fastEncode() as a function per op (for callers that hold one op). */
export const FAST_ENCODE: readonly Enc[] = OP_NAME.map((_, op) => (rd, rs1, rs2, imm, fl) => fastEncode(op, rd, rs1, rs2, imm, fl));
