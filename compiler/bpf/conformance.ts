/**
 * @fileoverview Reader for the bpf_conformance `.data` test format and its uBPF-style assembler
 * (../shared/testdata/README.md describes both).
 *
 *   # comment                       -- asm       uBPF assembly: `mov32 %r0, 1`, `ldxdw %r0, [%r1+8]`, `jne %r1, 0, fail`
 *   -- asm                          -- raw       8-byte instructions: one 0x-prefixed little-endian word per token,
 *   mov %r0, 1                                   or bytes, eight per instruction (`07 00 01 00 01 00 00 00`)
 *   exit                            -- mem       hex bytes r1 points to
 *   -- result                       -- result    expected full 64-bit r0 (hex or decimal)
 *   0x1                             -- error     expected error text (empty: any error)
 *                                   -- c, -- no register offset: notes, ignored
 *
 * The assembler produces the bytes the suite's own assembler does (checked against every line of
 * assembled.jsonl), with stricter input checks: immediates out of range (decimal: signed 32-bit; hex: up to
 * 0xffffffff, a 32-bit pattern), offsets out of 16 bits, unknown mnemonics, registers or labels, and wrong operand
 * counts are errors at file:line:col. Registers %r11..%r15 are accepted, as the suite's assembler does, so that the
 * resulting instructions can be rejected by validate.ts.
 */
import { asmError, type SourcePos } from "./asm.js";
import { withTarget } from "./asm/labels.js";
import { ldImm64 } from "./build.js";
import { decodeInsns, insn, type Insn } from "./insn.js";
import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_B, BPF_CALL, BPF_CMPXCHG, BPF_DW, BPF_END, BPF_EXIT, BPF_FETCH, BPF_H, BPF_JA,
  BPF_JMP, BPF_JMP32, BPF_K, BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_MOV, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_ST,
  BPF_STX, BPF_TO_BE, BPF_TO_LE, BPF_W, BPF_X, BPF_XCHG,
} from "./opcodes.js";

/** One conformance test file, read. */
export interface ConformanceTest {
  readonly file: string;
  /** The program that runs: `-- raw` when present (it overrides `-- asm`, as in the suite), else the assembled asm. */
  readonly insns: Insn[];
  /** The bytes r1 points to (empty: r1 = NULL). */
  readonly mem: Uint8Array;
  /** The expected 64-bit r0, when the file has `-- result`. */
  readonly result?: bigint;
  /** The expected error text, when the file has `-- error` ("" = any error). */
  readonly error?: string;
  /** The `-- asm` section as written. */
  readonly asm?: string;
  /** The `-- raw` instructions. */
  readonly raw?: Insn[];
  /** Where each slot of `insns` came from in the file (asm line, or raw line). */
  readonly lines: SourcePos[];
}

type Section = "asm" | "raw" | "mem" | "result" | "error" | "ignored";
const SECTIONS: Record<string, Section> = {
  asm: "asm", raw: "raw", mem: "mem", result: "result", error: "error", c: "ignored", "no register offset": "ignored",
};

interface Line {
  readonly text: string;
  readonly no: number;
}

/** Reads a `.data` file. Throws AsmError (file:line:col) on anything malformed. */
export function parseConformance(text: string, file = "<conformance>"): ConformanceTest {
  const lines = text.split("\n").map((t) => t.replace(/\r$/, ""));
  const sections = new Map<Section, Line[]>();
  let current: Section | undefined;
  lines.forEach((t, k) => {
    const no = k + 1;
    if (t.startsWith("--")) {
      const name = t.slice(2).trim();
      current = SECTIONS[name];
      if (!current) throw asmError(file, no, 1, t, `unknown section '${t}' (expected -- asm, -- raw, -- mem, -- result or -- error)`);
      if (current !== "ignored" && sections.has(current)) throw asmError(file, no, 1, t, `second '-- ${name}' section`);
      sections.set(current, []);
      return;
    }
    if (current === undefined) {
      if (t.trim() !== "" && !t.startsWith("#")) throw asmError(file, no, 1, t, "text before the first section (expected '# comment' or '-- asm')");
      return;
    }
    sections.get(current)!.push({ text: t, no });
  });

  const asmLines = sections.get("asm");
  const rawLines = sections.get("raw");
  const at1 = (msg: string) => asmError(file, 1, 1, lines[0] ?? "", msg);
  if (!asmLines && !rawLines) throw at1("no program: the file has neither a '-- asm' nor a '-- raw' section");
  const resultLines = nonBlank(sections.get("result"));
  const errorLines = sections.get("error");
  if (resultLines.length === 0 && !errorLines) throw at1("no expected outcome: the file has neither '-- result' nor '-- error'");

  const assembled = asmLines && assembleUbpfLines(asmLines, file);
  const raw = rawLines && parseRaw(rawLines, file);
  const program = raw ?? assembled!;
  if (program.insns.length === 0) {
    const where = (rawLines ?? asmLines)!;
    throw at1(`the '-- ${rawLines ? "raw" : "asm"}' section has no instructions${where.length ? "" : " (it is empty)"}`);
  }
  if (resultLines.length > 1) {
    const l = resultLines[1]!;
    throw asmError(file, l.no, 1, l.text, "more than one value in '-- result'");
  }
  return {
    file,
    insns: program.insns,
    mem: parseMem(nonBlank(sections.get("mem")), file),
    ...(resultLines[0] && { result: parseResult(resultLines[0], file) }),
    ...(errorLines && { error: nonBlank(errorLines).map((l) => l.text.trim()).join("\n") }),
    ...(asmLines && { asm: asmLines.map((l) => l.text).join("\n") }),
    ...(raw && { raw: raw.insns }),
    lines: program.lines,
  };
}

function nonBlank(ls: Line[] | undefined): Line[] {
  return (ls ?? []).filter((l) => l.text.trim() !== "");
}

function parseResult(l: Line, file: string): bigint {
  const t = l.text.trim();
  if (/^0x[0-9a-f]{1,16}$/i.test(t) || /^[0-9]{1,20}$/.test(t)) {
    const v = BigInt(t);
    if (v < 1n << 64n) return v;
  }
  throw asmError(file, l.no, 1, l.text, `'${t}' is not a 64-bit result (expected hex 0x... or decimal)`);
}

function parseMem(ls: Line[], file: string): Uint8Array {
  const bytes: number[] = [];
  for (const l of ls) {
    for (const tok of tokens(l.text)) {
      if (!/^[0-9a-f]{1,2}$/i.test(tok.text)) throw asmError(file, l.no, tok.col, l.text, `'${tok.text}' is not a hex byte`);
      bytes.push(parseInt(tok.text, 16));
    }
  }
  return Uint8Array.from(bytes);
}

/** `-- raw`: either 0x-prefixed 64-bit little-endian words (one instruction each) or bytes, eight per instruction. */
function parseRaw(ls: Line[], file: string): { insns: Insn[]; lines: SourcePos[] } {
  const bytes: number[] = [];
  const byteLines: number[] = [];
  let words = 0;
  for (const l of ls) {
    for (const tok of tokens(l.text)) {
      const isWord = /^0x[0-9a-f]{1,16}$/i.test(tok.text);
      const isByte = /^[0-9a-f]{2}$/i.test(tok.text);
      if (!isWord && !isByte) throw asmError(file, l.no, tok.col, l.text, `'${tok.text}' is neither a 0x-prefixed 64-bit word nor a hex byte`);
      if ((isWord && bytes.length > words * 8) || (isByte && words > 0)) {
        throw asmError(file, l.no, tok.col, l.text, "'-- raw' mixes 64-bit words and single bytes");
      }
      if (isWord) {
        let v = BigInt(tok.text);
        for (let k = 0; k < 8; k++, v >>= 8n) bytes.push(Number(v & 0xffn));
        words++;
      } else bytes.push(parseInt(tok.text, 16));
      while (byteLines.length < bytes.length) byteLines.push(l.no);
    }
  }
  if (bytes.length % 8 !== 0) {
    const l = ls[ls.length - 1]!;
    throw asmError(file, l.no, 1, l.text, `'-- raw' holds ${bytes.length} bytes, not a whole number of 8-byte instructions`);
  }
  const insns = decodeInsns(Uint8Array.from(bytes));
  return { insns, lines: insns.map((_, k) => ({ file, line: byteLines[k * 8]!, col: 1 })) };
}

interface Token {
  readonly text: string;
  readonly col: number;
}

/** Whitespace- and comma-separated tokens with their 1-based columns. */
function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(/[^\s,]+/g)) out.push({ text: m[0], col: m.index + 1 });
  return out;
}

/** Assembles uBPF-syntax text (the body of a `-- asm` section). Line numbers start at `firstLine`. */
export function assembleUbpf(text: string, file = "<ubpf>", firstLine = 1): { insns: Insn[]; lines: SourcePos[] } {
  return assembleUbpfLines(text.split("\n").map((t, k) => ({ text: t.replace(/\r$/, ""), no: firstLine + k })), file);
}

const ALU_OPS: Record<string, number> = {
  add: 0x00, sub: 0x10, mul: 0x20, div: 0x30, sdiv: 0x30, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70, neg: 0x80,
  mod: 0x90, smod: 0x90, xor: 0xa0, mov: 0xb0, arsh: 0xc0,
};
const JMP_OPS: Record<string, number> = {
  jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40, jne: 0x50, jsgt: 0x60, jsge: 0x70, jlt: 0xa0, jle: 0xb0, jslt: 0xc0, jsle: 0xd0,
};
const SIZES: Record<string, number> = { b: BPF_B, h: BPF_H, w: BPF_W, dw: BPF_DW };
const ATOMIC_OPS: Record<string, number> = { add: 0x00, or: 0x40, and: 0x50, xor: 0xa0, xchg: BPF_XCHG, cmpxchg: BPF_CMPXCHG };

/** A jump or call whose target is a label, fixed up once all labels are known. */
interface Fixup {
  readonly slot: number;
  readonly label: string;
  readonly field: "off" | "imm";
  readonly tok: Token;
  readonly line: Line;
}

function assembleUbpfLines(ls: Line[], file: string): { insns: Insn[]; lines: SourcePos[] } {
  const insns: Insn[] = [];
  const lines: SourcePos[] = [];
  const labels = new Map<string, number>();
  const fixups: Fixup[] = [];
  let firstExit: number | undefined;
  for (const line of ls) {
    const body = line.text.replace(/#.*/, "");
    const toks = tokens(body);
    if (toks.length === 0) continue;
    const err = (tok: Token | undefined, msg: string) => asmError(file, line.no, tok?.col ?? body.length + 1, line.text, msg);
    const head = toks[0]!;
    if (head.text.endsWith(":")) {
      const name = head.text.slice(0, -1);
      if (!/^[A-Za-z_][\w.]*$/.test(name)) throw err(head, `'${name}' is not a label name`);
      if (labels.has(name)) throw err(head, `label '${name}' is defined twice`);
      if (toks.length > 1) throw err(toks[1], "expected nothing after a label (put the instruction on the next line)");
      labels.set(name, insns.length);
      continue;
    }
    const ctx: UbpfLine = { toks, err, slot: insns.length, fixups, line };
    const out = encodeUbpf(ctx);
    if (head.text === "exit" && firstExit === undefined) firstExit = insns.length;
    const pos = { file, line: line.no, col: head.col };
    for (const x of out) {
      insns.push(x);
      lines.push(pos);
    }
  }
  for (const f of fixups) {
    const target = labels.get(f.label) ?? (f.label === "exit" ? firstExit : undefined);
    if (target === undefined) throw asmError(file, f.line.no, f.tok.col, f.line.text, `unknown label '${f.label}'`);
    const rel = target - f.slot - 1;
    if (f.field === "off" && (rel < -0x8000 || rel > 0x7fff)) {
      throw asmError(file, f.line.no, f.tok.col, f.line.text, `label '${f.label}' is ${rel} instructions away: does not fit a 16-bit offset`);
    }
    insns[f.slot] = withTarget(insns[f.slot]!, f.field, rel);
  }
  return { insns, lines };
}

interface UbpfLine {
  readonly toks: Token[];
  readonly err: (tok: Token | undefined, msg: string) => Error;
  readonly slot: number;
  readonly fixups: Fixup[];
  readonly line: Line;
}

/** One uBPF statement -> its slot(s). */
function encodeUbpf(c: UbpfLine): Insn[] {
  const [head, ...ops] = c.toks;
  const m = head!.text;
  const want = (n: number) => {
    if (ops.length !== n) throw c.err(ops[n] ?? head, `'${m}' takes ${n} operand${n === 1 ? "" : "s"}, found ${ops.length}`);
  };
  const reg = (k: number) => ubpfReg(c, ops[k]);
  const aluClass = (suffix: string) => (suffix === "32" ? BPF_ALU : BPF_ALU64);

  let r: RegExpMatchArray | null;
  if ((r = m.match(/^(add|sub|mul|div|sdiv|or|and|lsh|rsh|mod|smod|xor|mov|arsh)(32|64)?$/))) {
    want(2);
    const code = aluClass(r[2] ?? "") | ALU_OPS[r[1]!]!;
    const off = r[1] === "sdiv" || r[1] === "smod" ? 1 : 0;
    if (ops[1]!.text.startsWith("%")) return [insn(code | BPF_X, reg(0), reg(1), off, 0)];
    return [insn(code | BPF_K, reg(0), 0, off, imm32(c, ops[1]))];
  }
  if ((r = m.match(/^neg(32|64)?$/))) {
    want(1);
    return [insn(aluClass(r[1] ?? "") | 0x80, reg(0), 0, 0, 0)];
  }
  if ((r = m.match(/^movsx(8|16|32)(32|64)$/)) && !(r[1] === "32" && r[2] === "32")) {
    want(2);
    if (!ops[1]!.text.startsWith("%")) throw c.err(ops[1], `'${m}' sign-extends a register: expected %rN`);
    return [insn(aluClass(r[2]!) | BPF_MOV | BPF_X, reg(0), reg(1), Number(r[1]), 0)];
  }
  if ((r = m.match(/^(be|le|bswap|swap)(16|32|64)$/))) {
    want(1);
    const code = r[1] === "be" ? BPF_ALU | BPF_END | BPF_TO_BE : r[1] === "le" ? BPF_ALU | BPF_END | BPF_TO_LE : BPF_ALU64 | BPF_END;
    return [insn(code, reg(0), 0, 0, Number(r[2]))];
  }
  if (m === "lddw") {
    want(2);
    const v = parseNum(ops[1]!.text);
    if (v === undefined || v < -(1n << 63n) || v >= 1n << 64n) throw c.err(ops[1], `'${ops[1]!.text}' is not a 64-bit immediate`);
    return ldImm64(reg(0), v);
  }
  if ((r = m.match(/^ldx(s?)(b|h|w|dw)$/)) && !(r[1] && r[2] === "dw")) {
    want(2);
    const [src, off] = memOperand(c, ops[1]!);
    return [insn(BPF_LDX | (r[1] ? BPF_MEMSX : BPF_MEM) | SIZES[r[2]!]!, reg(0), src, off, 0)];
  }
  if ((r = m.match(/^st(x?)(b|h|w|dw)$/))) {
    want(2);
    const [dst, off] = memOperand(c, ops[0]!);
    if (r[1]) return [insn(BPF_STX | BPF_MEM | SIZES[r[2]!]!, dst, reg(1), off, 0)];
    return [insn(BPF_ST | BPF_MEM | SIZES[r[2]!]!, dst, 0, off, imm32(c, ops[1]))];
  }
  if (m === "lock") return [encodeLock(c)];
  if (m === "exit") {
    want(0);
    return [insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)];
  }
  if (m === "ja" || m === "ja32") {
    want(1);
    const field = m === "ja" ? "off" : "imm";
    const t = jumpTarget(c, ops[0]!, field);
    return [m === "ja" ? insn(BPF_JMP | BPF_JA, 0, 0, t, 0) : insn(BPF_JMP32 | BPF_JA, 0, 0, 0, t)];
  }
  if (m === "call") return [encodeCall(c)];
  if ((r = m.match(/^(j[a-z]+?)(32)?$/)) && JMP_OPS[r[1]!] !== undefined) {
    want(3);
    const code = (r[2] ? BPF_JMP32 : BPF_JMP) | JMP_OPS[r[1]!]!;
    const off = jumpTarget(c, ops[2]!, "off");
    if (ops[1]!.text.startsWith("%")) return [insn(code | BPF_X, reg(0), reg(1), off, 0)];
    return [insn(code | BPF_K, reg(0), 0, off, imm32(c, ops[1]))];
  }
  throw c.err(head, `unknown mnemonic '${m}'`);
}

/** `lock [fetch] add|and|or|xor|xchg|cmpxchg[32] [%rD+off], %rS` */
function encodeLock(c: UbpfLine): Insn {
  const ops = c.toks.slice(1);
  const fetch = ops[0]?.text === "fetch";
  const rest = fetch ? ops.slice(1) : ops;
  const opTok = rest[0];
  const r = opTok?.text.match(/^(add|and|or|xor|xchg|cmpxchg)(32)?$/);
  if (!r) throw c.err(opTok ?? c.toks[0], opTok ? `unknown atomic operation '${opTok.text}' (expected add, and, or, xor, xchg or cmpxchg)` : "expected an atomic operation after 'lock'");
  if (rest.length !== 3) throw c.err(rest[3] ?? opTok, `'lock ${opTok!.text}' takes [%rD+off], %rS`);
  const [dst, off] = memOperand(c, rest[1]!);
  const src = ubpfReg(c, rest[2]);
  const op = ATOMIC_OPS[r[1]!]! | (fetch ? BPF_FETCH : 0);
  return insn(BPF_STX | BPF_ATOMIC | (r[2] ? BPF_W : BPF_DW), dst, src, off, op);
}

/** `call N` (helper), `call %rN` (callx), `call helper N`, `call local label`, `call runtime N` (kfunc). */
function encodeCall(c: UbpfLine): Insn {
  const ops = c.toks.slice(1);
  const [mode, target] = ops.length === 1 ? ["helper", ops[0]!] : [ops[0]?.text, ops[1]];
  if (ops.length < 1 || ops.length > 2 || !target) throw c.err(ops[2] ?? c.toks[0], "'call' takes N, %rN, 'local label' or 'runtime N'");
  if (mode === "local") return insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, jumpTarget(c, target, "imm"));
  if (mode === "runtime") return insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, imm32(c, target));
  if (mode !== "helper") throw c.err(ops[0], `unknown call mode '${mode}' (expected helper, local or runtime)`);
  if (target.text.startsWith("%")) return insn(BPF_JMP | BPF_CALL | BPF_X, ubpfReg(c, target), 0, 0, 0);
  return insn(BPF_JMP | BPF_CALL, 0, 0, 0, imm32(c, target));
}

function ubpfReg(c: UbpfLine, tok: Token | undefined): number {
  const m = tok?.text.match(/^%r([0-9]|1[0-5])$/);
  if (!m) throw c.err(tok, tok ? `invalid register '${tok.text}' (expected %r0..%r10)` : "expected a register");
  return Number(m[1]);
}

/** A decimal, hex (0x) or signed number as written, or undefined. */
function parseNum(t: string): bigint | undefined {
  return /^[+-]?(0x[0-9a-f]+|[0-9]+)$/i.test(t) ? (t.startsWith("-") ? -BigInt(t.slice(1)) : BigInt(t.replace(/^\+/, ""))) : undefined;
}

/** A 32-bit immediate: decimal in signed range, or hex up to 0xffffffff (a 32-bit pattern). */
function imm32(c: UbpfLine, tok: Token | undefined): number {
  return boundedNum(c, tok, 32, "32-bit immediate");
}

/** Decimal values must fit the signed field; hex values may also be a bit pattern of the field's width. */
function boundedNum(c: UbpfLine, tok: Token | undefined, bits: 16 | 32, what: string): number {
  if (!tok) throw c.err(tok, `expected a ${what}`);
  const v = parseNum(tok.text);
  if (v === undefined) throw c.err(tok, `'${tok.text}' is not a number (expected a ${what})`);
  const hex = /0x/i.test(tok.text);
  const min = -(1n << BigInt(bits - 1));
  const max = hex && v >= 0n ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  if (v < min || v > max) throw c.err(tok, `${tok.text} is out of range for a ${what}`);
  return Number(BigInt.asIntN(bits, v));
}

/** `[%rN]`, `[%rN+off]`, `[%rN-off]` -> [register, offset]. */
function memOperand(c: UbpfLine, tok: Token): [number, number] {
  const m = tok.text.match(/^\[(%r[0-9]+)(?:([+-])([^\]]+))?\]$/);
  if (!m) throw c.err(tok, `expected a memory operand [%rN+off], found '${tok.text}'`);
  const reg = ubpfReg(c, { text: m[1]!, col: tok.col + 1 });
  if (!m[2]) return [reg, 0];
  const offTok = { text: m[2] + m[3], col: tok.col + 1 + m[1]!.length };
  return [reg, boundedNum(c, offTok, 16, "16-bit offset")];
}

/** `+N` / `-N` -> N, or a label -> 0 with a fixup recorded. */
function jumpTarget(c: UbpfLine, tok: Token, field: "off" | "imm"): number {
  if (/^[+-]/.test(tok.text)) return boundedNum(c, tok, field === "off" ? 16 : 32, field === "off" ? "16-bit jump offset" : "32-bit jump offset");
  if (!/^[A-Za-z_][\w.]*$/.test(tok.text)) throw c.err(tok, `expected a label or +N/-N, found '${tok.text}'`);
  c.fixups.push({ slot: c.slot, label: tok.text, field, tok, line: c.line });
  return 0;
}
