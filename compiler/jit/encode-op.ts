/**
 * @fileoverview Turns a JIT op (compiler/jit/ops.ts row + numeric operands) into its encoding through the
 * instruction layer (compiler/riscv/encode.ts), passing each operand under its name so that the operands a
 * compressed form implies (c.jalr's rd = ra, c.addi16sp's sp) are left to the table.
 *
 * One exception: the kernel encodes an immediate shift with an out-of-range amount (a raw program's `r1 <<= 68`)
 * by OR-ing the amount into the I-type immediate field, producing a word that is not a valid shift. Those words are
 * built with the I-type packer here, bit for bit as `rv_i_insn(imm11_0, ...)` would (srai/sraiw add 0x400).
 */
import { encode } from "../riscv/encode.js";
import { packI, type Operands } from "../riscv/formats.js";
import { ISA } from "../riscv/isa.js";
import { AQ, OP_NAME, OP_SHAPE, RL } from "./ops.js";

const SHIFT_LIMIT: Readonly<Record<string, number>> = { slli: 64, srli: 64, srai: 64, srliw: 32, sraiw: 32 };

/** One scratch operand object per field combination, so encode() always sees the same object shapes. */
const scratch: Operands = {};

/** The encoding (32-bit word, or halfword for c.*) of an op. */
export function encodeOp(op: number, rd: number, rs1: number, rs2: number, imm: number, fl: number): number {
  const m = OP_NAME[op]!;
  const limit = SHIFT_LIMIT[m];
  if (limit !== undefined && !(imm >= 0 && imm < limit)) {
    const spec = ISA[m as "slli"];
    return packI((m === "srai" || m === "sraiw" ? 0x400 : 0) | (imm & 0xfff), rs1, spec.funct3, rd, spec.opcode);
  }
  const o: Operands = scratch;
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
      o.rs1 = rs1;
      o.rs2 = rs2;
      o.imm = imm;
      break;
    case "J":
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
    case "CI":
    case "CLSP":
    case "C4SPN":
      o.rd = rd;
      o.imm = imm;
      break;
    case "CR":
      o.rd = rd;
      o.rs2 = rs2;
      break;
    case "CJR":
      o.rs1 = rs1;
      break;
    case "CL":
      o.rd = rd;
      o.rs1 = rs1;
      o.imm = imm;
      break;
    case "CS":
      o.rs1 = rs1;
      o.rs2 = rs2;
      o.imm = imm;
      break;
    case "CSSP":
      o.rs2 = rs2;
      o.imm = imm;
      break;
    case "C16SP":
      o.imm = imm;
      break;
  }
  return encode(m, o);
}
