/**
 * @fileoverview Shared parts of the spec generators (scripts/gen-*-specs.ts): a model of the eBPF ALU and jump
 * semantics written from RFC 9669 in BigInt arithmetic, value formatting for run cases, and the writer that turns a
 * generated spec into a file.
 *
 * The model is the generators' independent source of expected values: it shares no code with the reference
 * interpreter (runtime/interp) or the JIT, and it is written to be obviously right rather than fast. Expected
 * values in generated specs never come from running rvjit.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const U64 = (1n << 64n) - 1n;
export const U32 = (1n << 32n) - 1n;

/** `v` as an unsigned 64-bit value (two's complement of a negative one). */
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
/** The signed value of the low 64 bits of `v`. */
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
export const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);
export const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);

export type AluOp = "add" | "sub" | "mul" | "div" | "sdiv" | "mod" | "smod" | "or" | "and" | "xor" | "lsh" | "rsh" | "arsh" | "mov";

/** The assembler's compound-assignment operator for each operation. */
export const ALU_SYNTAX: Readonly<Record<AluOp, string>> = {
  add: "+=", sub: "-=", mul: "*=", div: "/=", sdiv: "s/=", mod: "%=", smod: "s%=", or: "|=", and: "&=", xor: "^=",
  lsh: "<<=", rsh: ">>=", arsh: "s>>=", mov: "=",
};

/** Truncating signed division, as C and the ISA define it (BigInt `/` truncates toward zero). */
function sdivTrunc(a: bigint, b: bigint): bigint {
  return a / b;
}

/**
 * dst OP src for BPF_ALU64 (`wide`) or BPF_ALU; operands are u64 and the result is u64. For ALU64 a K operand is
 * the sign-extended immediate, for ALU its low 32 bits: callers pass the operand value the ISA defines.
 * Division by zero and the signed overflow cases follow the kernel's verifier rewrites (RFC 9669 §4.1):
 * x / 0 = 0, x % 0 = x, x s/ -1 = -x, x s% -1 = 0. Shift amounts are masked to 63 (64-bit) or 31 (32-bit).
 */
export function alu(op: AluOp, wide: boolean, dst: bigint, src: bigint): bigint {
  if (wide) {
    const a = u64(dst);
    const b = u64(src);
    switch (op) {
      case "add": return u64(a + b);
      case "sub": return u64(a - b);
      case "mul": return u64(a * b);
      case "div": return b === 0n ? 0n : a / b;
      case "mod": return b === 0n ? a : a % b;
      case "sdiv": return b === 0n ? 0n : s64(b) === -1n ? u64(-a) : u64(sdivTrunc(s64(a), s64(b)));
      case "smod": return b === 0n ? a : s64(b) === -1n ? 0n : u64(s64(a) % s64(b));
      case "or": return a | b;
      case "and": return a & b;
      case "xor": return a ^ b;
      case "lsh": return u64(a << (b & 63n));
      case "rsh": return a >> (b & 63n);
      case "arsh": return u64(s64(a) >> (b & 63n));
      case "mov": return b;
    }
  }
  const a = u32(dst);
  const b = u32(src);
  switch (op) {
    case "add": return u32(a + b);
    case "sub": return u32(a - b);
    case "mul": return u32(a * b);
    case "div": return b === 0n ? 0n : a / b;
    case "mod": return b === 0n ? a : a % b;
    case "sdiv": return b === 0n ? 0n : s32(b) === -1n ? u32(-a) : u32(sdivTrunc(s32(a), s32(b)));
    case "smod": return b === 0n ? a : s32(b) === -1n ? 0n : u32(s32(a) % s32(b));
    case "or": return a | b;
    case "and": return a & b;
    case "xor": return a ^ b;
    case "lsh": return u32(a << (b & 31n));
    case "rsh": return a >> (b & 31n);
    case "arsh": return u32(s32(a) >> (b & 31n));
    case "mov": return b;
  }
}

export type Cond = "==" | "!=" | ">" | ">=" | "<" | "<=" | "s>" | "s>=" | "s<" | "s<=" | "&";

/** The jump conditions in the order of their opcodes' descriptions (JEQ .. JSET), with file-name-friendly names. */
export const CONDS: readonly { cond: Cond; name: string }[] = [
  { cond: "==", name: "jeq" }, { cond: "!=", name: "jne" }, { cond: ">", name: "jgt" }, { cond: ">=", name: "jge" },
  { cond: "<", name: "jlt" }, { cond: "<=", name: "jle" }, { cond: "s>", name: "jsgt" }, { cond: "s>=", name: "jsge" },
  { cond: "s<", name: "jslt" }, { cond: "s<=", name: "jsle" }, { cond: "&", name: "jset" },
];

/** Whether `if dst COND src` is taken; JMP32 (`wide` false) compares the low 32 bits only. */
export function taken(cond: Cond, wide: boolean, dst: bigint, src: bigint): boolean {
  const a = wide ? u64(dst) : u32(dst);
  const b = wide ? u64(src) : u32(src);
  const sa = wide ? s64(a) : s32(a);
  const sb = wide ? s64(b) : s32(b);
  switch (cond) {
    case "==": return a === b;
    case "!=": return a !== b;
    case ">": return a > b;
    case ">=": return a >= b;
    case "<": return a < b;
    case "<=": return a <= b;
    case "s>": return sa > sb;
    case "s>=": return sa >= sb;
    case "s<": return sa < sb;
    case "s<=": return sa <= sb;
    case "&": return (a & b) !== 0n;
  }
}

/** A run-case value: small values in signed decimal, others in hex (u64). */
export function val(v: bigint): string {
  const s = s64(v);
  if (s >= -4096n && s <= 4096n) return s.toString();
  return `0x${u64(v).toString(16)}`;
}

/** An immediate as the assembler reads it: signed decimal for small values, signed hex for large ones. */
export function imm(v: bigint): string {
  const s = s32(v);
  if (s >= -4096n && s <= 4096n) return s.toString();
  return s < 0n ? `-0x${(-s).toString(16)}` : `0x${s.toString(16)}`;
}

/** `values` as a ctx byte string of little-endian u64s, e.g. `ctx=[0100000000000000 ffffffffffffffff]`. */
export function ctx64(values: readonly bigint[]): string {
  const le = (v: bigint): string => {
    let out = "";
    for (let i = 0n; i < 8n; i++) out += ((u64(v) >> (8n * i)) & 0xffn).toString(16).padStart(2, "0");
    return out;
  };
  return `ctx=[${values.map(le).join(" ")}]`;
}

/**
 * A run whose inputs are u64s in ctx (the program loads them from r1 + 0, + 8, ...): a comment line naming the
 * values, then the run line.
 */
export function ctxRun(names: readonly string[], values: readonly bigint[], expect: string): string[] {
  return [`;; ${names.map((n, i) => `${n} = ${val(values[i]!)}`).join(", ")}`, `${ctx64(values)} => ${expect}`];
}

/** `ret`: what the program's caller receives, R0 sign-extended from 32 bits (the JIT's epilogue: addiw a0, a5, 0). */
export function ret(r0: bigint): bigint {
  return u64(s32(r0));
}

export interface GenSpec {
  /** Path under specs/, e.g. "alu/add-x.bpf". */
  path: string;
  /** The one-line description (first line). */
  desc: string;
  /** Where the expected values come from (a `;;` line under the description). */
  source: string;
  /** Directive lines other than runs, without the leading "; " (e.g. "configs: rv64imac", "map m: array ..."). */
  directives?: readonly string[];
  /**
   * Run cases, each "<inputs> => <expectations>" (optionally "name: ..." for a named run); an element starting with
   * ";;" is a comment line written as is (e.g. the values a ctx byte string holds).
   */
  runs: readonly string[];
  /** The program text, one line per element. */
  body: readonly string[];
}

/** The first `;;` line of every generated spec; the writer only ever deletes files that carry it. */
export const GENERATED_MARK = ";; generated by scripts/gen-specs.ts";

export function renderSpec(g: GenSpec, generator: string): string {
  const lines = [`; ${g.desc}`, `${GENERATED_MARK} (${generator}); do not edit by hand`, `;; expected values: ${g.source}`];
  for (const d of g.directives ?? []) lines.push(`; ${d}`);
  for (const r of g.runs) {
    if (r.startsWith(";;")) {
      lines.push(r);
      continue;
    }
    const named = /^([A-Za-z][\w-]*): (.*)$/.exec(r);
    lines.push(named ? `; run ${named[1]}: ${named[2]}` : `; run: ${r}`);
  }
  lines.push(...g.body);
  return `${lines.join("\n")}\n`;
}

/**
 * Writes the generated specs under `root` (the specs/ directory): a file whose text is unchanged is not touched,
 * and a generated file (it carries GENERATED_MARK) in one of `dirs` that no generator produced any more is removed.
 * Returns what changed.
 */
export function writeSpecs(root: string, dirs: readonly string[], specs: readonly { path: string; text: string }[]): { written: number; removed: number; unchanged: number } {
  const wanted = new Map(specs.map((s) => [s.path, s.text]));
  if (wanted.size !== specs.length) throw new Error("two generated specs have the same path");
  let written = 0;
  let removed = 0;
  let unchanged = 0;
  for (const [path, text] of wanted) {
    const file = join(root, path);
    let old: string | undefined;
    try {
      old = readFileSync(file, "utf8");
    } catch {
      old = undefined;
    }
    if (old === text) {
      unchanged++;
      continue;
    }
    if (old !== undefined && !old.includes(GENERATED_MARK)) throw new Error(`${file} exists and was written by hand: not overwriting it`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    written++;
  }
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(join(root, dir));
    } catch {
      continue;
    }
    for (const name of names) {
      const path = `${dir}/${name}`;
      if (!name.endsWith(".bpf") || wanted.has(path)) continue;
      const file = join(root, path);
      if (readFileSync(file, "utf8").includes(GENERATED_MARK)) {
        rmSync(file);
        removed++;
      }
    }
  }
  return { written, removed, unchanged };
}
