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

/**
 * The JIT's hot path. A 32-bit op is its row's fixed bits (`match`: function fields and fixed operands) OR the
 * operands placed by the format's packer; compressed ops go through their format codec without encode()'s row
 * lookup. Operand ranges are not re-checked: every value was checked where the emitter chose the instruction
 * (fitsI12 for addi, the branch/jump forms for offsets, ...), and test/jit/encode-op.test.ts checks this path
 * against encodeOp() for every op over its whole operand ranges.
 */
function fastEncoder(op: number): Enc {
  const m = OP_NAME[op]!;
  const row = ROW_OF.get(m)!;
  const base = row.match;
  const limit = SHIFT_LIMIT[m];
  const unary = OP_SHAPE[op] === "R1"; // rs2 is a function field (sext.b, rev8, ...): the row fixes it
  switch (row.spec.fmt) {
    case "R":
      return unary ? (rd, rs1) => (base | packR(0, 0, rs1, 0, rd, 0)) >>> 0 : (rd, rs1, rs2) => (base | packR(0, rs2, rs1, 0, rd, 0)) >>> 0;
    case "I":
      return (rd, rs1, _rs2, imm) => (base | packI(imm, rs1, 0, rd, 0)) >>> 0;
    case "SH6":
    case "SH5":
      return (rd, rs1, _rs2, imm) => (imm >= 0 && imm < limit! ? (base | packI(imm, rs1, 0, rd, 0)) >>> 0 : rawShift(m, rd, rs1, imm));
    case "S":
      return (_rd, rs1, rs2, imm) => (base | packS(imm, rs2, rs1, 0, 0)) >>> 0;
    case "B":
      return (_rd, rs1, rs2, imm) => (base | packB(imm, rs2, rs1, 0, 0)) >>> 0;
    case "U":
      return (rd, _rs1, _rs2, imm) => (base | packU(imm, rd, 0)) >>> 0;
    case "J":
      return (rd, _rs1, _rs2, imm) => (base | packJ(imm, rd, 0)) >>> 0;
    case "AMO": {
      const lr = OP_SHAPE[op] === "LR"; // lr.w/lr.d: rs2 is 0
      return (rd, rs1, rs2, _imm, fl) => (base | packR(fl & (AQ | RL), lr ? 0 : rs2, rs1, 0, rd, 0)) >>> 0;
    }
    default: {
      const codec = row.codec;
      return (rd, rs1, rs2, imm, fl) => {
        const o = operands(op, rd, rs1, rs2, imm, fl);
        for (const [k, v] of row.fixed) o[k] = v; // operands the row implies (c.addi16sp's sp, c.jalr's ra)
        return codec.encode(m, row.base, o);
      };
    }
  }
}

/** fastEncoder() for every op, by op index. */
export const FAST_ENCODE: readonly Enc[] = OP_NAME.map((_, op) => fastEncoder(op));
