/**
 * @fileoverview Turns a JIT op (compiler/jit/ops.ts row + numeric operands) into its encoding through the
 * instruction layer (compiler/riscv/encode.ts), passing each operand under its name so that the operands a
 * compressed form implies (c.jalr's rd = ra, c.addi16sp's sp) are left to the table.
 *
 * Two paths: encodeOp(), checked by the instruction layer, and FAST_ENCODE, used for whole images.
 *
 * One exception: the kernel encodes an immediate shift with an out-of-range amount (a raw program's `r1 <<= 68`)
 * by OR-ing the amount into the I-type immediate field, producing a word that is not a valid shift. Those words are
 * built with the I-type packer here, bit for bit as `rv_i_insn(imm11_0, ...)` would (srai/sraiw add 0x400).
 */
import { encode } from "../riscv/encode.js";
import { packB, packI, packJ, packR, packS, packU, type Operands } from "../riscv/formats.js";
import { ISA } from "../riscv/isa.js";
import { ROW_OF } from "../riscv/rows.js";
import { AQ, OP_NAME, OP_SHAPE, RL } from "./ops.js";

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
const MATCH = Uint32Array.from(OP_NAME, (m) => ROW_OF.get(m)!.match);
const LIMIT = Uint8Array.from(OP_NAME, (m) => SHIFT_LIMIT[m] ?? 0);

/**
 * The JIT's hot path. A 32-bit op is its row's fixed bits (`match`) OR the operands placed by the format's packer;
 * compressed ops go through their format codec without encode()'s row lookup. Operand ranges are not re-checked:
 * every value was checked where the emitter chose the instruction (fitsI12 for addi, the branch/jump forms for
 * offsets, ...), and test/jit/encode-op.test.ts checks this path against encodeOp() for every op over its whole
 * operand ranges. One function with a switch, not a function per op, so that the call site stays monomorphic.
 */
export function fastEncode(op: number, rd: number, rs1: number, rs2: number, imm: number, fl: number): number {
  const base = MATCH[op]!;
  switch (KIND[op]) {
    case K_R:
      return (base | packR(0, rs2, rs1, 0, rd, 0)) >>> 0;
    case K_R1:
      return (base | packR(0, 0, rs1, 0, rd, 0)) >>> 0;
    case K_I:
      return (base | packI(imm, rs1, 0, rd, 0)) >>> 0;
    case K_SHIFT:
      return imm >= 0 && imm < LIMIT[op]! ? (base | packI(imm, rs1, 0, rd, 0)) >>> 0 : rawShift(OP_NAME[op]!, rd, rs1, imm);
    case K_S:
      return (base | packS(imm, rs2, rs1, 0, 0)) >>> 0;
    case K_B:
      return (base | packB(imm, rs2, rs1, 0, 0)) >>> 0;
    case K_U:
      return (base | packU(imm, rd, 0)) >>> 0;
    case K_J:
      return (base | packJ(imm, rd, 0)) >>> 0;
    case K_AMO:
      return (base | packR(fl & (AQ | RL), rs2, rs1, 0, rd, 0)) >>> 0;
    case K_LR:
      return (base | packR(fl & (AQ | RL), 0, rs1, 0, rd, 0)) >>> 0;
    default:
      return compressed(op, rd, rs1, rs2, imm, fl);
  }
}

/**
 * Compressed ops through their format codec, remembered: a JIT image uses few distinct compressed encodings
 * (c.li a5,0, c.mv a5,a0, the zext pair, ...), and the codec path costs far more than a Map lookup. The key packs
 * the op, rd and the immediate (biased into 11 bits: every compressed immediate lies in -1024..1023) into a small
 * integer; the other two registers are stored beside the encoding and compared on a hit.
 */
const COMPRESSED = new Map<number, number>();

function compressed(op: number, rd: number, rs1: number, rs2: number, imm: number, fl: number): number {
  if (KEYED[op] === 0 || imm < -1024 || imm >= 1024) return CODEC_ENCODE[op]!(rd, rs1, rs2, imm, fl);
  const key = (op << 16) | (rd << 11) | (imm + 1024);
  const regs = (rs1 << 5) | rs2; // kept in the value's upper half and compared: the key leaves them out
  const hit = COMPRESSED.get(key);
  if (hit !== undefined && hit >>> 16 === regs) return hit & 0xffff;
  const w = CODEC_ENCODE[op]!(rd, rs1, rs2, imm, fl);
  COMPRESSED.set(key, (w | (regs << 16)) >>> 0);
  return w;
}

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
