/**
 * @fileoverview Instance generator for the cross-checks: for every row of the table, operand sets that cover its
 * register classes (x0, ra, sp, the RVC registers x8..x15, x31, ...) and its immediate edges (0, +-1 step, min,
 * max, alignment boundaries, powers of two), then deterministic pseudo-random fill. Operands obey the row's rules
 * (fixed, tied and non-zero operands), so every instance is encodable.
 */
import type { Operands } from "../../compiler/riscv/formats.js";
import type { Mnemonic } from "../../compiler/riscv/isa.js";
import { ROWS, type Row } from "../../compiler/riscv/rows.js";

export interface Instance {
  m: Mnemonic;
  ops: Operands;
}

/** xorshift32: a small deterministic PRNG. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const FULL_REGS = [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 15, 16, 17, 18, 27, 28, 31];
const C_REGS = [8, 9, 10, 11, 12, 13, 14, 15];

/** Edge values of an immediate range, then every power-of-two boundary inside it. */
function immEdges(min: number, max: number, align: number): number[] {
  const v = new Set<number>([0, align, -align, min, min + align, max, max - align]);
  for (let p = align; p <= Math.max(-min, max) * 2; p *= 2) for (const x of [p, -p, p - align, -p + align]) v.add(x);
  return [...v].filter((x) => x >= min && x <= max && x % align === 0).sort((a, b) => a - b);
}

function regChoices(r: Row, slot: "rd" | "rs1" | "rs2"): number[] {
  const mask = r.codec.slots[slot];
  const narrow = mask !== undefined && 32 - Math.clz32(mask >>> (31 - Math.clz32(mask & -mask))) === 3;
  let regs = narrow ? C_REGS : FULL_REGS;
  if (r.nz.includes(slot)) regs = regs.filter((x) => x !== 0);
  if (slot === "rd" && r.rdNot >= 0) regs = regs.filter((x) => x !== r.rdNot);
  return regs;
}

/** Instances of one row: `n` operand sets (fewer when the row has fewer distinct encodings). */
export function instancesOf(r: Row, n: number, rand: () => number): Instance[] {
  const fixed = new Map(r.fixed);
  const choices: Array<[keyof Operands, Array<number | boolean>]> = [];
  for (const t of r.tokens) {
    const k = t === "off" ? "imm" : t;
    if (fixed.has(k as "rd")) continue;
    if (k === "imm") {
      const range = r.codec.range!;
      let edges = immEdges(range.min, range.max, range.align);
      if (range.nonzero || r.nz.includes("imm")) edges = edges.filter((x) => x !== 0);
      choices.push(["imm", edges]);
    } else if (k === "pred" || k === "succ") {
      choices.push([k, [0, 1, 2, 3, 4, 8, 12, 15, 5, 10]]);
    } else {
      choices.push([k, regChoices(r, k)]);
    }
  }
  if (r.spec.aqrl) choices.push(["aq", [false, true]], ["rl", [false, true, true, false]]);
  const out: Instance[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n * 4 && out.length < n; i++) {
    const ops: Operands = {};
    choices.forEach(([k, vals], j) => {
      // First pass: walk every list in step (offset per field, so pairs vary); then random picks.
      const pick = i < n / 2 ? (i + j * 3) % vals.length : rand() % vals.length;
      (ops as Record<string, number | boolean>)[k] = vals[pick]!;
    });
    if (r.codec.tied && fixed.get("rs1") === undefined && ops.rd !== undefined) ops.rs1 = ops.rd;
    if (i >= n / 4) drawWideImm(r, ops, rand);
    const key = JSON.stringify(ops);
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ m: r.m, ops });
    }
  }
  return out;
}

/** Sometimes replaces the immediate by a uniform draw from its whole range (edges alone miss the middle). */
function drawWideImm(r: Row, ops: Operands, rand: () => number): void {
  const range = r.codec.range;
  if (range === undefined || ops.imm === undefined) return;
  if (rand() % 3 === 0) {
    const steps = Math.floor((range.max - range.min) / range.align) + 1;
    const x = range.min + (rand() % steps) * range.align;
    if (!((range.nonzero || r.nz.includes("imm")) && x === 0)) ops.imm = x;
  }
}

/** The corpus: `perRow` instances of every row (deterministic for a given seed). */
export function corpus(perRow: number, seed = 0x5eed): Instance[] {
  const rand = prng(seed);
  return ROWS.flatMap((r) => instancesOf(r, perRow, rand));
}

const FENCE_BITS = ["i", "o", "r", "w"];
const REG = (r: number): string => ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
  "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"][r]!;

/**
 * An instance as assembly text with canonical mnemonics. Branch/jump operands are written as LLVM reads a number
 * (an offset) unless `pc` is given, then as an absolute target address (GNU's reading, and our assembler's).
 * lui/auipc/c.lui immediates are written as their 20-bit field, fence sets as letters ("0" for none).
 */
export function asmText({ m, ops }: Instance, pc?: number): string {
  const r = ROWS.find((x) => x.m === m)!;
  const o = ops as Record<string, number | boolean | undefined>;
  const fixed = new Map(r.fixed);
  const get = (k: "rd" | "rs1" | "rs2" | "imm"): number => (o[k] as number | undefined) ?? fixed.get(k) ?? 0;
  let name: string = m;
  if (r.spec.aqrl && (o.aq || o.rl)) name += "." + (o.aq ? "aq" : "") + (o.rl ? "rl" : "");
  const text = r.spec.asm.replace(/rd|rs1|rs2|imm|off|pred|succ/g, (t) => {
    if (t === "rd" || t === "rs1" || t === "rs2") return REG(get(t));
    if (t === "pred" || t === "succ") {
      const v = o[t] as number;
      return FENCE_BITS.filter((_, i) => (v >> (3 - i)) & 1).join("") || "0";
    }
    const imm = get("imm");
    if (r.spec.fmt === "U" || r.spec.fmt === "CILUI") return "0x" + (imm & 0xfffff).toString(16);
    if (r.codec.immStyle === "target" && pc !== undefined) return "0x" + (pc + imm).toString(16);
    return String(imm);
  });
  return text === "" ? name : `${name} ${text.replace(/,/g, ", ")}`;
}

/**
 * Every row with the operand values objdump's aliases and HINT rules turn on: registers zero, ra, sp, tp, s0, a0
 * (x8..x15 where only those fit), equal registers, and immediates 0, 1, -1, 255, small powers of two and the range
 * ends, in all combinations.
 */
export function specialCorpus(): Instance[] {
  const out: Instance[] = [];
  for (const r of ROWS) {
    const fixed = new Map(r.fixed);
    const fields = r.tokens.map((t) => (t === "off" ? "imm" : t)).filter((k) => !fixed.has(k as "rd"));
    const lists = fields.map((k): number[] => {
      if (k === "imm") {
        const g = r.codec.range!;
        return [0, 1, -1, 255, 2, 4, 8, 16, -16, 31, 32, 2047, g.min, g.max]
          .filter((x, i, a) => a.indexOf(x) === i && x >= g.min && x <= g.max && x % g.align === 0);
      }
      if (k === "pred" || k === "succ") return [0, 1, 2, 3, 15];
      return regChoices(r, k as "rd").filter((x) => [0, 1, 2, 4, 8, 10, 15].includes(x));
    });
    let combos: number[][] = [[]];
    for (const l of lists) combos = combos.flatMap((c) => l.map((v) => [...c, v]));
    const orderings = r.spec.aqrl ? [[false, false], [true, false], [false, true], [true, true]] : [[false, false]];
    for (const c of combos) {
      for (const [aq, rl] of orderings) {
        const ops: Operands = {};
        fields.forEach((k, i) => ((ops as Record<string, number>)[k] = c[i]!));
        if (r.spec.aqrl) Object.assign(ops, { aq, rl });
        if (r.codec.tied && fixed.get("rs1") === undefined && ops.rd !== undefined) ops.rs1 = ops.rd;
        if ((r.nz.includes("imm") || r.codec.range?.nonzero) && ops.imm === 0) continue;
        if (ops.rd !== undefined && ops.rd === r.rdNot) continue;
        out.push({ m: r.m, ops });
      }
    }
  }
  return out;
}

/**
 * Sequences for objdump's address comments: lui/auipc/c.lui of a base register, then each kind of instruction
 * that may consume it (loads, stores, addi, addiw, jalr, c.addi, c.addiw, and ones that must not), once and
 * twice, with upper parts that make addiw's 32-bit sign extension matter.
 */
export function addressSequences(): Instance[] {
  const out: Instance[] = [];
  const consumers = (base: number): Instance[] => [
    { m: "ld", ops: { rd: 5, rs1: base, imm: -8 } },
    { m: "sw", ops: { rs2: 5, rs1: base, imm: 2047 } },
    { m: "addi", ops: { rd: 6, rs1: base, imm: -2048 } },
    { m: "addi", ops: { rd: 6, rs1: base, imm: 0 } },
    { m: "addiw", ops: { rd: 7, rs1: base, imm: 1 } },
    { m: "addiw", ops: { rd: 7, rs1: base, imm: 0 } },
    { m: "jalr", ops: { rd: 1, rs1: base, imm: 12 } },
    { m: "jalr", ops: { rd: 0, rs1: base, imm: 0 } },
    { m: "jalr", ops: { rd: 5, rs1: base, imm: 0 } },
    { m: "xori", ops: { rd: 6, rs1: base, imm: 3 } },
  ];
  const compressed = (base: number): Instance[] => [
    { m: "c.addi", ops: { rd: base, rs1: base, imm: -3 } },
    { m: "c.addiw", ops: { rd: base, rs1: base, imm: 5 } },
    { m: "c.addiw", ops: { rd: base, rs1: base, imm: 0 } },
    { m: "c.ld", ops: { rd: 9, rs1: base, imm: 8 } },
    { m: "c.jr", ops: { rs1: base } },
    { m: "c.jalr", ops: { rs1: base } },
  ];
  const uppers = [0x7ffff, -0x80000, 1, -1, 0x12345];
  for (const base of [0, 1, 3, 4, 10, 31]) {
    for (const u of uppers) {
      for (const seed of ["lui", "auipc"] as const) {
        for (const c of consumers(base)) {
          out.push({ m: seed, ops: { rd: base, imm: u } }, c, c);
        }
      }
    }
  }
  for (const base of [8, 10, 15]) {
    for (const u of [31, -32, 1, -1]) {
      for (const c of [...compressed(base), ...consumers(base)]) out.push({ m: "c.lui", ops: { rd: base, imm: u } }, c, c);
      for (const c of compressed(base)) out.push({ m: "lui", ops: { rd: base, imm: u << 14 } }, c, { m: "auipc", ops: { rd: base, imm: -u } }, c);
    }
  }
  return out;
}
