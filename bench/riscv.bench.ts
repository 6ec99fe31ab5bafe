/**
 * @fileoverview Throughput of the RV64 instruction layer on a million instructions (every row of the table, with
 * random valid operands, about a fifth compressed): encode() with an operand object, the positional `rv` builder,
 * decode() (32-bit and 16-bit words apart, since they take different paths), and for scale the disassembler.
 */
import { decode, type Decoded } from "../compiler/riscv/decode.js";
import { disasm } from "../compiler/riscv/disasm.js";
import { encode, rv, type Operands } from "../compiler/riscv/encode.js";
import type { Mnemonic } from "../compiler/riscv/isa.js";
import { ROWS } from "../compiler/riscv/rows.js";
import type { Report } from "./report.js";
import { timeBest } from "./report.js";

const N = 1_000_000;

/** One random, encodable operand set for each row, drawn with a fixed seed. */
function instances(n: number): Array<{ m: Mnemonic; ops: Operands; args: number[] }> {
  let s = 0x9e3779b9;
  const rand = (k: number): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % k;
  };
  const out: Array<{ m: Mnemonic; ops: Operands; args: number[] }> = [];
  while (out.length < n) {
    const r = ROWS[rand(ROWS.length)]!;
    const fixed = new Map(r.fixed);
    const ops: Operands = {};
    const args: number[] = [];
    for (const t of r.tokens) {
      const k = t === "off" ? "imm" : t;
      let v: number;
      if (k === "imm") {
        const g = r.codec.range!;
        v = g.min + rand(Math.floor((g.max - g.min) / g.align) + 1) * g.align;
        if (v === 0 && (g.nonzero || r.nz.includes("imm"))) v = g.align;
      } else if (k === "pred" || k === "succ") {
        v = rand(16);
      } else {
        const slot = r.codec.slots[k];
        const narrow = slot === 0x0380 || slot === 0x001c;
        v = narrow ? 8 + rand(8) : 1 + rand(31);
        if (k === "rd" && v === r.rdNot) v = 10;
      }
      (ops as Record<string, number>)[k] = v;
      args.push(v);
    }
    if (r.codec.tied && !fixed.has("rs1")) ops.rs1 = ops.rd;
    out.push({ m: r.m, ops, args });
  }
  return out;
}

export default async function (report: Report): Promise<void> {
  const insts = instances(N);
  const words = new Uint32Array(N);
  const enc = (): void => {
    for (let i = 0; i < N; i++) words[i] = encode(insts[i]!.m, insts[i]!.ops);
  };
  const builders = insts.map((x) => (rv as unknown as Record<string, (...a: number[]) => number>)[x.m.replace(/\./g, "_")]!);
  // Called with literal argument lists, as the JIT calls them (a spread call would dominate the measurement).
  const call = (f: (...a: number[]) => number, a: number[]): number => {
    switch (a.length) {
      case 0: return f();
      case 1: return f(a[0]!);
      case 2: return f(a[0]!, a[1]!);
      default: return f(a[0]!, a[1]!, a[2]!);
    }
  };
  const build = (): void => {
    for (let i = 0; i < N; i++) words[i] = call(builders[i]!, insts[i]!.args);
  };
  const scratch = new Uint32Array(N);
  const one = (): void => {
    for (let i = 0; i < N; i++) scratch[i] = rv.addi(10, 11, (i & 2047) - 1024);
  };
  const tEnc = timeBest(enc, { rounds: 5 });
  const tBuild = timeBest(build, { rounds: 5 });
  report.row("encode(m, ops)", N / tEnc, "insn/s", `${N.toLocaleString("en")} instructions, ${ROWS.length} rows`);
  report.row("rv.<mnemonic>(operands), mixed rows", N / tBuild, "insn/s", `${(tEnc / tBuild).toFixed(2)}x encode()`);
  const tOne = timeBest(one, { rounds: 5 });
  report.row("rv.addi(rd, rs1, imm) in a loop", N / tOne, "insn/s", "one row: the call site stays monomorphic");

  const wide = Uint32Array.from([...words].filter((w) => (w & 3) === 3));
  const half = Uint32Array.from([...words].filter((w) => (w & 3) !== 3));
  let sink: Decoded | undefined;
  const dec = (ws: Uint32Array) => (): void => {
    for (let i = 0; i < ws.length; i++) sink = decode(ws[i]!);
  };
  const tAll = timeBest(dec(words), { rounds: 5 });
  const tWide = timeBest(dec(wide), { rounds: 5 });
  const tHalf = timeBest(dec(half), { rounds: 5 });
  report.row("decode(word), mixed", N / tAll, "insn/s");
  report.row("  32-bit words only", wide.length / tWide, "insn/s", `${wide.length.toLocaleString("en")} words`);
  report.row("  16-bit words only", half.length / tHalf, "insn/s", `${half.length.toLocaleString("en")} halfwords; ${((half.length / tHalf) / (wide.length / tWide)).toFixed(2)}x 32-bit`);
  if (sink === undefined) report.line("(decode produced nothing)");

  const some = [...words.subarray(0, 100_000)].map((w) => decode(w)!);
  let chars = 0;
  const tDis = timeBest(() => {
    for (let i = 0; i < some.length; i++) chars += disasm(some[i]!, BigInt(i * 4)).length;
  }, { rounds: 3 });
  report.row("disasm(decoded, pc)", some.length / tDis, "insn/s", `${(N / tAll / (some.length / tDis)).toFixed(1)}x slower than decode`);
}
