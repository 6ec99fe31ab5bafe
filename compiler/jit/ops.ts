/**
 * @fileoverview The RV64 instructions the JIT emits, as a small dense table: one row per mnemonic with its size and
 * operand shape. The JIT's code buffers store an op as a row index plus numeric operands (rd, rs1, rs2, imm, flags),
 * so that sizing passes never touch an encoder; compiler/jit/encode-op.ts turns a row into bits through the
 * instruction layer's `rv` builder once the layout is final.
 *
 * Mnemonics are objdump's ("c.addi16sp", "amoadd.w"). The JIT never emits anything outside this table.
 */

/** How the numeric operands of a row are used (and printed). */
export type Shape =
  | "R" // rd, rs1, rs2
  | "I" // rd, rs1, imm
  | "R1" // rd, rs1          (Zbb unary ops)
  | "U" // rd, imm (upper 20 bits, as the value lui/auipc put in bits 31..12)
  | "L" // rd, imm(rs1)      (loads, jalr)
  | "S" // rs2, imm(rs1)     (stores)
  | "B" // rs1, rs2, off
  | "J" // rd, off
  | "AMO" // rd, rs2, (rs1)  + aq/rl in flags
  | "LR" // rd, (rs1)        + aq/rl in flags
  | "FENCE" // pred, succ in rs1, rs2
  | "CI" // rd, imm          (c.addi, c.li, c.lui, c.slli, c.srli, c.srai, c.andi, c.addiw)
  | "CR" // rd, rs2          (c.mv, c.add, c.sub, c.xor, c.or, c.and, c.subw)
  | "CJR" // rs1             (c.jr, c.jalr)
  | "CL" // rd, imm(rs1)     (c.lw, c.ld)
  | "CS" // rs2, imm(rs1)    (c.sw, c.sd)
  | "CLSP" // rd, imm(sp)    (c.lwsp, c.ldsp)
  | "CSSP" // rs2, imm(sp)   (c.swsp, c.sdsp)
  | "C16SP" // imm           (c.addi16sp)
  | "C4SPN"; // rd, imm      (c.addi4spn)

/** Extension an op needs; "i" for the base ISA. */
export type OpExt = "i" | "m" | "a" | "c" | "zba" | "zbb" | "zacas";

interface Row {
  readonly name: string;
  readonly shape: Shape;
  readonly ext: OpExt;
}

const ROWS = [
  // RV64I
  { name: "addi", shape: "I", ext: "i" },
  { name: "andi", shape: "I", ext: "i" },
  { name: "ori", shape: "I", ext: "i" },
  { name: "xori", shape: "I", ext: "i" },
  { name: "slli", shape: "I", ext: "i" },
  { name: "srli", shape: "I", ext: "i" },
  { name: "srai", shape: "I", ext: "i" },
  { name: "addiw", shape: "I", ext: "i" },
  { name: "srliw", shape: "I", ext: "i" },
  { name: "sraiw", shape: "I", ext: "i" },
  { name: "lui", shape: "U", ext: "i" },
  { name: "auipc", shape: "U", ext: "i" },
  { name: "add", shape: "R", ext: "i" },
  { name: "sub", shape: "R", ext: "i" },
  { name: "and", shape: "R", ext: "i" },
  { name: "or", shape: "R", ext: "i" },
  { name: "xor", shape: "R", ext: "i" },
  { name: "sll", shape: "R", ext: "i" },
  { name: "srl", shape: "R", ext: "i" },
  { name: "sra", shape: "R", ext: "i" },
  { name: "subw", shape: "R", ext: "i" },
  { name: "sllw", shape: "R", ext: "i" },
  { name: "srlw", shape: "R", ext: "i" },
  { name: "sraw", shape: "R", ext: "i" },
  { name: "jal", shape: "J", ext: "i" },
  { name: "jalr", shape: "L", ext: "i" },
  { name: "beq", shape: "B", ext: "i" },
  { name: "bne", shape: "B", ext: "i" },
  { name: "blt", shape: "B", ext: "i" },
  { name: "bge", shape: "B", ext: "i" },
  { name: "bltu", shape: "B", ext: "i" },
  { name: "bgeu", shape: "B", ext: "i" },
  { name: "lb", shape: "L", ext: "i" },
  { name: "lh", shape: "L", ext: "i" },
  { name: "lw", shape: "L", ext: "i" },
  { name: "ld", shape: "L", ext: "i" },
  { name: "lbu", shape: "L", ext: "i" },
  { name: "lhu", shape: "L", ext: "i" },
  { name: "lwu", shape: "L", ext: "i" },
  { name: "sb", shape: "S", ext: "i" },
  { name: "sh", shape: "S", ext: "i" },
  { name: "sw", shape: "S", ext: "i" },
  { name: "sd", shape: "S", ext: "i" },
  { name: "fence", shape: "FENCE", ext: "i" },
  // M
  { name: "mul", shape: "R", ext: "m" },
  { name: "div", shape: "R", ext: "m" },
  { name: "divu", shape: "R", ext: "m" },
  { name: "rem", shape: "R", ext: "m" },
  { name: "remu", shape: "R", ext: "m" },
  { name: "mulw", shape: "R", ext: "m" },
  { name: "divw", shape: "R", ext: "m" },
  { name: "divuw", shape: "R", ext: "m" },
  { name: "remw", shape: "R", ext: "m" },
  { name: "remuw", shape: "R", ext: "m" },
  // A
  { name: "amoadd.w", shape: "AMO", ext: "a" },
  { name: "amoand.w", shape: "AMO", ext: "a" },
  { name: "amoor.w", shape: "AMO", ext: "a" },
  { name: "amoxor.w", shape: "AMO", ext: "a" },
  { name: "amoswap.w", shape: "AMO", ext: "a" },
  { name: "amoadd.d", shape: "AMO", ext: "a" },
  { name: "amoand.d", shape: "AMO", ext: "a" },
  { name: "amoor.d", shape: "AMO", ext: "a" },
  { name: "amoxor.d", shape: "AMO", ext: "a" },
  { name: "amoswap.d", shape: "AMO", ext: "a" },
  { name: "lr.w", shape: "LR", ext: "a" },
  { name: "lr.d", shape: "LR", ext: "a" },
  { name: "sc.w", shape: "AMO", ext: "a" },
  { name: "sc.d", shape: "AMO", ext: "a" },
  // Zacas
  { name: "amocas.w", shape: "AMO", ext: "zacas" },
  { name: "amocas.d", shape: "AMO", ext: "zacas" },
  // Zba / Zbb
  { name: "add.uw", shape: "R", ext: "zba" },
  { name: "sh2add", shape: "R", ext: "zba" },
  { name: "sh3add", shape: "R", ext: "zba" },
  { name: "sext.b", shape: "R1", ext: "zbb" },
  { name: "sext.h", shape: "R1", ext: "zbb" },
  { name: "zext.h", shape: "R1", ext: "zbb" },
  { name: "rev8", shape: "R1", ext: "zbb" },
  // C (RV64)
  { name: "c.addi", shape: "CI", ext: "c" },
  { name: "c.addiw", shape: "CI", ext: "c" },
  { name: "c.li", shape: "CI", ext: "c" },
  { name: "c.lui", shape: "CI", ext: "c" },
  { name: "c.slli", shape: "CI", ext: "c" },
  { name: "c.srli", shape: "CI", ext: "c" },
  { name: "c.srai", shape: "CI", ext: "c" },
  { name: "c.andi", shape: "CI", ext: "c" },
  { name: "c.addi16sp", shape: "C16SP", ext: "c" },
  { name: "c.addi4spn", shape: "C4SPN", ext: "c" },
  { name: "c.mv", shape: "CR", ext: "c" },
  { name: "c.add", shape: "CR", ext: "c" },
  { name: "c.sub", shape: "CR", ext: "c" },
  { name: "c.xor", shape: "CR", ext: "c" },
  { name: "c.or", shape: "CR", ext: "c" },
  { name: "c.and", shape: "CR", ext: "c" },
  { name: "c.subw", shape: "CR", ext: "c" },
  { name: "c.jr", shape: "CJR", ext: "c" },
  { name: "c.jalr", shape: "CJR", ext: "c" },
  { name: "c.lw", shape: "CL", ext: "c" },
  { name: "c.ld", shape: "CL", ext: "c" },
  { name: "c.sw", shape: "CS", ext: "c" },
  { name: "c.sd", shape: "CS", ext: "c" },
  { name: "c.lwsp", shape: "CLSP", ext: "c" },
  { name: "c.ldsp", shape: "CLSP", ext: "c" },
  { name: "c.swsp", shape: "CSSP", ext: "c" },
  { name: "c.sdsp", shape: "CSSP", ext: "c" },
] as const satisfies readonly Row[];

export type OpName = (typeof ROWS)[number]["name"];

/** Row index by mnemonic: `OP["c.addi"]`. */
export const OP = Object.freeze(Object.fromEntries(ROWS.map((r, i) => [r.name, i]))) as { readonly [K in OpName]: number };

/** Mnemonic, shape and extension by row index. */
export const OP_NAME: readonly OpName[] = ROWS.map((r) => r.name);
export const OP_SHAPE: readonly Shape[] = ROWS.map((r) => r.shape);
export const OP_EXT: readonly OpExt[] = ROWS.map((r) => r.ext);

/** Size in halfwords (the kernel's unit, `ctx->ninsns`): 1 for compressed, 2 otherwise. */
export const OP_HW: Uint8Array = Uint8Array.from(ROWS, (r) => (r.name.startsWith("c.") ? 1 : 2));

/** Flags operand of AMO/LR rows. */
export const AQ = 2;
export const RL = 1;
