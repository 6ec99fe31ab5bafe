/**
 * @fileoverview Generates the arithmetic families of the spec corpus: specs/alu (BPF_ALU64), specs/alu32 (BPF_ALU),
 * specs/divmod, specs/movsx, specs/endian and specs/ld-imm64. Every expected value comes from the BigInt model in
 * scripts/gen-lib.ts (or, for LD_IMM64, is the loaded constant itself); the instruction counts named in the
 * ld-imm64 descriptions come from an independent reimplementation of the kernel's emit_imm rule below.
 */
import { ALU_SYNTAX, alu, type AluOp, ctxRun, type GenSpec, imm, ret, s64, u32, u64, val } from "./gen-lib.js";

const MODEL = "the BigInt model of RFC 9669 semantics in scripts/gen-lib.ts";

// Edge values: zero, small, the 32-bit sign and carry boundaries, the 64-bit extremes, and dirty upper halves.
const EDGES64: readonly bigint[] = [
  0n, 1n, u64(-1n), 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0x7fff_ffff_ffff_ffffn,
  0x8000_0000_0000_0000n, 0x0123_4567_89ab_cdefn,
];

/** Operand pairs for the two-operand X forms, per operation. */
function pairs(op: AluOp, wide: boolean): [bigint, bigint][] {
  const base: [bigint, bigint][] = [
    [3n, 5n], [u64(-1n), 1n], [0x7fff_ffff_ffff_ffffn, 1n], [0x8000_0000_0000_0000n, u64(-1n)], [0xffff_ffffn, 1n],
    [0x0123_4567_89ab_cdefn, 0xfedc_ba98_7654_3210n], [0x8000_0000n, 0x8000_0000n], [0xdead_beef_0000_0005n, 0x1_0000_0003n],
  ];
  switch (op) {
    case "mul":
      return [...base, [0x1_0000_0000n, 0x1_0000_0000n], [u64(-3n), 7n], [0x1_0000_0001n, 0xffff_ffffn]];
    case "div":
    case "mod":
      return [
        [100n, 7n], [7n, 100n], [100n, 0n], [u64(-1n), 2n], [0x8000_0000_0000_0000n, u64(-1n)], [0x0123_4567_89ab_cdefn, 0x10n],
        [0xdead_beef_0000_0005n, 0x1_0000_0003n], [0xffff_ffffn, 0x1_0000_0000n], [0x1234_5678n, 0n],
      ];
    case "sdiv":
    case "smod":
      return [
        [u64(-7n), 2n], [7n, u64(-2n)], [u64(-7n), u64(-2n)], [7n, 0n], [u64(-7n), 0n], [0x8000_0000_0000_0000n, u64(-1n)],
        [0x8000_0000_0000_0000n, 1n], [0x8000_0000n, u64(-1n)], [0xffff_ffff_8000_0000n, u64(-1n)], [100n, 7n],
        [0x1_ffff_fff9n, 0x2_0000_0002n],
      ];
    case "lsh":
    case "rsh":
    case "arsh": {
      const amounts = wide ? [0n, 1n, 31n, 32n, 63n, 64n, 65n] : [0n, 1n, 16n, 31n, 32n, 33n];
      const values = [0x8000_0000_0000_0001n, 0x0123_4567_89ab_cdefn, 0xffff_ffff_8000_0001n];
      return amounts.map((n, k): [bigint, bigint] => [values[k % values.length]!, n]);
    }
    default:
      return base;
  }
}

/** The expectations for a result in r0: r0, and what the caller gets when the epilogue's sign extension changes it. */
function expectR0(r0: bigint): string {
  const r = ret(r0);
  return `r0=${val(r0)}${r !== r0 ? ` ret=${val(r)}` : ""}`;
}

function runLine(inputs: string, r0: bigint): string {
  return `${inputs} => ${expectR0(r0)}`;
}

/** Load the operands: a = ctx[0] into r0, b = ctx[8] into r2. */
const LOAD_A = "r0 = *(u64 *)(r1 + 0)";
const LOAD_B = "r2 = *(u64 *)(r1 + 8)";

const X_OPS: readonly AluOp[] = ["add", "sub", "mul", "or", "and", "xor", "lsh", "rsh", "arsh", "mov"];
const DIV_OPS: readonly AluOp[] = ["div", "mod", "sdiv", "smod"];

const SYMBOL: Readonly<Record<AluOp, string>> = {
  add: "+", sub: "-", mul: "*", div: "/", sdiv: "s/", mod: "%", smod: "s%", or: "|", and: "&", xor: "^", lsh: "<<",
  rsh: ">>", arsh: "s>>", mov: "",
};

/** r0 = a, r2 = b from ctx; `r0 OP= r2` (ALU64) or `w0 OP= w2` (ALU: r0's upper half is dirty before the 32-bit op). */
function xSpec(op: AluOp, wide: boolean, dir: string): GenSpec {
  const d = wide ? "r" : "w";
  const what = op === "mov" ? `${d}0 = b` : `${d}0 = a ${SYMBOL[op]} b`;
  return {
    path: `${dir}/${op}-x.bpf`,
    desc: wide
      ? `alu64 ${op} X: ${what} on signed and unsigned edge values`
      : `alu32 ${op} X: ${what} with dirty upper halves, result zero-extended`,
    source: MODEL,
    runs: pairs(op, wide).flatMap(([a, b]) => ctxRun(["a", "b"], [a, b], expectR0(alu(op, wide, a, b)))),
    body: [LOAD_A, LOAD_B, `${d}0 ${ALU_SYNTAX[op]} ${d}2`, "exit"],
  };
}

/** Immediates that select each lowering: 6-bit (RVC), 12-bit (I-type), and t1 via lui+addiw, per operation. */
const K_IMMS: Readonly<Partial<Record<AluOp, readonly bigint[]>>> = {
  add: [5n, -2048n, 2048n, 0x7fff_ffffn, -0x8000_0000n],
  sub: [5n, 2048n, -2048n, -0x8000_0000n],
  mul: [3n, 2047n, 0x1234_5678n],
  div: [7n, -1n, 0x1234_5678n],
  mod: [7n, 0x1234_5678n],
  sdiv: [7n, -7n, -1n],
  smod: [7n, -7n, -1n],
  or: [0x7f0n, -1n, 0x1234_5678n],
  and: [0xffn, -16n, 0x7fff_f800n],
  xor: [0x555n, -1n, -0x1234_5678n],
  mov: [0n, -32n, 2047n, 0x7fff_f800n, -0x8000_0000n, 0x1234_5678n],
};

function immName(v: bigint): string {
  return v < 0n ? `m${(-v).toString(16)}` : v.toString(16);
}

/** `r0 = r1; r0 OP= K` (or `w0 OP= K`); the operand is K sign-extended (ALU64) or its low 32 bits (ALU). */
function kSpec(op: AluOp, wide: boolean, k: bigint, dir: string): GenSpec {
  const d = wide ? "r" : "w";
  const cls = wide ? "alu64" : "alu32";
  const operand = wide ? u64(k) : u32(k);
  const values = op === "sdiv" || op === "smod" ? [...EDGES64, u64(-100n)] : EDGES64;
  return {
    path: `${dir}/${op}-k-${immName(k)}.bpf`,
    desc: `${cls} ${op} K with imm ${imm(k)}${op === "mov" ? " (over r0 = -1)" : " on edge values"}`,
    source: MODEL,
    runs: op === "mov" ? [runLine("", alu("mov", wide, 0n, operand))] : values.flatMap((a) => ctxRun(["a"], [a], expectR0(alu(op, wide, a, operand)))),
    body: op === "mov" ? ["r0 = -1", `${d}0 = ${imm(k)}`, "exit"] : [LOAD_A, `${d}0 ${ALU_SYNTAX[op]} ${imm(k)}`, "exit"],
  };
}

function shiftKSpec(op: AluOp, wide: boolean, n: number, dir: string): GenSpec {
  const d = wide ? "r" : "w";
  const values = [0x8000_0000_0000_0001n, 0x0123_4567_89ab_cdefn, 0xffff_ffff_ffff_ffffn, 0x8000_0000n, 1n];
  return {
    path: `${dir}/${op}-k-${n}.bpf`,
    desc: `${wide ? "alu64" : "alu32"} ${op} K by ${n}`,
    source: MODEL,
    runs: values.flatMap((a) => ctxRun(["a"], [a], expectR0(alu(op, wide, a, BigInt(n))))),
    body: [LOAD_A, `${d}0 ${ALU_SYNTAX[op]} ${n}`, "exit"],
  };
}

/** dst OP= dst: a shift by itself, or an operation whose operands alias. */
function sameRegSpec(op: AluOp, wide: boolean, dir: string): GenSpec {
  const d = wide ? "r" : "w";
  const values = [0n, 3n, 33n, 63n, 0x8000_0000_0000_0021n, 0xffff_ffff_ffff_ffffn, 0x1_0000_001fn];
  return {
    path: `${dir}/${op}-same-reg.bpf`,
    desc: `${wide ? "alu64" : "alu32"} ${op} X with dst = src (${d}0 ${ALU_SYNTAX[op]} ${d}0)`,
    source: MODEL,
    runs: values.flatMap((a) => ctxRun(["a"], [a], expectR0(alu(op, wide, a, a)))),
    body: [LOAD_A, `${d}0 ${ALU_SYNTAX[op]} ${d}0`, "exit"],
  };
}

function negSpec(wide: boolean, dir: string): GenSpec {
  const d = wide ? "r" : "w";
  return {
    path: `${dir}/neg.bpf`,
    desc: `${wide ? "alu64" : "alu32"} neg: ${d}0 = -${d}0`,
    source: MODEL,
    runs: [...EDGES64, 0xffff_ffff_8000_0000n].flatMap((a) => ctxRun(["a"], [a], expectR0(alu("sub", wide, 0n, a)))),
    body: [LOAD_A, `${d}0 = -${d}0`, "exit"],
  };
}

function movsxSpecs(): GenSpec[] {
  const values = [0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fff_ffffn, 0x8000_0000n, 0x1234_5678_9abc_de80n, 0xffff_ffff_0000_7f7fn];
  const sext = (v: bigint, bits: number): bigint => u64(BigInt.asIntN(bits, v));
  const out: GenSpec[] = [];
  for (const bits of [8, 16, 32]) {
    out.push({
      path: `movsx/movsx64-s${bits}.bpf`,
      desc: `alu64 movsx: r0 = (s${bits})r2 sign-extends the low ${bits} bits to 64`,
      source: MODEL,
      runs: values.flatMap((a) => ctxRun(["a"], [a], expectR0(sext(a, bits)))),
      body: ["r2 = *(u64 *)(r1 + 0)", "r0 = -1", `r0 = (s${bits})r2`, "exit"],
    });
  }
  for (const bits of [8, 16]) {
    out.push({
      path: `movsx/movsx32-s${bits}.bpf`,
      desc: `alu32 movsx: w0 = (s${bits})w2 sign-extends the low ${bits} bits to 32, then zero-extends`,
      source: MODEL,
      runs: values.flatMap((a) => ctxRun(["a"], [a], expectR0(u32(sext(a, bits))))),
      body: ["r2 = *(u64 *)(r1 + 0)", "r0 = -1", `w0 = (s${bits})w2`, "exit"],
    });
  }
  out.push({
    path: "movsx/movsx-same-reg.bpf",
    desc: "alu64 movsx in place (dst = src): (s8), (s16) and (s32) of the same value, combined with xor",
    source: `${MODEL} (xor of the three sign extensions)`,
    runs: values.flatMap((a) => ctxRun(["a"], [a], expectR0(sext(a, 8) ^ sext(a, 16) ^ sext(a, 32)))),
    body: [LOAD_A, "r0 = (s8)r0", "r2 = *(u64 *)(r1 + 0)", "r2 = (s16)r2", "r0 ^= r2", "r3 = *(u64 *)(r1 + 0)", "r3 = (s32)r3", "r0 ^= r3", "exit"],
  });
  return out;
}

/** Byte swap of the low `bits` bits; the result is zero-extended. */
function bswap(v: bigint, bits: number): bigint {
  let out = 0n;
  for (let i = 0; i < bits / 8; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

function endianSpecs(): GenSpec[] {
  const values = [0x0123_4567_89ab_cdefn, 0x8000_0000_0000_0080n, 0xffn, 0xff00n, 0xffff_ffff_ffff_ffffn, 0x11_2233n];
  const forms: { name: string; insn: string; f: (v: bigint) => bigint; what: string }[] = [];
  for (const bits of [16, 32, 64]) {
    const mask = (1n << BigInt(bits)) - 1n;
    forms.push({ name: `le${bits}`, insn: `r0 = le${bits} r0`, f: (v) => v & mask, what: `BPF_ALU|BPF_END|BPF_TO_LE ${bits}: no swap on a little-endian CPU, zero-extends from ${bits} bits` });
    forms.push({ name: `be${bits}`, insn: `r0 = be${bits} r0`, f: (v) => bswap(v, bits), what: `BPF_ALU|BPF_END|BPF_TO_BE ${bits}: swaps the low ${bits / 8} bytes, zero-extends` });
    forms.push({ name: `bswap${bits}`, insn: `r0 = bswap${bits} r0`, f: (v) => bswap(v, bits), what: `BPF_ALU64|BPF_END ${bits} (cpu v4): unconditional byte swap of the low ${bits / 8} bytes, zero-extends` });
  }
  return forms.map((f) => ({
    path: `endian/${f.name}.bpf`,
    desc: f.what,
    source: `${MODEL} (byte swap written out byte by byte)`,
    runs: values.flatMap((a) => ctxRun(["a"], [a], expectR0(f.f(a)))),
    body: [LOAD_A, f.insn, "exit"],
  }));
}

/**
 * How many instructions the kernel's emit_imm (arch/riscv/net/bpf_jit.h) takes for `v`, by its rule (reference
 * §2.5): a value that fits 32 bits is li or lui+addiw; a wider one is the upper part without its trailing zeros,
 * recursively, then a shift, then an addi when the low 12 bits are not zero.
 */
export function emitImmLength(v: bigint): number {
  const x = s64(v);
  const upper = (x + 2048n) >> 12n;
  const lower = BigInt.asIntN(12, x);
  if (x >= -(1n << 31n) && x < 1n << 31n) return upper === 0n ? 1 : 2;
  let u = upper;
  while ((u & 1n) === 0n) u >>= 1n;
  return emitImmLength(u) + 1 + (lower !== 0n ? 1 : 0);
}

function ldImm64Specs(): GenSpec[] {
  const values: { v: bigint; why: string }[] = [
    { v: 0n, why: "zero" },
    { v: 31n, why: "the largest 6-bit positive (c.li)" },
    { v: u64(-32n), why: "the most negative 6-bit value (c.li)" },
    { v: 2047n, why: "the largest 12-bit positive (addi)" },
    { v: u64(-2048n), why: "the most negative 12-bit value (addi)" },
    { v: 2048n, why: "the first value needing lui (lui 1, addiw -2048)" },
    { v: 0x7fff_f800n, why: "lui 0x80000 wraps: addiw's 32-bit wrap makes it positive again" },
    { v: 0x7fff_ffffn, why: "INT32_MAX" },
    { v: 0xffff_ffff_8000_0000n, why: "INT32_MIN" },
    { v: 0x8000_0000n, why: "2^31: the first positive value beyond 32 bits (li 1, slli 31)" },
    { v: 0x8000_0001n, why: "2^31 + 1: shift then addi" },
    { v: 0xffff_ffffn, why: "UINT32_MAX" },
    { v: 0x1_0000_0000n, why: "2^32" },
    { v: 0x1_2345_6789n, why: "a 33-bit value with every part non-zero" },
    { v: 0x1234_5678_9abcn, why: "a 45-bit value" },
    { v: 0x0123_4567_89ab_cdefn, why: "a 57-bit value with every part non-zero" },
    { v: 0x7fff_7ff7_ff7f_f7ffn, why: "RV_MAX_COUNT_IMM, the longest sequence emit_imm produces" },
    { v: 0x7fff_7ff7_ff7f_f000n, why: "RV_MAX_COUNT_IMM with its low 12 bits clear: no final addi" },
    { v: 0x7fff_ffff_ffff_ffffn, why: "INT64_MAX" },
    { v: 0x8000_0000_0000_0000n, why: "INT64_MIN" },
    { v: 0xffff_ffff_ffff_ffffn, why: "-1 in 64 bits" },
    { v: 0xdead_beef_cafe_f00dn, why: "a negative 64-bit pattern" },
    { v: 0x8000_0000_0000_0800n, why: "INT64_MIN + 2048: the rounding of the upper part carries" },
  ];
  const seen = new Set<number>();
  const out = values.map(({ v, why }): GenSpec => {
    const n = emitImmLength(v);
    seen.add(n);
    return {
      path: `ld-imm64/imm-${v.toString(16)}.bpf`,
      desc: `LD_IMM64 of 0x${v.toString(16)}, ${why}: ${n} instruction${n > 1 ? "s" : ""} from emit_imm`,
      source: "the constant itself (the instruction count in the description is the generator's own emit_imm rule)",
      runs: [runLine("", v)],
      body: [`r0 = 0x${v.toString(16)} ll`, "exit"],
    };
  });
  for (let n = 1; n <= 8; n++) if (!seen.has(n)) throw new Error(`no LD_IMM64 value takes ${n} instructions`);
  // The same constants into other registers: a0 (RVC register) and s2 (not), combined so both are checked.
  out.push({
    path: "ld-imm64/other-registers.bpf",
    desc: "LD_IMM64 into r1 (a0), r7 (s2) and r9 (s4), then combined in r0",
    source: `${MODEL} (xor of the three constants)`,
    runs: [runLine("", 0x0123_4567_89ab_cdefn ^ 0x7fff_7ff7_ff7f_f7ffn ^ 0xffff_ffff_8000_0000n)],
    body: ["r1 = 0x123456789abcdef ll", "r7 = 0x7fff7ff7ff7ff7ff ll", "r9 = 0xffffffff80000000 ll", "r0 = r1", "r0 ^= r7", "r0 ^= r9", "exit"],
  });
  return out;
}

export function aluSpecs(): GenSpec[] {
  const out: GenSpec[] = [];
  for (const [wide, dir] of [[true, "alu"], [false, "alu32"]] as const) {
    for (const op of X_OPS) out.push(xSpec(op, wide, dir));
    for (const op of ["add", "sub", "mul", "or", "and", "xor", "mov"] as const) {
      for (const k of K_IMMS[op]!) out.push(kSpec(op, wide, k, dir));
    }
    for (const op of ["lsh", "rsh", "arsh"] as const) {
      for (const n of wide ? [0, 1, 31, 32, 63] : [0, 1, 31]) out.push(shiftKSpec(op, wide, n, dir));
    }
    for (const op of wide ? (["lsh", "rsh", "arsh", "add", "sub", "mul", "xor", "div"] as const) : (["lsh", "rsh", "arsh", "add", "mul"] as const)) {
      out.push(sameRegSpec(op, wide, dir));
    }
    out.push(negSpec(wide, dir));
    for (const op of DIV_OPS) {
      out.push(xSpec(op, wide, "divmod"));
      for (const k of K_IMMS[op]!) out.push(kSpec(op, wide, k, "divmod"));
    }
  }
  // divmod specs of both widths share a directory: name them apart.
  for (const s of out) {
    if (s.path.startsWith("divmod/")) s.path = s.path.replace("divmod/", `divmod/${s.desc.startsWith("alu64") ? "64" : "32"}-`);
  }
  return [...out, ...movsxSpecs(), ...endianSpecs(), ...ldImm64Specs()];
}
