/**
 * @fileoverview The instruction table compiled once at module load: for every row, its codec, the bits it fixes
 * (mask/match, including operands the row fixes), its operand tokens in assembly order, and the operands it fixes
 * or implies. The encoder, decoder, disassembler and assembler all read these records; none of them keeps its own
 * list of instructions.
 */
import { FORMATS, type FormatCodec } from "./formats.js";
import { ISA, type InsnSpec, type Mnemonic, type OperandName } from "./isa.js";

/** An operand token of a template, in assembly order (`off` is stored as imm). */
export type Token = "rd" | "rs1" | "rs2" | "imm" | "off" | "pred" | "succ";

export interface Row {
  readonly m: Mnemonic;
  /** Index in table order (the decoder stores rows by index). */
  readonly index: number;
  readonly spec: InsnSpec;
  readonly codec: FormatCodec;
  readonly size: 2 | 4;
  /** The row's function fields, placed. */
  readonly base: number;
  /** Bits this row fixes (function fields plus the slots of operands the row fixes), and their values. */
  readonly mask: number;
  readonly match: number;
  /** Operand tokens in template order (the `rv` builder's parameters, before aq/rl). */
  readonly tokens: readonly Token[];
  /** Operands the row fixes or implies, with their values. */
  readonly fixed: ReadonlyArray<readonly [OperandName, number]>;
  readonly nz: readonly OperandName[];
  /** A value rd must not take, or -1. */
  readonly rdNot: number;
}

const TOKEN = /^(rd|rs1|rs2|imm|off|pred|succ)$/;

/** The operand tokens of a template: "rd,imm(rs1)" -> [rd, imm, rs1]; the literal `sp` is not an operand. */
export function templateTokens(asm: string): Token[] {
  const parts = asm.split(/[,()]/).filter((p) => p !== "");
  return parts.filter((p) => {
    if (p === "sp") return false;
    if (!TOKEN.test(p)) throw new Error(`isa.ts: bad operand token '${p}' in template '${asm}'`);
    return true;
  }) as Token[];
}

function compile(m: Mnemonic, index: number): Row {
  const spec: InsnSpec = ISA[m];
  const codec = FORMATS[spec.fmt];
  const base = codec.base(spec);
  const fixed: Array<[OperandName, number]> = [];
  let mask = codec.mask;
  // Operands the row fixes: those with a slot in the format are part of the match; the others are only implied.
  for (const k of ["rd", "rs1", "rs2", "imm"] as const) {
    const v = spec[k];
    if (v === undefined) continue;
    fixed.push([k, v]);
    const slot = codec.slots[k];
    if (slot !== undefined) mask |= slot;
  }
  // The match word: the function fields plus each fixed operand placed in its slot. Register slots are 5-bit
  // fields (x0..x31) or 3-bit RVC fields (x8..x15); a fixed immediate can only be zero (c.nop, c.slli64, ...).
  let match = base;
  for (const [k, v] of fixed) {
    const slot = codec.slots[k];
    if (slot === undefined) continue;
    const shift = 31 - Math.clz32(slot & -slot);
    const width = 32 - Math.clz32(slot >>> shift);
    if (k === "imm") {
      if (v !== 0) throw new Error(`isa.ts: ${m} fixes imm = ${v}; a fixed immediate must be 0`);
    } else {
      match |= (width === 3 ? v - 8 : v) << shift;
    }
  }
  return {
    m, index, spec, codec, size: codec.size, base, mask: mask >>> 0, match: match >>> 0,
    tokens: templateTokens(spec.asm), fixed, nz: spec.nz ?? [], rdNot: spec.rdNot ?? -1,
  };
}

/** Every row, in table order. */
export const ROWS: readonly Row[] = Object.freeze((Object.keys(ISA) as Mnemonic[]).map(compile));

/** Rows by mnemonic. */
export const ROW_OF: ReadonlyMap<string, Row> = new Map(ROWS.map((r) => [r.m, r]));
