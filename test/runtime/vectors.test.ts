/**
 * @fileoverview Every operand/result vector of the official riscv-tests (rv64ui, rv64um, rv64uzba, rv64uzbb,
 * rv64uzbs; ../shared/testdata/riscv-tests/vectors.json, each checked against QEMU by its authors) through both
 * execution tiers: the interpreter, and a translated block (blocks.ts) holding the same instruction. Each vector
 * also runs with rd aliasing rs1, and with rd = x0 (the result must vanish).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rv } from "../../compiler/riscv/encode.js";
import { ISA } from "../../compiler/riscv/isa.js";
import { translate } from "../../runtime/rv64/blocks.js";
import { decodeCache } from "../../runtime/rv64/predecode.js";
import { EXIT_EBREAK, Machine } from "../../runtime/rv64/machine.js";
import { Memory } from "../../runtime/rv64/memory.js";
import { sharedTestdata } from "../support/tools.js";

interface Vector { suite: string; file: string; test: number; kind: "rr" | "imm" | "r" | "br_taken" | "br_nottaken"; insn: string; a: string; b: string; result: string }

const dir = sharedTestdata();
const vectors: Vector[] = dir ? JSON.parse(readFileSync(join(dir, "riscv-tests", "vectors.json"), "utf8")) : [];
const BASE = 0x8000_0000_1000_0000n;
const A = 10, B = 11, D = 12;
const builder = rv as unknown as Record<string, (...a: number[]) => number>;

/** The instruction under test, with rd/rs1/rs2 as given. */
function encodeVector(v: Vector, rd: number, rs1: number, rs2: number): number {
  // bseti.S writes `bset rd, rs1, imm` (the assembler picks bseti): use the immediate row for imm vectors.
  const name = v.kind === "imm" && (ISA as Record<string, { asm: string }>)[v.insn]?.asm === "rd,rs1,rs2" ? `${v.insn}i` : v.insn;
  const f = builder[name.replace(/\./g, "_")];
  if (!f) throw new Error(`no builder for ${v.insn}`);
  const b = BigInt(v.b);
  switch (v.kind) {
    case "rr": return f(rd, rs1, rs2);
    case "imm": return f(rd, rs1, Number(BigInt.asIntN(64, b)));
    case "r": return f(rd, rs1);
    default: return f(rs1, rs2, 8); // branches: taken lands 8 bytes on
  }
}

/** [nop, insn, ebreak, ebreak] at BASE; the nop makes the first two a translatable block for branches too. */
function machineFor(word: number, blocks: boolean): Machine {
  const bytes = new Uint8Array(16);
  const dv = new DataView(bytes.buffer);
  [rv.addi(0, 0, 0), word, rv.ebreak(), rv.ebreak()].forEach((w, i) => dv.setUint32(4 * i, w >>> 0, true));
  const mem = new Memory();
  mem.add({ name: "code", base: BASE, size: 16, perm: "r-x", bytes });
  return new Machine(mem, { blocks });
}

/** Runs the vector in one tier; returns rd and where it stopped. */
function run(v: Vector, tier: "interp" | "block", rd: number, rs1: number, rs2: number): { rd: bigint; pcOff: bigint; m: Machine } {
  const m = machineFor(encodeVector(v, rd, rs1, rs2), false);
  m.setReg(rs1, BigInt(v.a));
  if (rs2 !== rs1) m.setReg(rs2, BigInt(v.b));
  m.pc = BASE;
  if (tier === "block") {
    const r = m.mem.regions[0]!;
    decodeCache(r);
    const f = translate(m, r, 0);
    if (!f) throw new Error(`${v.insn}: block not translated`);
    m.left = 10;
    const next = f(m.x, m);
    m.pc = BASE + BigInt(next);
  }
  expect(m.run(10)).toBe(EXIT_EBREAK);
  return { rd: m.reg(rd), pcOff: m.pc - BASE, m };
}

describe.skipIf(!dir)("riscv-tests vectors", () => {
  it("holds the 1,284 vectors of rv64ui/um/uzba/uzbb/uzbs", () => {
    expect(vectors.length).toBe(1284);
  });

  for (const tier of ["interp", "block"] as const) {
    it(`every vector passes (${tier})`, () => {
      const failures: string[] = [];
      for (const v of vectors) {
        const label = `${v.suite}/${v.file} test ${v.test}: ${v.insn} a=${v.a} b=${v.b}`;
        if (v.kind === "br_taken" || v.kind === "br_nottaken") {
          const { pcOff } = run(v, tier, D, A, B);
          const taken = pcOff === 12n; // nop(0) + branch(4) + 8
          if (taken !== (v.kind === "br_taken")) failures.push(`${label}: ${taken ? "taken" : "not taken"}`);
          continue;
        }
        const want = BigInt(v.result);
        const got = run(v, tier, D, A, B).rd;
        if (got !== want) failures.push(`${label}: got 0x${got.toString(16)}, want 0x${want.toString(16)}`);
        // rd = rs1 (and = rs2 for rr): the result must not depend on when the tier writes rd.
        const alias = run(v, tier, A, A, v.kind === "rr" ? B : B);
        if (alias.rd !== want) failures.push(`${label} (rd = rs1): got 0x${alias.rd.toString(16)}`);
        if (v.kind === "rr" && v.a === v.b) {
          const same = run(v, tier, D, A, A).rd;
          if (same !== want) failures.push(`${label} (rs1 = rs2): got 0x${same.toString(16)}`);
        }
        const sink = run(v, tier, 0, A, B);
        if (sink.m.reg(0) !== 0n || sink.m.x[0] !== 0 || sink.m.x[1] !== 0) failures.push(`${label} (rd = x0): x0 changed`);
      }
      expect(failures).toEqual([]);
    });
  }
});
