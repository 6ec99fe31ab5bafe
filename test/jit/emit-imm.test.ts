/**
 * @fileoverview emit_imm on 64-bit values (Asm.imm64), against a model of the kernel's rule written with BigInt
 * (reference §2.5): a value that fits 32 bits is lui+addiw or li; a wider one loads (val + 2^11) >> 12 (in s64
 * arithmetic, which wraps in the kernel) with its trailing zeros shifted out, the same way, then shifts back by them
 * + 12 and adds the sign-extended low 12 bits when they are not 0. Compared as instruction sequences (mnemonic, rd, rs1, immediate) on values of every width, with and
 * without compressed forms.
 */
import { describe, expect, it } from "vitest";
import { decode } from "../../compiler/riscv/decode.js";
import { CodeBuf, insnHw } from "../../compiler/jit/code.js";
import { Asm } from "../../compiler/jit/emit.js";

type Step = ["li" | "lui" | "addiw" | "slli" | "addi", bigint];

/** The kernel's emit_imm as a list of steps (the compressed/uncompressed choice is the emitter's, checked apart). */
function model(val: bigint): Step[] {
  // s64 arithmetic that wraps: the kernel is built with -fno-strict-overflow, so val + 2^11 past 2^63 - 1 goes negative
  const upper = BigInt.asIntN(64, val + 2048n) >> 12n;
  const lower = BigInt.asIntN(12, val);
  if (val >= -(1n << 31n) && val < 1n << 31n) return upper === 0n ? [["li", lower]] : [["lui", BigInt.asIntN(20, upper)], ["addiw", lower]];
  let shift = 0n;
  while (((upper >> shift) & 1n) === 0n) shift++;
  return [...model(upper >> shift), ["slli", shift + 12n], ...(lower !== 0n ? [["addi", lower] as Step] : [])];
}

/** What the emitter wrote, as steps: compressed forms read as their base instruction. */
function emitted(val: bigint, c: boolean): Step[] {
  const buf = new CodeBuf();
  new Asm(buf, { c, zba: false, zbb: false }).imm64(15, Number(BigInt.asIntN(32, val)), Number(BigInt.asIntN(32, val >> 32n)));
  const out: Step[] = [];
  for (let p = 0; p < buf.hw; p += insnHw(buf.code[p]!)) {
    const d = decode(insnHw(buf.code[p]!) === 2 ? (buf.code[p]! | (buf.code[p + 1]! << 16)) >>> 0 : buf.code[p]!)!;
    const base = d.m.replace(/^c\./, "");
    const m = (base === "addi" && d.rs1 === 0 ? "li" : base) as Step[0]; // li without C is addi rd,zero,imm
    expect(d.rd).toBe(15);
    out.push([m, m === "lui" ? BigInt.asIntN(20, BigInt(d.imm)) : BigInt(d.imm)]);
  }
  return out;
}

/** Values of every width and shape: powers of two and their neighbours, runs of ones, random bits. */
function values(): bigint[] {
  const out: bigint[] = [0n, -1n];
  for (let k = 0n; k < 64n; k++) for (const d of [-2049n, -2048n, -1n, 0n, 1n, 2047n, 2048n]) out.push(BigInt.asIntN(64, (1n << k) + d), BigInt.asIntN(64, -(1n << k) + d));
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 3000; i++) {
    x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
    const width = BigInt(1 + (i % 64));
    out.push(BigInt.asIntN(64, x >> (64n - width)), BigInt.asIntN(64, x));
  }
  return out;
}

describe("emit_imm on 64-bit values", () => {
  for (const c of [true, false]) {
    it(`matches the kernel's rule on ${values().length} values (${c ? "with" : "without"} C)`, () => {
      const bad = values().filter((v) => JSON.stringify(emitted(v, c), (_, x) => (typeof x === "bigint" ? x.toString() : x)) !== JSON.stringify(model(v), (_, x) => (typeof x === "bigint" ? x.toString() : x)));
      expect(bad.map((v) => `0x${BigInt.asUintN(64, v).toString(16)}`)).toEqual([]);
    });
  }
});
