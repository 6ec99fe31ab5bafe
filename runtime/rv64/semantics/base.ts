/**
 * @fileoverview RV64I semantics (The RISC-V Instruction Set Manual, Volume I, 20240411: chapters 2 "RV32I" and 4
 * "RV64I"). One template per mnemonic; see types.ts for the placeholders. U-type immediates are the 20-bit field
 * (what objdump prints), so `$imm << 12` is the value; shift immediates are the shift amount.
 */
import { alu, branch, carry, lts, ltu, SAR, type SemTable, SEXT, SHL, SHR } from "./types.js";

/** sext(imm) as the high word. */
const IMM_HI = "($imm >> 31)";

export const BASE: SemTable = {
  /** LUI: x[rd] = sext(imm << 12) */
  lui: alu("lo = $imm << 12; hi = lo >> 31;"),
  /** AUIPC: x[rd] = pc + sext(imm << 12) */
  auipc: alu(`t = $imm << 12; lo = ($pc_lo + t) | 0; hi = ($pc_hi + (t >> 31) + ${carry("lo", "$pc_lo")}) | 0;`),
  /** JAL: x[rd] = pc + size; pc += imm */
  jal: { kind: "jal" },
  /** JALR: t = (x[rs1] + imm) & ~1; x[rd] = pc + size; pc = t */
  jalr: { kind: "jalr" },

  beq: branch("$a_lo === $b_lo && $a_hi === $b_hi"),
  bne: branch("$a_lo !== $b_lo || $a_hi !== $b_hi"),
  blt: branch(lts("$a_hi", "$a_lo", "$b_hi", "$b_lo")),
  bge: branch(`!${lts("$a_hi", "$a_lo", "$b_hi", "$b_lo")}`),
  bltu: branch(ltu("$a_hi", "$a_lo", "$b_hi", "$b_lo")),
  bgeu: branch(`!${ltu("$a_hi", "$a_lo", "$b_hi", "$b_lo")}`),

  lb: { kind: "load", size: 1, signed: true },
  lh: { kind: "load", size: 2, signed: true },
  lw: { kind: "load", size: 4, signed: true },
  ld: { kind: "load", size: 8, signed: true },
  lbu: { kind: "load", size: 1, signed: false },
  lhu: { kind: "load", size: 2, signed: false },
  lwu: { kind: "load", size: 4, signed: false },
  sb: { kind: "store", size: 1 },
  sh: { kind: "store", size: 2 },
  sw: { kind: "store", size: 4 },
  sd: { kind: "store", size: 8 },

  /** ADDI: x[rd] = x[rs1] + sext(imm) */
  addi: alu(`lo = ($a_lo + $imm) | 0; hi = ($a_hi + ${IMM_HI} + ${carry("lo", "$a_lo")}) | 0;`),
  /** SLTI: x[rd] = x[rs1] <s sext(imm) */
  slti: alu(`lo = ${lts("$a_hi", "$a_lo", IMM_HI, "$imm")} ? 1 : 0; hi = 0;`),
  /** SLTIU: x[rd] = x[rs1] <u sext(imm) */
  sltiu: alu(`lo = ${ltu("$a_hi", "$a_lo", IMM_HI, "$imm")} ? 1 : 0; hi = 0;`),
  xori: alu(`lo = $a_lo ^ $imm; hi = $a_hi ^ ${IMM_HI};`),
  ori: alu(`lo = $a_lo | $imm; hi = $a_hi | ${IMM_HI};`),
  andi: alu(`lo = $a_lo & $imm; hi = $a_hi & ${IMM_HI};`),
  /** SLLI/SRLI/SRAI: shift by shamt (6 bits on RV64) */
  slli: alu(`s = $imm & 63; ${SHL}`),
  srli: alu(`s = $imm & 63; ${SHR}`),
  srai: alu(`s = $imm & 63; ${SAR}`),

  /** ADD: x[rd] = x[rs1] + x[rs2] */
  add: alu(`lo = ($a_lo + $b_lo) | 0; hi = ($a_hi + $b_hi + ${carry("lo", "$a_lo")}) | 0;`),
  /** SUB: x[rd] = x[rs1] - x[rs2] */
  sub: alu(`lo = ($a_lo - $b_lo) | 0; hi = ($a_hi - $b_hi - ${carry("$a_lo", "$b_lo")}) | 0;`),
  /** SLL/SRL/SRA: shift by x[rs2][5:0] */
  sll: alu(`s = $b_lo & 63; ${SHL}`),
  srl: alu(`s = $b_lo & 63; ${SHR}`),
  sra: alu(`s = $b_lo & 63; ${SAR}`),
  slt: alu(`lo = ${lts("$a_hi", "$a_lo", "$b_hi", "$b_lo")} ? 1 : 0; hi = 0;`),
  sltu: alu(`lo = ${ltu("$a_hi", "$a_lo", "$b_hi", "$b_lo")} ? 1 : 0; hi = 0;`),
  xor: alu("lo = $a_lo ^ $b_lo; hi = $a_hi ^ $b_hi;"),
  or: alu("lo = $a_lo | $b_lo; hi = $a_hi | $b_hi;"),
  and: alu("lo = $a_lo & $b_lo; hi = $a_hi & $b_hi;"),

  // RV64I word operations: compute on the low 32 bits, sign-extend the 32-bit result.
  addiw: alu(`lo = ($a_lo + $imm) | 0; ${SEXT}`),
  slliw: alu(`lo = $a_lo << ($imm & 31); ${SEXT}`),
  srliw: alu(`lo = ($a_lo >>> ($imm & 31)) | 0; ${SEXT}`),
  sraiw: alu(`lo = $a_lo >> ($imm & 31); ${SEXT}`),
  addw: alu(`lo = ($a_lo + $b_lo) | 0; ${SEXT}`),
  subw: alu(`lo = ($a_lo - $b_lo) | 0; ${SEXT}`),
  sllw: alu(`lo = $a_lo << ($b_lo & 31); ${SEXT}`),
  srlw: alu(`lo = ($a_lo >>> ($b_lo & 31)) | 0; ${SEXT}`),
  sraw: alu(`lo = $a_lo >> ($b_lo & 31); ${SEXT}`),

  /** FENCE, FENCE.TSO: one hart, no caches to order: no effect. */
  fence: { kind: "fence" },
  "fence.tso": { kind: "fence" },
  /** ECALL, EBREAK: trap to the host (the kernel model or the Linux syscall layer). */
  ecall: { kind: "ecall" },
  ebreak: { kind: "ebreak" },
};
