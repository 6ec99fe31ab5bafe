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
