/**
 * @fileoverview M extension semantics (ISA manual Volume I, 20240411, chapter 13 "M Extension for Integer
 * Multiplication and Division"). Division never traps: x/0 gives all ones (signed: -1), x%0 gives x, and the
 * signed overflow INT_MIN/-1 gives INT_MIN with remainder 0. The 64-bit work is in int64.ts.
 */
import { alu, type SemTable, SEXT } from "./types.js";

/** lo, hi = f(a, b) for a 64-bit helper of int64.ts. */
const wide = (f: string) => alu(`lo = ${f}($a_lo, $a_hi, $b_lo, $b_hi); hi = HI[0];`);

export const M: SemTable = {
  /** MUL: x[rd] = (x[rs1] × x[rs2])[63:0] */
  mul: wide("mul64"),
  /** MULH, MULHSU, MULHU: the high 64 bits of the 128-bit product (signed×signed, signed×unsigned, unsigned×unsigned) */
  mulh: wide("mulh64"),
  mulhsu: wide("mulhsu64"),
  mulhu: wide("mulhu64"),
  div: wide("div64"),
  divu: wide("divu64"),
  rem: wide("rem64"),
  remu: wide("remu64"),
  /** MULW: x[rd] = sext((x[rs1] × x[rs2])[31:0]) */
  mulw: alu(`lo = Math.imul($a_lo, $b_lo); ${SEXT}`),
  divw: alu(`lo = divw($a_lo, $b_lo); ${SEXT}`),
  divuw: alu(`lo = divuw($a_lo, $b_lo); ${SEXT}`),
  remw: alu(`lo = remw($a_lo, $b_lo); ${SEXT}`),
  remuw: alu(`lo = remuw($a_lo, $b_lo); ${SEXT}`),
};
