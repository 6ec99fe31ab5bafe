/**
 * @fileoverview The RV64 instruction table: one row per mnemonic, keyed by the name GNU objdump prints with
 * `-M no-aliases`. Everything else in compiler/riscv is derived from it: the encoders (encode.ts), the decoder
 * (decode.ts), the disassembler (disasm.ts) and the assembler (asm.ts).
 *
 * A row gives the format (formats.ts), the numbers that format fixes (opcode, funct3, ...), and the operand
 * template in assembly order, as objdump prints it: `rd,rs1,rs2`, `rd,imm(rs1)`, `rs1,rs2,off`, ... The builder `rv`
 * takes its arguments in template order. A row may also fix an operand (`rs2: 0` for clz, which reuses rs2 as a
 * function field; `rd: 2` for c.addi16sp) or, for a compressed form, imply one its encoding does not hold
 * (`rs1: 0` for c.li, which is addi rd,zero,imm); `nz` lists operands that must not be zero (the zero encodings are
 * reserved or belong to another row). Compressed rows name the 32-bit instruction they expand to, with the same
 * operands.
 *
 * Sources: The RISC-V Instruction Set Manual, Volume I (unprivileged), 20240411: RV32I/RV64I, M, A (Zalrsc, Zaamo),
 * C (Zca), B (Zba, Zbb, Zbs), Zacas.
 */
import type { Format } from "./formats.js";

export type Ext = "i" | "m" | "a" | "c" | "zba" | "zbb" | "zbs" | "zacas";

export type OperandName = "rd" | "rs1" | "rs2" | "imm";

export interface InsnSpec {
  readonly ext: Ext;
  readonly fmt: Format;
  /** 32-bit: bits 6:0; compressed: the quadrant, bits 1:0. */
  readonly opcode: number;
  /** 32-bit: bits 14:12; compressed: bits 15:13. */
  readonly funct3?: number;
  /** Bits 31:25 (R, 32-bit shifts). */
  readonly funct7?: number;
  /** Bits 31:26 (RV64 shifts by immediate); compressed CA: bits 15:10. */
  readonly funct6?: number;
  /** Bits 31:27 (AMO). */
  readonly funct5?: number;
  /** Compressed CR: bits 15:12. */
  readonly funct4?: number;
  /** Compressed CA: bits 6:5; CB ALU: bits 11:10. */
  readonly funct2?: number;
  /** Bits 31:20 of a SYSTEM instruction whose fields are all fixed. */
  readonly funct12?: number;
  /** FENCE mode, bits 31:28. */
  readonly fm?: number;
  /** Operands the encoding fixes or (compressed forms) implies. */
  readonly rd?: number;
  readonly rs1?: number;
  readonly rs2?: number;
  readonly imm?: number;
  /** Operands that must be non-zero for this row (zero is reserved, or another row's). */
  readonly nz?: readonly OperandName[];
  /** A value rd must not take (c.lui: rd = sp is c.addi16sp). */
  readonly rdNot?: number;
  /** Has the aq/rl ordering bits (printed as .aq, .rl, .aqrl suffixes). */
  readonly aqrl?: boolean;
  /** Operand template in assembly order: rd rs1 rs2 imm off pred succ, `imm(rs1)`, `(rs1)`, and the literal `sp`. */
  readonly asm: string;
  /** Compressed forms: the 32-bit instruction this one stands for. */
  readonly expands?: string;
}

// Major opcodes (bits 6:0), named as in the specification's opcode map.
const LOAD = 0b0000011, MISC_MEM = 0b0001111, OP_IMM = 0b0010011, AUIPC = 0b0010111, OP_IMM_32 = 0b0011011;
const STORE = 0b0100011, AMO = 0b0101111, OP = 0b0110011, LUI = 0b0110111, OP_32 = 0b0111011;
const BRANCH = 0b1100011, JALR = 0b1100111, JAL = 0b1101111, SYSTEM = 0b1110011;
// RVC quadrants (bits 1:0).
const C0 = 0b00, C1 = 0b01, C2 = 0b10;

const RRR = "rd,rs1,rs2", RRI = "rd,rs1,imm", RR = "rd,rs1", LD = "rd,imm(rs1)", ST = "rs2,imm(rs1)";
const BR = "rs1,rs2,off", ATOM = "rd,rs2,(rs1)";

export const ISA = {
  // ---- RV64I -------------------------------------------------------------------------------------------------
  lui: { ext: "i", fmt: "U", opcode: LUI, asm: "rd,imm" },
  auipc: { ext: "i", fmt: "U", opcode: AUIPC, asm: "rd,imm" },
  jal: { ext: "i", fmt: "J", opcode: JAL, asm: "rd,off" },
  jalr: { ext: "i", fmt: "I", opcode: JALR, funct3: 0b000, asm: LD },
  beq: { ext: "i", fmt: "B", opcode: BRANCH, funct3: 0b000, asm: BR },
  bne: { ext: "i", fmt: "B", opcode: BRANCH, funct3: 0b001, asm: BR },
  blt: { ext: "i", fmt: "B", opcode: BRANCH, funct3: 0b100, asm: BR },
  bge: { ext: "i", fmt: "B", opcode: BRANCH, funct3: 0b101, asm: BR },
  bltu: { ext: "i", fmt: "B", opcode: BRANCH, funct3: 0b110, asm: BR },
  bgeu: { ext: "i", fmt: "B", opcode: BRANCH, funct3: 0b111, asm: BR },
  lb: { ext: "i", fmt: "I", opcode: LOAD, funct3: 0b000, asm: LD },
  lh: { ext: "i", fmt: "I", opcode: LOAD, funct3: 0b001, asm: LD },
  lw: { ext: "i", fmt: "I", opcode: LOAD, funct3: 0b010, asm: LD },
  ld: { ext: "i", fmt: "I", opcode: LOAD, funct3: 0b011, asm: LD },
  lbu: { ext: "i", fmt: "I", opcode: LOAD, funct3: 0b100, asm: LD },
  lhu: { ext: "i", fmt: "I", opcode: LOAD, funct3: 0b101, asm: LD },
  lwu: { ext: "i", fmt: "I", opcode: LOAD, funct3: 0b110, asm: LD },
  sb: { ext: "i", fmt: "S", opcode: STORE, funct3: 0b000, asm: ST },
  sh: { ext: "i", fmt: "S", opcode: STORE, funct3: 0b001, asm: ST },
  sw: { ext: "i", fmt: "S", opcode: STORE, funct3: 0b010, asm: ST },
  sd: { ext: "i", fmt: "S", opcode: STORE, funct3: 0b011, asm: ST },
  addi: { ext: "i", fmt: "I", opcode: OP_IMM, funct3: 0b000, asm: RRI },
  slti: { ext: "i", fmt: "I", opcode: OP_IMM, funct3: 0b010, asm: RRI },
  sltiu: { ext: "i", fmt: "I", opcode: OP_IMM, funct3: 0b011, asm: RRI },
  xori: { ext: "i", fmt: "I", opcode: OP_IMM, funct3: 0b100, asm: RRI },
  ori: { ext: "i", fmt: "I", opcode: OP_IMM, funct3: 0b110, asm: RRI },
  andi: { ext: "i", fmt: "I", opcode: OP_IMM, funct3: 0b111, asm: RRI },
  slli: { ext: "i", fmt: "SH6", opcode: OP_IMM, funct3: 0b001, funct6: 0b000000, asm: RRI },
  srli: { ext: "i", fmt: "SH6", opcode: OP_IMM, funct3: 0b101, funct6: 0b000000, asm: RRI },
  srai: { ext: "i", fmt: "SH6", opcode: OP_IMM, funct3: 0b101, funct6: 0b010000, asm: RRI },
  add: { ext: "i", fmt: "R", opcode: OP, funct3: 0b000, funct7: 0b0000000, asm: RRR },
  sub: { ext: "i", fmt: "R", opcode: OP, funct3: 0b000, funct7: 0b0100000, asm: RRR },
  sll: { ext: "i", fmt: "R", opcode: OP, funct3: 0b001, funct7: 0b0000000, asm: RRR },
  slt: { ext: "i", fmt: "R", opcode: OP, funct3: 0b010, funct7: 0b0000000, asm: RRR },
  sltu: { ext: "i", fmt: "R", opcode: OP, funct3: 0b011, funct7: 0b0000000, asm: RRR },
  xor: { ext: "i", fmt: "R", opcode: OP, funct3: 0b100, funct7: 0b0000000, asm: RRR },
  srl: { ext: "i", fmt: "R", opcode: OP, funct3: 0b101, funct7: 0b0000000, asm: RRR },
  sra: { ext: "i", fmt: "R", opcode: OP, funct3: 0b101, funct7: 0b0100000, asm: RRR },
  or: { ext: "i", fmt: "R", opcode: OP, funct3: 0b110, funct7: 0b0000000, asm: RRR },
  and: { ext: "i", fmt: "R", opcode: OP, funct3: 0b111, funct7: 0b0000000, asm: RRR },
  addiw: { ext: "i", fmt: "I", opcode: OP_IMM_32, funct3: 0b000, asm: RRI },
  slliw: { ext: "i", fmt: "SH5", opcode: OP_IMM_32, funct3: 0b001, funct7: 0b0000000, asm: RRI },
  srliw: { ext: "i", fmt: "SH5", opcode: OP_IMM_32, funct3: 0b101, funct7: 0b0000000, asm: RRI },
  sraiw: { ext: "i", fmt: "SH5", opcode: OP_IMM_32, funct3: 0b101, funct7: 0b0100000, asm: RRI },
  addw: { ext: "i", fmt: "R", opcode: OP_32, funct3: 0b000, funct7: 0b0000000, asm: RRR },
  subw: { ext: "i", fmt: "R", opcode: OP_32, funct3: 0b000, funct7: 0b0100000, asm: RRR },
  sllw: { ext: "i", fmt: "R", opcode: OP_32, funct3: 0b001, funct7: 0b0000000, asm: RRR },
  srlw: { ext: "i", fmt: "R", opcode: OP_32, funct3: 0b101, funct7: 0b0000000, asm: RRR },
  sraw: { ext: "i", fmt: "R", opcode: OP_32, funct3: 0b101, funct7: 0b0100000, asm: RRR },
  fence: { ext: "i", fmt: "FENCE", opcode: MISC_MEM, funct3: 0b000, fm: 0b0000, asm: "pred,succ" },
  "fence.tso": { ext: "i", fmt: "SYS", opcode: MISC_MEM, funct12: 0b1000_0011_0011, asm: "" },
  ecall: { ext: "i", fmt: "SYS", opcode: SYSTEM, funct12: 0, asm: "" },
  ebreak: { ext: "i", fmt: "SYS", opcode: SYSTEM, funct12: 1, asm: "" },

  // ---- M -----------------------------------------------------------------------------------------------------
  mul: { ext: "m", fmt: "R", opcode: OP, funct3: 0b000, funct7: 0b0000001, asm: RRR },
  mulh: { ext: "m", fmt: "R", opcode: OP, funct3: 0b001, funct7: 0b0000001, asm: RRR },
  mulhsu: { ext: "m", fmt: "R", opcode: OP, funct3: 0b010, funct7: 0b0000001, asm: RRR },
  mulhu: { ext: "m", fmt: "R", opcode: OP, funct3: 0b011, funct7: 0b0000001, asm: RRR },
  div: { ext: "m", fmt: "R", opcode: OP, funct3: 0b100, funct7: 0b0000001, asm: RRR },
  divu: { ext: "m", fmt: "R", opcode: OP, funct3: 0b101, funct7: 0b0000001, asm: RRR },
  rem: { ext: "m", fmt: "R", opcode: OP, funct3: 0b110, funct7: 0b0000001, asm: RRR },
  remu: { ext: "m", fmt: "R", opcode: OP, funct3: 0b111, funct7: 0b0000001, asm: RRR },
  mulw: { ext: "m", fmt: "R", opcode: OP_32, funct3: 0b000, funct7: 0b0000001, asm: RRR },
  divw: { ext: "m", fmt: "R", opcode: OP_32, funct3: 0b100, funct7: 0b0000001, asm: RRR },
  divuw: { ext: "m", fmt: "R", opcode: OP_32, funct3: 0b101, funct7: 0b0000001, asm: RRR },
  remw: { ext: "m", fmt: "R", opcode: OP_32, funct3: 0b110, funct7: 0b0000001, asm: RRR },
  remuw: { ext: "m", fmt: "R", opcode: OP_32, funct3: 0b111, funct7: 0b0000001, asm: RRR },

  // ---- A: funct3 010 = .w, 011 = .d ------------------------------------------------------------------------------
  "lr.w": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b010, funct5: 0b00010, rs2: 0, aqrl: true, asm: "rd,(rs1)" },
  "sc.w": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b010, funct5: 0b00011, aqrl: true, asm: ATOM },
  "amoswap.w": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b010, funct5: 0b00001, aqrl: true, asm: ATOM },
  "amoadd.w": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b010, funct5: 0b00000, aqrl: true, asm: ATOM },
  "amoxor.w": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b010, funct5: 0b00100, aqrl: true, asm: ATOM },
  "amoand.w": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b010, funct5: 0b01100, aqrl: true, asm: ATOM },
  "amoor.w": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b010, funct5: 0b01000, aqrl: true, asm: ATOM },
  "amomin.w": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b010, funct5: 0b10000, aqrl: true, asm: ATOM },
  "amomax.w": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b010, funct5: 0b10100, aqrl: true, asm: ATOM },
  "amominu.w": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b010, funct5: 0b11000, aqrl: true, asm: ATOM },
  "amomaxu.w": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b010, funct5: 0b11100, aqrl: true, asm: ATOM },
  "lr.d": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b011, funct5: 0b00010, rs2: 0, aqrl: true, asm: "rd,(rs1)" },
  "sc.d": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b011, funct5: 0b00011, aqrl: true, asm: ATOM },
  "amoswap.d": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b011, funct5: 0b00001, aqrl: true, asm: ATOM },
  "amoadd.d": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b011, funct5: 0b00000, aqrl: true, asm: ATOM },
  "amoxor.d": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b011, funct5: 0b00100, aqrl: true, asm: ATOM },
  "amoand.d": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b011, funct5: 0b01100, aqrl: true, asm: ATOM },
  "amoor.d": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b011, funct5: 0b01000, aqrl: true, asm: ATOM },
  "amomin.d": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b011, funct5: 0b10000, aqrl: true, asm: ATOM },
  "amomax.d": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b011, funct5: 0b10100, aqrl: true, asm: ATOM },
  "amominu.d": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b011, funct5: 0b11000, aqrl: true, asm: ATOM },
  "amomaxu.d": { ext: "a", fmt: "AMO", opcode: AMO, funct3: 0b011, funct5: 0b11100, aqrl: true, asm: ATOM },

  // ---- Zacas ---------------------------------------------------------------------------------------------------
  "amocas.w": { ext: "zacas", fmt: "AMO", opcode: AMO, funct3: 0b010, funct5: 0b00101, aqrl: true, asm: ATOM },
  "amocas.d": { ext: "zacas", fmt: "AMO", opcode: AMO, funct3: 0b011, funct5: 0b00101, aqrl: true, asm: ATOM },

  // ---- C (RV64): quadrant 0 ----------------------------------------------------------------------------------------
  "c.addi4spn": { ext: "c", fmt: "CIW", opcode: C0, funct3: 0b000, rs1: 2, nz: ["imm"], asm: "rd,sp,imm", expands: "addi" },
  "c.lw": { ext: "c", fmt: "CLW", opcode: C0, funct3: 0b010, asm: LD, expands: "lw" },
  "c.ld": { ext: "c", fmt: "CLD", opcode: C0, funct3: 0b011, asm: LD, expands: "ld" },
  "c.sw": { ext: "c", fmt: "CSW", opcode: C0, funct3: 0b110, asm: ST, expands: "sw" },
  "c.sd": { ext: "c", fmt: "CSD", opcode: C0, funct3: 0b111, asm: ST, expands: "sd" },
  // ---- C: quadrant 1 -----------------------------------------------------------------------------------------------
  "c.nop": { ext: "c", fmt: "CI", opcode: C1, funct3: 0b000, rd: 0, imm: 0, asm: "", expands: "addi" },
  "c.addi": { ext: "c", fmt: "CI", opcode: C1, funct3: 0b000, asm: "rd,imm", expands: "addi" },
  "c.addiw": { ext: "c", fmt: "CI", opcode: C1, funct3: 0b001, nz: ["rd"], asm: "rd,imm", expands: "addiw" },
  "c.li": { ext: "c", fmt: "CI", opcode: C1, funct3: 0b010, rs1: 0, asm: "rd,imm", expands: "addi" },
  "c.addi16sp": { ext: "c", fmt: "CI16SP", opcode: C1, funct3: 0b011, rd: 2, nz: ["imm"], asm: "sp,imm", expands: "addi" },
  "c.lui": { ext: "c", fmt: "CILUI", opcode: C1, funct3: 0b011, nz: ["imm"], rdNot: 2, asm: "rd,imm", expands: "lui" },
  "c.srli": { ext: "c", fmt: "CBSH", opcode: C1, funct3: 0b100, funct2: 0b00, nz: ["imm"], asm: "rd,imm", expands: "srli" },
  "c.srli64": { ext: "c", fmt: "CBSH", opcode: C1, funct3: 0b100, funct2: 0b00, imm: 0, asm: "rd", expands: "srli" },
  "c.srai": { ext: "c", fmt: "CBSH", opcode: C1, funct3: 0b100, funct2: 0b01, nz: ["imm"], asm: "rd,imm", expands: "srai" },
  "c.srai64": { ext: "c", fmt: "CBSH", opcode: C1, funct3: 0b100, funct2: 0b01, imm: 0, asm: "rd", expands: "srai" },
  "c.andi": { ext: "c", fmt: "CBI", opcode: C1, funct3: 0b100, funct2: 0b10, asm: "rd,imm", expands: "andi" },
  "c.sub": { ext: "c", fmt: "CA", opcode: C1, funct6: 0b100011, funct2: 0b00, asm: "rd,rs2", expands: "sub" },
  "c.xor": { ext: "c", fmt: "CA", opcode: C1, funct6: 0b100011, funct2: 0b01, asm: "rd,rs2", expands: "xor" },
  "c.or": { ext: "c", fmt: "CA", opcode: C1, funct6: 0b100011, funct2: 0b10, asm: "rd,rs2", expands: "or" },
  "c.and": { ext: "c", fmt: "CA", opcode: C1, funct6: 0b100011, funct2: 0b11, asm: "rd,rs2", expands: "and" },
  "c.subw": { ext: "c", fmt: "CA", opcode: C1, funct6: 0b100111, funct2: 0b00, asm: "rd,rs2", expands: "subw" },
  "c.addw": { ext: "c", fmt: "CA", opcode: C1, funct6: 0b100111, funct2: 0b01, asm: "rd,rs2", expands: "addw" },
  "c.j": { ext: "c", fmt: "CJ", opcode: C1, funct3: 0b101, rd: 0, asm: "off", expands: "jal" },
  "c.beqz": { ext: "c", fmt: "CB", opcode: C1, funct3: 0b110, rs2: 0, asm: "rs1,off", expands: "beq" },
  "c.bnez": { ext: "c", fmt: "CB", opcode: C1, funct3: 0b111, rs2: 0, asm: "rs1,off", expands: "bne" },
  // ---- C: quadrant 2 -----------------------------------------------------------------------------------------------
  "c.slli": { ext: "c", fmt: "CISH", opcode: C2, funct3: 0b000, nz: ["imm"], asm: "rd,imm", expands: "slli" },
  "c.slli64": { ext: "c", fmt: "CISH", opcode: C2, funct3: 0b000, imm: 0, asm: "rd", expands: "slli" },
  "c.lwsp": { ext: "c", fmt: "CILWSP", opcode: C2, funct3: 0b010, rs1: 2, nz: ["rd"], asm: "rd,imm(sp)", expands: "lw" },
  "c.ldsp": { ext: "c", fmt: "CILDSP", opcode: C2, funct3: 0b011, rs1: 2, nz: ["rd"], asm: "rd,imm(sp)", expands: "ld" },
  "c.jr": { ext: "c", fmt: "CRJ", opcode: C2, funct4: 0b1000, rd: 0, nz: ["rs1"], asm: "rs1", expands: "jalr" },
  "c.mv": { ext: "c", fmt: "CR", opcode: C2, funct4: 0b1000, rs1: 0, nz: ["rs2"], asm: "rd,rs2", expands: "add" },
  "c.ebreak": { ext: "c", fmt: "CRJ", opcode: C2, funct4: 0b1001, rs1: 0, asm: "", expands: "ebreak" },
  "c.jalr": { ext: "c", fmt: "CRJ", opcode: C2, funct4: 0b1001, rd: 1, nz: ["rs1"], asm: "rs1", expands: "jalr" },
  "c.add": { ext: "c", fmt: "CR", opcode: C2, funct4: 0b1001, nz: ["rs2"], asm: "rd,rs2", expands: "add" },
  "c.swsp": { ext: "c", fmt: "CSSW", opcode: C2, funct3: 0b110, rs1: 2, asm: "rs2,imm(sp)", expands: "sw" },
  "c.sdsp": { ext: "c", fmt: "CSSD", opcode: C2, funct3: 0b111, rs1: 2, asm: "rs2,imm(sp)", expands: "sd" },

  // ---- Zba -----------------------------------------------------------------------------------------------------
  "add.uw": { ext: "zba", fmt: "R", opcode: OP_32, funct3: 0b000, funct7: 0b0000100, asm: RRR },
  sh1add: { ext: "zba", fmt: "R", opcode: OP, funct3: 0b010, funct7: 0b0010000, asm: RRR },
  sh2add: { ext: "zba", fmt: "R", opcode: OP, funct3: 0b100, funct7: 0b0010000, asm: RRR },
  sh3add: { ext: "zba", fmt: "R", opcode: OP, funct3: 0b110, funct7: 0b0010000, asm: RRR },
  "sh1add.uw": { ext: "zba", fmt: "R", opcode: OP_32, funct3: 0b010, funct7: 0b0010000, asm: RRR },
  "sh2add.uw": { ext: "zba", fmt: "R", opcode: OP_32, funct3: 0b100, funct7: 0b0010000, asm: RRR },
  "sh3add.uw": { ext: "zba", fmt: "R", opcode: OP_32, funct3: 0b110, funct7: 0b0010000, asm: RRR },
  "slli.uw": { ext: "zba", fmt: "SH6", opcode: OP_IMM_32, funct3: 0b001, funct6: 0b000010, asm: RRI },

  // ---- Zbb (unary forms use rs2 as a function field) ----------------------------------------------------------------
  andn: { ext: "zbb", fmt: "R", opcode: OP, funct3: 0b111, funct7: 0b0100000, asm: RRR },
  orn: { ext: "zbb", fmt: "R", opcode: OP, funct3: 0b110, funct7: 0b0100000, asm: RRR },
  xnor: { ext: "zbb", fmt: "R", opcode: OP, funct3: 0b100, funct7: 0b0100000, asm: RRR },
  clz: { ext: "zbb", fmt: "R", opcode: OP_IMM, funct3: 0b001, funct7: 0b0110000, rs2: 0b00000, asm: RR },
  ctz: { ext: "zbb", fmt: "R", opcode: OP_IMM, funct3: 0b001, funct7: 0b0110000, rs2: 0b00001, asm: RR },
  cpop: { ext: "zbb", fmt: "R", opcode: OP_IMM, funct3: 0b001, funct7: 0b0110000, rs2: 0b00010, asm: RR },
  clzw: { ext: "zbb", fmt: "R", opcode: OP_IMM_32, funct3: 0b001, funct7: 0b0110000, rs2: 0b00000, asm: RR },
  ctzw: { ext: "zbb", fmt: "R", opcode: OP_IMM_32, funct3: 0b001, funct7: 0b0110000, rs2: 0b00001, asm: RR },
  cpopw: { ext: "zbb", fmt: "R", opcode: OP_IMM_32, funct3: 0b001, funct7: 0b0110000, rs2: 0b00010, asm: RR },
  max: { ext: "zbb", fmt: "R", opcode: OP, funct3: 0b110, funct7: 0b0000101, asm: RRR },
  maxu: { ext: "zbb", fmt: "R", opcode: OP, funct3: 0b111, funct7: 0b0000101, asm: RRR },
  min: { ext: "zbb", fmt: "R", opcode: OP, funct3: 0b100, funct7: 0b0000101, asm: RRR },
  minu: { ext: "zbb", fmt: "R", opcode: OP, funct3: 0b101, funct7: 0b0000101, asm: RRR },
  "sext.b": { ext: "zbb", fmt: "R", opcode: OP_IMM, funct3: 0b001, funct7: 0b0110000, rs2: 0b00100, asm: RR },
  "sext.h": { ext: "zbb", fmt: "R", opcode: OP_IMM, funct3: 0b001, funct7: 0b0110000, rs2: 0b00101, asm: RR },
  "zext.h": { ext: "zbb", fmt: "R", opcode: OP_32, funct3: 0b100, funct7: 0b0000100, rs2: 0b00000, asm: RR },
  rol: { ext: "zbb", fmt: "R", opcode: OP, funct3: 0b001, funct7: 0b0110000, asm: RRR },
  rolw: { ext: "zbb", fmt: "R", opcode: OP_32, funct3: 0b001, funct7: 0b0110000, asm: RRR },
  ror: { ext: "zbb", fmt: "R", opcode: OP, funct3: 0b101, funct7: 0b0110000, asm: RRR },
  rorw: { ext: "zbb", fmt: "R", opcode: OP_32, funct3: 0b101, funct7: 0b0110000, asm: RRR },
  rori: { ext: "zbb", fmt: "SH6", opcode: OP_IMM, funct3: 0b101, funct6: 0b011000, asm: RRI },
  roriw: { ext: "zbb", fmt: "SH5", opcode: OP_IMM_32, funct3: 0b101, funct7: 0b0110000, asm: RRI },
  "orc.b": { ext: "zbb", fmt: "R", opcode: OP_IMM, funct3: 0b101, funct7: 0b0010100, rs2: 0b00111, asm: RR },
  rev8: { ext: "zbb", fmt: "R", opcode: OP_IMM, funct3: 0b101, funct7: 0b0110101, rs2: 0b11000, asm: RR },

  // ---- Zbs -----------------------------------------------------------------------------------------------------
  bclr: { ext: "zbs", fmt: "R", opcode: OP, funct3: 0b001, funct7: 0b0100100, asm: RRR },
  bclri: { ext: "zbs", fmt: "SH6", opcode: OP_IMM, funct3: 0b001, funct6: 0b010010, asm: RRI },
  bext: { ext: "zbs", fmt: "R", opcode: OP, funct3: 0b101, funct7: 0b0100100, asm: RRR },
  bexti: { ext: "zbs", fmt: "SH6", opcode: OP_IMM, funct3: 0b101, funct6: 0b010010, asm: RRI },
  binv: { ext: "zbs", fmt: "R", opcode: OP, funct3: 0b001, funct7: 0b0110100, asm: RRR },
  binvi: { ext: "zbs", fmt: "SH6", opcode: OP_IMM, funct3: 0b001, funct6: 0b011010, asm: RRI },
  bset: { ext: "zbs", fmt: "R", opcode: OP, funct3: 0b001, funct7: 0b0010100, asm: RRR },
  bseti: { ext: "zbs", fmt: "SH6", opcode: OP_IMM, funct3: 0b001, funct6: 0b001010, asm: RRI },
} as const satisfies Record<string, InsnSpec>;

export type Mnemonic = keyof typeof ISA;

/** The row of `m` (typed loosely, for code that walks the table). */
export function spec(m: Mnemonic): InsnSpec {
  return ISA[m];
}

/** Every mnemonic, in table order. */
export const MNEMONICS: readonly Mnemonic[] = Object.freeze(Object.keys(ISA) as Mnemonic[]);
