/**
 * @fileoverview eBPF assembly text -> instructions, in the syntax kernel and LLVM developers read (`r0 = 1`,
 * `if r1 s> 5 goto L`, `lock *(u64 *)(r1 + 0) += r2`), plus what specs need: functions (`.func`), the exception
 * callback (`.exception_callback`), maps by name (`map[name]`), helpers and kfuncs by name. docs/bpf-asm.md is the
 * reference; print.ts writes exactly what this file reads (both use print.ts's syntax tables).
 *
 * Two passes: each line is lexed and parsed into slots, with label references recorded as fixups; then the fixups
 * are resolved and the function table is built. Errors are AsmError at file:line:col, saying what was expected.
 */
import { helperId, kfuncId, kfuncName } from "./helper-names.js";
import { insn, LD_IMM64, type Insn } from "./insn.js";
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_DIV, BPF_END, BPF_EXIT, BPF_FETCH, BPF_IND,
  BPF_JA, BPF_JMP, BPF_JMP32, BPF_K, BPF_LD, BPF_LDX, BPF_LOAD_ACQ, BPF_MEM, BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_NEG,
  BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL, BPF_ST, BPF_STORE_REL, BPF_STX, BPF_TAIL_CALL, BPF_TO_BE,
  BPF_TO_LE, BPF_X, BPF_XCHG,
} from "./opcodes.js";
import { ALU_SYMBOLS, ATOMIC_RMW, JMP_CONDS, PSEUDO_NAMES, SIZE_TYPES } from "./print.js";

/** A place in a source file; line and col are 1-based. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** An assembly error: `file:line:col: message`, with the offending source line and a caret in `excerpt`. */
export class AsmError extends Error {
  override readonly name = "AsmError";
  constructor(
    readonly pos: SourcePos,
    readonly reason: string,
    readonly excerpt = "",
  ) {
    super(`${pos.file}:${pos.line}:${pos.col}: ${reason}`);
  }
}

/** An AsmError at `col` of `lineText` (1-based line and col), with the caret excerpt filled in. */
export function asmError(file: string, line: number, col: number, lineText: string, reason: string): AsmError {
  const excerpt = `${lineText}\n${lineText.slice(0, Math.max(0, col - 1)).replace(/[^\t]/g, " ")}^`;
  return new AsmError({ file, line, col }, reason, excerpt);
}

/** A function of the program: where it starts, and what `.func` declared about it. */
export interface FuncDecl {
  readonly name: string;
  readonly start: number;
  readonly linkage: "global" | "static";
  readonly args?: number;
  readonly ret?: "scalar" | "void" | "ptr";
}

export interface AsmProgram {
  readonly insns: Insn[];
  /** Every function, by start: slot 0, every bpf-to-bpf call or func[] target, every `.func`. */
  readonly funcs: FuncDecl[];
  /** Named labels (numeric local labels `1:` are not listed). */
  readonly labels: Map<string, number>;
  /** Where each slot came from (both slots of an LD_IMM64 share one). */
  readonly lines: SourcePos[];
  /** `.exception_callback name`, unresolved: the verifier checks the function exists and its signature. */
  readonly exceptionCallback?: string;
  /** The kfuncs the program calls, by id. */
  readonly kfuncs: Map<number, string>;
  /** The map names, fd = index (opts.maps). */
  readonly maps: readonly string[];
}

export interface AsmOptions {
  /** Declared map names in order: `map[name]` loads fd = index. */
  readonly maps?: readonly string[];
  /** kfuncs beyond (or replacing) the ones rvjit models: name -> id. */
  readonly kfuncs?: ReadonlyMap<string, number>;
  /** Read a verifier output: allow r11 (BPF_REG_AX) and `tail_call`. */
  readonly xlated?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Lexer

interface Tok {
  readonly kind: "id" | "num" | "op";
  readonly text: string;
  readonly col: number;
}

/** Operators, longest first so that `<<=` wins over `<<` and `<`. */
const OPS = ["s>>=", "<<=", ">>=", "s/=", "s%=", "s>=", "s<=", "s>", "s<", "==", "!=", ">=", "<=", "+=", "-=", "*=",
  "/=", "|=", "&=", "%=", "^=", "=", "<", ">", "&", "*", "(", ")", "[", "]", ",", "+", "-", ":"];

const IDENT = /^[A-Za-z_.$][\w.$]*/;
const NUMBER = /^(0x[0-9a-f]+|[0-9]+[fb]?)(?![\w.$])/i;

/** The statement part of a line (comments `;`, `//`, `#` removed) as tokens; throws on a stray character. */
function lex(text: string, err: (col: number, msg: string) => AsmError): Tok[] {
  const cut = text.search(/;|\/\/|#/);
  const body = cut < 0 ? text : text.slice(0, cut);
  const toks: Tok[] = [];
  let p = 0;
  while (p < body.length) {
    const c = body[p]!;
    if (c === " " || c === "\t" || c === "\r") {
      p++;
      continue;
    }
    const rest = body.slice(p);
    const op = OPS.find((o) => rest.startsWith(o));
    const num = op ? null : rest.match(NUMBER);
    const id = op || num ? null : rest.match(IDENT);
    const kind = op ? "op" : num ? "num" : id ? "id" : undefined;
    const t = op ?? num?.[0] ?? id?.[0];
    if (!kind || !t) {
      const word = rest.match(/^[0-9][\w.$]*/);
      throw err(p + 1, word ? `'${word[0]}' is not a number (decimal or 0x hex)` : `unexpected character '${c}'`);
    }
    toks.push({ kind, text: t, col: p + 1 });
    p += t.length;
  }
  return toks;
}

// ---------------------------------------------------------------------------------------------------------------
// Parser state

interface Fixup {
  readonly slot: number;
  /** Which field receives `target - slot - 1`: off (16 bits) or imm (32 bits). */
  readonly field: "off" | "imm";
  readonly label: string;
  /** For numeric labels: resolve to the next (`f`) or previous (`b`) definition relative to `order`. */
  readonly dir?: "f" | "b";
  readonly order: number;
  readonly at: Tok;
  readonly line: number;
  readonly lineText: string;
  /** A bpf-to-bpf call or func[]: the target starts a function. */
  readonly isFunc: boolean;
}

interface FuncDirective {
  /** Without a linkage when the directive gave none (the main function defaults to global, others to static). */
  readonly decl: Omit<FuncDecl, "start" | "linkage"> & { linkage?: FuncDecl["linkage"] };
  readonly at: Tok;
  readonly line: number;
  readonly lineText: string;
}

interface State {
  readonly file: string;
  readonly opts: AsmOptions;
  readonly insns: Insn[];
  readonly lines: SourcePos[];
  readonly labels: Map<string, number>;
  /** Label definitions in order (named and numeric), for numeric references and function naming. */
  readonly defs: Array<{ name: string; slot: number; order: number }>;
  readonly fixups: Fixup[];
  readonly funcDirectives: FuncDirective[];
  readonly kfuncs: Map<number, string>;
  exceptionCallback?: string;
  order: number;
}

/** A cursor over one line's tokens. */
class Line {
  private i = 0;
  constructor(
    readonly st: State,
    readonly no: number,
    readonly text: string,
    readonly toks: Tok[],
  ) {}

  peek(k = 0): Tok | undefined {
    return this.toks[this.i + k];
  }
  next(): Tok | undefined {
    return this.toks[this.i++];
  }
  atEnd(): boolean {
    return this.i >= this.toks.length;
  }
  /** Consumes `text` if it is next. */
  accept(text: string): boolean {
    if (this.peek()?.text !== text) return false;
    this.i++;
    return true;
  }
  expect(text: string, context = ""): Tok {
    const t = this.next();
    if (t?.text !== text) throw this.error(t, `expected '${text}'${context}, found ${found(t)}`);
    return t;
  }
  error(t: Tok | undefined, msg: string): AsmError {
    return asmError(this.st.file, this.no, t?.col ?? this.text.replace(/(;|\/\/|#).*/, "").trimEnd().length + 1, this.text, msg);
  }
  end(): void {
    const t = this.peek();
    if (t) throw this.error(t, `expected end of statement, found ${found(t)}`);
  }
}

const found = (t: Tok | undefined): string => (t ? `'${t.text}'` : "end of line");

// ---------------------------------------------------------------------------------------------------------------
// Operands

interface Reg {
  readonly n: number;
  /** Written as wN (the 32-bit view). */
  readonly w: boolean;
  readonly tok: Tok;
}

function parseReg(l: Line, what = "a register"): Reg {
  const t = l.next();
  const m = t?.kind === "id" ? t.text.match(/^([rw])([0-9]+)$/) : null;
  if (!t || !m) throw l.error(t, `expected ${what} (r0..r10 or w0..w10), found ${found(t)}`);
  const n = Number(m[2]);
  const max = l.st.opts.xlated ? 11 : 10;
  if (n > max) throw l.error(t, `${t.text} is not an eBPF register (r0..r${max})`);
  return { n, w: m[1] === "w", tok: t };
}

const isRegTok = (t: Tok | undefined): boolean => t?.kind === "id" && /^[rw][0-9]+$/.test(t.text);

/** Requires `r` to be written with the given width letter. */
function width(l: Line, r: Reg, w: boolean, why: string): void {
  if (r.w !== w) throw l.error(r.tok, `expected ${w ? "w" : "r"}${r.n} here (${why}), found ${r.tok.text}`);
}

/** A signed or unsigned integer literal, as a bigint (for 64-bit values). */
function parseBig(l: Line, what: string): { v: bigint; tok: Tok } {
  const neg = l.peek()?.text === "-";
  if (neg || l.peek()?.text === "+") l.next();
  const t = l.next();
  if (t?.kind !== "num" || (/[fb]$/i.test(t.text) && !/^0x/i.test(t.text))) throw l.error(t, `expected ${what}, found ${found(t)}`);
  const v = BigInt(t.text);
  return { v: neg ? -v : v, tok: t };
}

/**
 * A 32-bit immediate. Values are signed; `pattern` allows 0x80000000..0xffffffff as 32-bit bit patterns where the
 * operation is 32 bits wide. Where the immediate is sign-extended to 64 bits, they are refused: LLVM silently turns
 * `r1 = 0x80000000` into r1 = 0xffffffff80000000.
 */
function parseImm32(l: Line, pattern: boolean, what = "an immediate"): number {
  const first = l.peek();
  const { v } = parseBig(l, what);
  if (v >= -(1n << 31n) && v < 1n << 31n) return Number(v);
  if (pattern && v >= 0n && v < 1n << 32n) return Number(BigInt.asIntN(32, v));
  if (!pattern && v >= 1n << 31n && v < 1n << 32n) {
    throw l.error(first, `${v} does not fit: this immediate is sign-extended to 64 bits (write ${BigInt.asIntN(32, v)} for that value, or use an LD_IMM64: 'rN = ${v} ll')`);
  }
  throw l.error(first, `${v} does not fit a 32-bit immediate`);
}

/** `(rN + off)` / `(rN - off)` / `(rN)` -> [register, offset]; without the parentheses for xchg/cmpxchg. */
function parseAddr(l: Line, parens = true): [Reg, number] {
  if (parens) l.expect("(", " before the address");
  const r = parseReg(l, "a base register");
  width(l, r, false, "addresses are 64-bit");
  if (parens && l.accept(")")) return [r, 0];
  const sign = l.next();
  if (sign?.text !== "+" && sign?.text !== "-") throw l.error(sign, `expected '+ offset' or '- offset' after ${r.tok.text}, found ${found(sign)}`);
  const t = l.next();
  if (t?.kind !== "num" || !/^(0x[0-9a-f]+|[0-9]+)$/i.test(t.text)) throw l.error(t, `expected an offset, found ${found(t)}`);
  const off = Number(t.text) * (sign.text === "-" ? -1 : 1);
  if (off < -0x8000 || off > 0x7fff) throw l.error(t, `offset ${off} does not fit 16 bits (-32768..32767)`);
  if (parens) l.expect(")", " after the offset");
  return [r, off];
}

const SIZE_OF = new Map<string, { size: number; signed: boolean }>();
for (const [size, t] of SIZE_TYPES) {
  SIZE_OF.set(t.u, { size, signed: false });
  if (t.s !== "s64") SIZE_OF.set(t.s, { size, signed: true });
}

/** `(u32 *)` -> its size field. */
function parseTypeCast(l: Line): { size: number; signed: boolean; tok: Tok } {
  l.expect("(", " before the access type");
  const t = l.next();
  const s = t && SIZE_OF.get(t.text);
  if (!t || !s) throw l.error(t, `expected an access type (u8, u16, u32, u64, s8, s16, s32), found ${found(t)}`);
  l.expect("*", ` after '${t.text}'`);
  l.expect(")", " after the access type");
  return { ...s, tok: t };
}

/** A jump target: a label, `1f`/`1b`, or a signed slot offset; records a fixup for labels. */
function parseTarget(l: Line, slot: number, field: "off" | "imm", isFunc = false): number {
  if (l.peek()?.text === "pc" && (l.peek(1)?.text === "+" || l.peek(1)?.text === "-")) l.next(); // the verifier log's pc+N
  const t = l.peek();
  if (t?.kind === "id" && !isRegTok(t)) {
    l.next();
    l.st.fixups.push({ slot, field, label: t.text, order: l.st.order, at: t, line: l.no, lineText: l.text, isFunc });
    return 0;
  }
  if (t?.kind === "num" && /^[0-9]+[fb]$/i.test(t.text)) {
    l.next();
    const dir = t.text.slice(-1).toLowerCase() as "f" | "b";
    l.st.fixups.push({ slot, field, label: t.text.slice(0, -1), dir, order: l.st.order, at: t, line: l.no, lineText: l.text, isFunc });
    return 0;
  }
  const { v } = parseBig(l, "a label or a signed offset (+N, -N)");
  const [lo, hi] = field === "off" ? [-0x8000n, 0x7fffn] : [-(1n << 31n), (1n << 31n) - 1n];
  if (v < lo || v > hi) throw l.error(t, `offset ${v} does not fit ${field === "off" ? "16 bits: use gotol for longer jumps" : "32 bits"}`);
  return Number(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Statements

/** One statement (labels already consumed) -> its slot(s). */
function statement(l: Line): Insn[] {
  const t = l.peek()!;
  const slot = l.st.insns.length;
  switch (t.text) {
    case "exit":
      l.next();
      return [insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)];
    case "goto":
      l.next();
      return [insn(BPF_JMP | BPF_JA, 0, 0, parseTarget(l, slot, "off"), 0)];
    case "gotol":
      l.next();
      return [insn(BPF_JMP32 | BPF_JA, 0, 0, 0, parseTarget(l, slot, "imm"))];
    case "if":
      return [conditional(l, slot)];
    case "call":
      return [call(l, slot)];
    case "callx": {
      l.next();
      const r = parseReg(l, "the register holding the call target");
      width(l, r, false, "a code address is 64-bit");
      return [insn(BPF_JMP | BPF_CALL | BPF_X, r.n, 0, 0, 0)];
    }
    case "tail_call":
      if (!l.st.opts.xlated) throw l.error(t, "'tail_call' exists only in the verifier's output: write 'call bpf_tail_call'");
      l.next();
      return [insn(BPF_JMP | BPF_TAIL_CALL, 0, 0, 0, 0)];
    case "lock":
      return [lockStatement(l)];
    case "store_release":
      return [storeRelease(l)];
    case "*":
      return [store(l)];
    case ".8byte": {
      l.next();
      const { v, tok } = parseBig(l, "a 64-bit value");
      if (v < 0n || v >= 1n << 64n) throw l.error(tok, `${tok.text} does not fit 64 bits`);
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v);
      return [insn(b[0]!, b[1]! & 0xf, b[1]! >> 4, b.readInt16LE(2), b.readInt32LE(4))];
    }
  }
  if (isRegTok(t)) return assignment(l, slot);
  throw l.error(t, `expected an instruction, a label or a directive, found ${found(t)}`);
}

/** `if rA <cond> rB|imm goto target` */
function conditional(l: Line, slot: number): Insn {
  l.expect("if");
  const a = parseReg(l);
  const c = l.next();
  const op = [...JMP_CONDS].find(([, s]) => s === c?.text)?.[0];
  if (op === undefined) throw l.error(c, `expected a condition (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &), found ${found(c)}`);
  const cls = a.w ? BPF_JMP32 : BPF_JMP;
  let src = 0;
  let imm = 0;
  let x = BPF_K;
  if (isRegTok(l.peek())) {
    const b = parseReg(l);
    width(l, b, a.w, `compared with ${a.tok.text}`);
    src = b.n;
    x = BPF_X;
  } else imm = parseImm32(l, a.w);
  l.expect("goto", " after the condition");
  return insn(cls | op | x, a.n, src, parseTarget(l, slot, "off"), imm);
}

/** `call name | N | pc+N | kfunc[N]` */
function call(l: Line, slot: number): Insn {
  l.expect("call");
  const t = l.peek();
  if (t?.text === "pc" && (l.peek(1)?.text === "+" || l.peek(1)?.text === "-")) {
    return insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, parseTarget(l, slot, "imm"));
  }
  if (t?.text === "kfunc" && l.peek(1)?.text === "[") {
    l.next();
    l.next();
    const id = parseImm32(l, true, "a kfunc id");
    l.expect("]", " after the kfunc id");
    const name = [...(l.st.opts.kfuncs ?? [])].find(([, k]) => k === id)?.[0] ?? kfuncName(id);
    if (name !== undefined) l.st.kfuncs.set(id, name);
    return insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, id);
  }
  if (t?.kind === "id") {
    const kf = kfuncIdOf(l.st, t.text);
    if (kf !== undefined) {
      l.next();
      l.st.kfuncs.set(kf, t.text);
      return insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, kf);
    }
    const h = helperId(t.text);
    if (h !== undefined) {
      l.next();
      return insn(BPF_JMP | BPF_CALL, 0, 0, 0, h);
    }
  }
  if (isRegTok(t)) throw l.error(t, `a call through a register is 'callx ${t!.text}'`);
  if (t?.kind === "id" || (t?.kind === "num" && /[fb]$/i.test(t.text) && !/^0x/i.test(t.text))) {
    return insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, parseTarget(l, slot, "imm", true));
  }
  return insn(BPF_JMP | BPF_CALL, 0, 0, 0, parseImm32(l, false, "a helper (name or number), a function, pc+N or kfunc[N]"));
}

function kfuncIdOf(st: State, name: string): number | undefined {
  return st.opts.kfuncs?.get(name) ?? kfuncId(name);
}

/** `*(size *)(rD + off) = rS | imm` */
function store(l: Line): Insn {
  l.expect("*");
  const ty = parseTypeCast(l);
  if (ty.signed) throw l.error(ty.tok, `stores take an unsigned type (u${ty.tok.text.slice(1)}): sign matters only when loading`);
  const [d, off] = parseAddr(l);
  l.expect("=", " after the destination");
  const wide = ty.size === 0x18;
  if (isRegTok(l.peek())) {
    const s = parseReg(l);
    if (wide) width(l, s, false, "a 64-bit store");
    return insn(BPF_STX | BPF_MEM | ty.size, d.n, s.n, off, 0);
  }
  return insn(BPF_ST | BPF_MEM | ty.size, d.n, 0, off, parseImm32(l, !wide));
}

/** `lock *(u32|u64 *)(rD + off) += |= &= ^= rS` */
function lockStatement(l: Line): Insn {
  l.expect("lock");
  l.expect("*", " after 'lock'");
  const ty = parseTypeCast(l);
  const size = atomicSize(l, ty);
  const [d, off] = parseAddr(l);
  const symTok = l.next();
  const op = [...ATOMIC_RMW].find(([, a]) => a.sym === symTok?.text)?.[0];
  if (op === undefined) throw l.error(symTok, `expected an atomic operation (+=, |=, &=, ^=), found ${found(symTok)}`);
  const s = parseReg(l);
  if (size === 0x18) width(l, s, false, "a 64-bit atomic");
  return insn(BPF_STX | BPF_ATOMIC | size, d.n, s.n, off, op);
}

/** Read-modify-write atomics exist only in 32 and 64 bits. */
function atomicSize(l: Line, ty: { size: number; signed: boolean; tok: Tok }): number {
  if (ty.signed || (ty.size !== 0x00 && ty.size !== 0x18)) throw l.error(ty.tok, `atomic operations take u32 or u64, found '${ty.tok.text}'`);
  return ty.size;
}

/** `store_release((size *)(rD + off), rS)` */
function storeRelease(l: Line): Insn {
  l.expect("store_release");
  l.expect("(", " after 'store_release'");
  const ty = parseTypeCast(l);
  if (ty.signed) throw l.error(ty.tok, "store_release takes an unsigned type");
  const [d, off] = parseAddr(l);
  l.expect(",", " after the address");
  const s = parseReg(l);
  if (ty.size === 0x18) width(l, s, false, "a 64-bit store");
  l.expect(")");
  return insn(BPF_STX | BPF_ATOMIC | ty.size, d.n, s.n, off, BPF_STORE_REL);
}

/** Statements starting with a register: ALU operations, moves, loads, LD_IMM64 and the value-returning atomics. */
function assignment(l: Line, slot: number): Insn[] {
  const d = parseReg(l);
  const opTok = l.next();
  const cls = d.w ? BPF_ALU : BPF_ALU64;
  const signed = opTok?.text === "s/=" || opTok?.text === "s%=";
  const aluOp = signed ? (opTok!.text === "s/=" ? BPF_DIV : BPF_MOD) : [...ALU_SYMBOLS].find(([, s]) => s === opTok?.text)?.[0];
  if (aluOp !== undefined) {
    if (isRegTok(l.peek())) {
      const s = parseReg(l);
      width(l, s, d.w, `operand of ${d.tok.text}`);
      return [insn(cls | aluOp | BPF_X, d.n, s.n, signed ? 1 : 0, 0)];
    }
    return [insn(cls | aluOp | BPF_K, d.n, 0, signed ? 1 : 0, parseImm32(l, d.w))];
  }
  if (opTok?.text !== "=") throw l.error(opTok, `expected '=' or an operation (+=, -=, s>>=, ...) after ${d.tok.text}, found ${found(opTok)}`);
  return rhs(l, d, slot);
}

/** The right-hand side of `rD = ...`. */
function rhs(l: Line, d: Reg, slot: number): Insn[] {
  const cls = d.w ? BPF_ALU : BPF_ALU64;
  const t = l.peek();
  if (t?.text === "-" && isRegTok(l.peek(1))) {
    l.next();
    const s = parseReg(l);
    if (s.n !== d.n || s.w !== d.w) throw l.error(s.tok, `negation works in place: expected ${d.tok.text} = -${d.tok.text}`);
    return [insn(cls | BPF_NEG, d.n, 0, 0, 0)];
  }
  if (isRegTok(t)) {
    const s = parseReg(l);
    width(l, s, d.w, `moved into ${d.tok.text}`);
    return [insn(cls | BPF_MOV | BPF_X, d.n, s.n, 0, 0)];
  }
  if (t?.text === "(") return [movsx(l, d)];
  if (t?.text === "*") return [load(l, d)];
  if (t?.kind === "num" || t?.text === "-" || t?.text === "+") return immediate(l, d);
  if (t?.kind === "id") {
    const m = t.text.match(/^(be|le|bswap)(16|32|64)$/);
    if (m) return [endian(l, d, m[1]!, Number(m[2]))];
    if ([...PSEUDO_NAMES.values()].includes(t.text) && l.peek(1)?.text === "[") return pseudoLoad(l, d, slot);
    const atomic = atomicCall(l, d);
    if (atomic) return [atomic];
  }
  throw l.error(t, `expected a value after '=': a register, a number, *(type *)(rN + off), (s8)rN, be16 rN, map[name], ...; found ${found(t)}`);
}

/** `rD = N`, `wD = N`, `rD = N ll` */
function immediate(l: Line, d: Reg): Insn[] {
  if (l.toks.some((x) => x.text === "ll")) {
    if (d.w) throw l.error(d.tok, "an LD_IMM64 loads a 64-bit register: expected r" + d.n);
    const first = l.peek();
    const { v } = parseBig(l, "a 64-bit value");
    if (v < -(1n << 63n) || v >= 1n << 64n) throw l.error(first, `${v} does not fit 64 bits`);
    l.expect("ll");
    const u = BigInt.asUintN(64, v);
    return [insn(LD_IMM64, d.n, 0, 0, Number(u & 0xffff_ffffn)), insn(0, 0, 0, 0, Number(u >> 32n))];
  }
  return [insn((d.w ? BPF_ALU : BPF_ALU64) | BPF_MOV | BPF_K, d.n, 0, 0, parseImm32(l, d.w))];
}

/** `rD = (s8|s16|s32)rS`, `wD = (s8|s16)wS` */
function movsx(l: Line, d: Reg): Insn {
  l.expect("(");
  const t = l.next();
  const bits = t && { s8: 8, s16: 16, s32: 32 }[t.text];
  if (!bits || (bits === 32 && d.w)) throw l.error(t, `expected ${d.w ? "s8 or s16" : "s8, s16 or s32"} (sign extension), found ${found(t)}`);
  l.expect(")");
  const s = parseReg(l);
  width(l, s, d.w, `sign-extended into ${d.tok.text}`);
  return insn((d.w ? BPF_ALU : BPF_ALU64) | BPF_MOV | BPF_X, d.n, s.n, bits, 0);
}

/** `rD = be16 rD`, `le32`, `bswap64` (in place) */
function endian(l: Line, d: Reg, kind: string, bits: number): Insn {
  l.next();
  width(l, d, false, `${kind}${bits} works on the 64-bit register`);
  const s = parseReg(l);
  if (s.n !== d.n || s.w) throw l.error(s.tok, `byte swaps work in place: expected ${d.tok.text} = ${kind}${bits} ${d.tok.text}`);
  const code = kind === "bswap" ? BPF_ALU64 | BPF_END : BPF_ALU | BPF_END | (kind === "be" ? BPF_TO_BE : BPF_TO_LE);
  return insn(code, d.n, 0, 0, bits);
}

/** `rD = *(type *)(rS + off)` (LDX/LDSX) and the legacy `r0 = *(type *)skb[imm]`, `skb[rS + imm]` */
function load(l: Line, d: Reg): Insn {
  l.expect("*");
  const ty = parseTypeCast(l);
  if (l.peek()?.text === "skb") return packetLoad(l, d, ty);
  const [s, off] = parseAddr(l);
  if (d.w && (ty.size === 0x18 || ty.signed)) throw l.error(d.tok, `a ${ty.tok.text} load fills the 64-bit register: expected r${d.n}`);
  return insn(BPF_LDX | (ty.signed ? BPF_MEMSX : BPF_MEM) | ty.size, d.n, s.n, off, 0);
}

function packetLoad(l: Line, d: Reg, ty: { size: number; signed: boolean; tok: Tok }): Insn {
  l.next();
  if (d.n !== 0 || d.w) throw l.error(d.tok, "legacy packet loads always write r0");
  if (ty.signed || ty.size === 0x18) throw l.error(ty.tok, "legacy packet loads take u8, u16 or u32");
  l.expect("[", " after 'skb'");
  let src = 0;
  let imm = 0;
  let mode = BPF_ABS;
  if (isRegTok(l.peek())) {
    const s = parseReg(l);
    width(l, s, false, "an index register is 64-bit");
    src = s.n;
    mode = BPF_IND;
    if (l.peek()?.text === "+" || l.peek()?.text === "-") imm = parseImm32(l, false, "an offset");
  } else imm = parseImm32(l, false, "an offset");
  l.expect("]");
  return insn(BPF_LD | mode | ty.size, 0, src, 0, imm);
}

/** `rD = map[name|fd] ll`, `map_value[name|fd + off]`, `func[name|pc+N]`, `btf_id[N]`, `map_idx[N]`, `map_idx_value[N + off]` */
function pseudoLoad(l: Line, d: Reg, slot: number): Insn[] {
  const kindTok = l.next()!;
  const src = [...PSEUDO_NAMES].find(([, n]) => n === kindTok.text)![0];
  if (d.w) throw l.error(d.tok, `an LD_IMM64 loads a 64-bit register: expected r${d.n}`);
  l.expect("[");
  let imm = 0;
  let hi = 0;
  if (src === BPF_PSEUDO_FUNC) {
    const t = l.peek();
    if (t?.kind !== "id" && !(t?.kind === "num" && /[fb]$/i.test(t.text))) throw l.error(t, `expected a function name or pc+N, found ${found(t)}`);
    imm = parseTarget(l, slot, "imm", true);
  } else if ((src === 1 || src === 2) && l.peek()?.kind === "id") {
    const t = l.next()!;
    const fd = l.st.opts.maps?.indexOf(t.text) ?? -1;
    if (fd < 0) {
      const known = l.st.opts.maps?.length ? `declared maps: ${l.st.opts.maps.join(", ")}` : "no maps are declared";
      throw l.error(t, `unknown map '${t.text}' (${known})`);
    }
    imm = fd;
  } else imm = parseImm32(l, true, src === 1 || src === 2 ? "a map name or fd" : "a number");
  if ((src === 2 || src === 6) && (l.peek()?.text === "+" || l.peek()?.text === "-")) {
    const neg = l.next()!.text === "-";
    const t = l.next();
    if (t?.kind !== "num" || (/[fb]$/i.test(t.text) && !/^0x/i.test(t.text))) throw l.error(t, `expected an offset into the map value, found ${found(t)}`);
    const v = Number(t.text) * (neg ? -1 : 1);
    if (v < 0 || v > 0xffff_ffff) throw l.error(t, `map value offset ${v} does not fit an unsigned 32-bit offset`);
    hi = v | 0;
  }
  l.expect("]");
  l.accept("ll");
  return [insn(LD_IMM64, d.n, src, 0, imm), insn(0, 0, 0, 0, hi)];
}

/**
 * The value-returning atomics, in LLVM's spelling (`rS = atomic_fetch_add((u64 *)(rD + off), rS)`,
 * `rS = xchg_64(rD + off, rS)`, `r0 = cmpxchg_64(rD + off, r0, rS)`, `rD = load_acquire((u64 *)(rS + off))`) and in
 * the kernel verifier log's (`atomic64_fetch_add((u64 *)...)`, `atomic_xchg((u32 *)...)`, `atomic64_cmpxchg(...)`).
 */
function atomicCall(l: Line, d: Reg): Insn | undefined {
  const name = l.peek()!.text;
  if (name === "load_acquire") return loadAcquire(l, d);
  const llvm = name.match(/^(xchg|cmpxchg)(_64|32_32)$/);
  const kernel = name.match(/^atomic(64)?_(?:fetch_(add|or|and|xor)|(xchg|cmpxchg))$/);
  if (!llvm && !kernel) return undefined;
  l.next();
  l.expect("(", ` after '${name}'`);
  const kind = llvm ? llvm[1]! : (kernel![2] ?? kernel![3])!;
  let size: number;
  if (llvm) size = llvm[2] === "_64" ? 0x18 : 0x00;
  else {
    const ty = parseTypeCast(l);
    size = atomicSize(l, ty);
    if (kernel![1] && size !== 0x18) throw l.error(ty.tok, `'${name}' is the 64-bit form: expected (u64 *)`);
  }
  const [dst, off] = parseAddr(l, !llvm);
  l.expect(",", " after the address");
  const wide = size === 0x18;
  if (kind === "cmpxchg") {
    const old = parseReg(l, "r0 (the expected value)");
    if (d.n !== 0 || old.n !== 0) throw l.error(d.n !== 0 ? d.tok : old.tok, `cmpxchg compares with and returns in r0: expected r0 = ${name}(..., r0, rS)`);
    l.expect(",", " after r0");
  }
  const s = parseReg(l, "the value register");
  l.expect(")");
  if (wide) width(l, s, false, "a 64-bit atomic");
  if (kind !== "cmpxchg" && s.n !== d.n) throw l.error(s.tok, `the old value comes back in the value register: expected ${d.tok.text} = ${name}(..., ${d.tok.text})`);
  if (wide) width(l, d, false, "a 64-bit atomic");
  const rmw = [...ATOMIC_RMW].find(([, a]) => a.fetch === `atomic_fetch_${kind}`)?.[0];
  const imm = kind === "xchg" ? BPF_XCHG : kind === "cmpxchg" ? BPF_CMPXCHG : rmw! | BPF_FETCH;
  return insn(BPF_STX | BPF_ATOMIC | size, dst.n, s.n, off, imm);
}

/** `rD = load_acquire((u64 *)(rS + off))`, `wD = load_acquire((u8 *)(rS + off))` */
function loadAcquire(l: Line, d: Reg): Insn {
  l.next();
  l.expect("(", " after 'load_acquire'");
  const ty = parseTypeCast(l);
  if (ty.signed) throw l.error(ty.tok, "load_acquire takes an unsigned type");
  const [s, off] = parseAddr(l);
  l.expect(")");
  if (ty.size === 0x18) width(l, d, false, "a 64-bit load");
  return insn(BPF_STX | BPF_ATOMIC | ty.size, d.n, s.n, off, BPF_LOAD_ACQ);
}

// ---------------------------------------------------------------------------------------------------------------
// Directives and labels

const FUNC_RET = ["scalar", "void", "ptr"] as const;

/** `.func name [global|static] [args=N] [ret=scalar|void|ptr]`, `.exception_callback name` */
function directive(l: Line): void {
  const t = l.next()!;
  if (t.text === ".exception_callback") {
    const n = l.next();
    if (n?.kind !== "id") throw l.error(n, `expected the callback's function name, found ${found(n)}`);
    if (l.st.exceptionCallback !== undefined) throw l.error(t, "multiple exception callback tags for main subprog");
    l.st.exceptionCallback = n.text;
    return l.end();
  }
  if (t.text !== ".func") throw l.error(t, `unknown directive '${t.text}' (expected .func, .exception_callback or .8byte)`);
  const n = l.next();
  if (n?.kind !== "id" || isRegTok(n)) throw l.error(n, `expected a function name after .func, found ${found(n)}`);
  let linkage: FuncDecl["linkage"] | undefined;
  let args: number | undefined;
  let ret: FuncDecl["ret"] | undefined;
  while (!l.atEnd()) {
    const a = l.next()!;
    if (a.text === "global" || a.text === "static") linkage = a.text;
    else if (a.text === "args" || a.text === "ret") {
      l.expect("=", ` after '${a.text}'`);
      const v = l.next();
      if (a.text === "args") {
        if (v?.kind !== "num" || !/^[0-5]$/.test(v.text)) throw l.error(v, `expected the number of arguments (0..5), found ${found(v)}`);
        args = Number(v.text);
      } else {
        ret = FUNC_RET.find((r) => r === v?.text);
        if (!ret) throw l.error(v, `expected ret=scalar, ret=void or ret=ptr, found ${found(v)}`);
      }
    } else throw l.error(a, `expected global, static, args=N or ret=scalar|void|ptr, found ${found(a)}`);
  }
  const decl = { name: n.text, ...(linkage && { linkage }), ...(args !== undefined && { args }), ...(ret && { ret }) };
  l.st.funcDirectives.push({ decl, at: n, line: l.no, lineText: l.text });
}

/** Consumes leading `name:` / `1:` label definitions. */
function labelDefs(l: Line): void {
  while ((l.peek()?.kind === "id" || l.peek()?.kind === "num") && l.peek(1)?.text === ":") {
    const t = l.next()!;
    l.next();
    const slot = l.st.insns.length;
    if (t.kind === "num") {
      if (!/^[0-9]+$/.test(t.text)) throw l.error(t, `'${t.text}' is not a label: numeric labels are plain decimal numbers`);
    } else {
      if (isRegTok(t) || t.text.startsWith(".")) throw l.error(t, `'${t.text}' cannot be a label name`);
      if (helperId(t.text) !== undefined || kfuncIdOf(l.st, t.text) !== undefined) {
        throw l.error(t, `label '${t.text}' has the name of a ${helperId(t.text) !== undefined ? "helper" : "kfunc"}: choose another`);
      }
      if (l.st.labels.has(t.text)) throw l.error(t, `label '${t.text}' is already defined (at slot ${l.st.labels.get(t.text)})`);
      l.st.labels.set(t.text, slot);
    }
    l.st.defs.push({ name: t.text, slot, order: l.st.order });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Driver

/** Assembles `text`; `file` names it in errors and in `lines`. Throws AsmError. */
export function assemble(text: string, file = "<asm>", opts: AsmOptions = {}): AsmProgram {
  const st: State = {
    file, opts, insns: [], lines: [], labels: new Map(), defs: [], fixups: [], funcDirectives: [], kfuncs: new Map(), order: 0,
  };
  text.split("\n").forEach((raw, k) => {
    const lineText = raw.replace(/\r$/, "");
    const l = new Line(st, k + 1, lineText, lex(lineText, (col, msg) => asmError(file, k + 1, col, lineText, msg)));
    st.order++;
    labelDefs(l);
    if (l.atEnd()) return;
    const head = l.peek()!;
    if (head.text.startsWith(".") && head.text !== ".8byte") return directive(l);
    const slots = statement(l);
    l.end();
    const pos = { file, line: l.no, col: head.col };
    for (const x of slots) {
      st.insns.push(x);
      st.lines.push(pos);
    }
  });
  const funcStarts = resolveFixups(st);
  return {
    insns: st.insns,
    funcs: buildFuncs(st, funcStarts),
    labels: st.labels,
    lines: st.lines,
    ...(st.exceptionCallback !== undefined && { exceptionCallback: st.exceptionCallback }),
    kfuncs: st.kfuncs,
    maps: opts.maps ?? [],
  };
}

/** Patches every label reference; returns the slots that calls and func[] loads target, with the names used. */
function resolveFixups(st: State): Map<number, string | undefined> {
  const funcStarts = new Map<number, string | undefined>();
  const fail = (f: Fixup, msg: string) => asmError(st.file, f.line, f.at.col, f.lineText, msg);
  for (const f of st.fixups) {
    let target: number | undefined;
    if (f.dir === "b") target = st.defs.filter((d) => d.name === f.label && d.order <= f.order).pop()?.slot;
    else if (f.dir === "f") target = st.defs.find((d) => d.name === f.label && d.order > f.order)?.slot;
    else target = st.labels.get(f.label);
    if (target === undefined) {
      const what = f.isFunc ? `unknown call target '${f.label}': not a label, a helper (bpf_...) or a kfunc` : `unknown label '${f.at.text}'`;
      throw fail(f, f.dir ? `no label '${f.label}' ${f.dir === "f" ? "after" : "before"} this line for '${f.at.text}'` : what);
    }
    const rel = target - f.slot - 1;
    if (f.field === "off" && (rel < -0x8000 || rel > 0x7fff)) {
      throw fail(f, `'${f.at.text}' is ${rel} slots away: does not fit the 16-bit offset (use gotol)`);
    }
    const x = st.insns[f.slot]!;
    st.insns[f.slot] = f.field === "off" ? insn(x.code, x.dst, x.src, rel, x.imm) : insn(x.code, x.dst, x.src, x.off, rel);
    if (f.isFunc && !funcStarts.has(target)) funcStarts.set(target, f.dir ? undefined : f.label);
  }
  return funcStarts;
}

/** The function table: slot 0, call/func[] targets and `.func` declarations, each named and sorted by start. */
function buildFuncs(st: State, callTargets: Map<number, string | undefined>): FuncDecl[] {
  const bySlot = new Map<number, FuncDecl>();
  for (const fd of st.funcDirectives) {
    const start = st.labels.get(fd.decl.name);
    const err = (msg: string) => asmError(st.file, fd.line, fd.at.col, fd.lineText, msg);
    if (start === undefined) throw err(`'.func ${fd.decl.name}' names no label: define '${fd.decl.name}:' at the function's first instruction`);
    const other = bySlot.get(start);
    if (other) throw err(other.name === fd.decl.name ? `'.func ${fd.decl.name}' is declared twice` : `functions '${other.name}' and '${fd.decl.name}' start at the same slot ${start}`);
    const { name, args, ret } = fd.decl;
    const linkage = fd.decl.linkage ?? (start === 0 ? "global" : "static");
    bySlot.set(start, { name, start, linkage, ...(args !== undefined && { args }), ...(ret && { ret }) });
  }
  const firstLabel = (slot: number) => st.defs.find((d) => d.slot === slot && st.labels.get(d.name) === slot)?.name;
  if (!bySlot.has(0)) bySlot.set(0, { name: firstLabel(0) ?? "main", start: 0, linkage: "global" });
  for (const [slot, used] of callTargets) {
    if (!bySlot.has(slot)) bySlot.set(slot, { name: firstLabel(slot) ?? used ?? `func${slot}`, start: slot, linkage: "static" });
  }
  // The exception callback is a function even when nothing calls it (the kernel adds it as a subprogram).
  const cb = st.exceptionCallback === undefined ? undefined : st.labels.get(st.exceptionCallback);
  if (cb !== undefined && !bySlot.has(cb)) bySlot.set(cb, { name: st.exceptionCallback!, start: cb, linkage: "static" });
  return [...bySlot.values()].sort((a, b) => a.start - b.start);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading llvm-objdump

/** What parseObjdump read. */
export interface ObjdumpProgram {
  readonly insns: Insn[];
  /** Symbol lines (`0000000000000000 <name>:`) -> the slot they label. */
  readonly symbols: Map<string, number>;
  /** objdump line of each slot. */
  readonly lines: SourcePos[];
  /**
   * Slots taken from the bytes column because the text does not say everything: `<unknown>` (LLVM 19 does not
   * decode load-acquire/store-release), and lines whose text reads back to other bytes. LLVM 19 prints a
   * bpf-to-bpf call like a helper call (`call -0x2`: src_reg lost) and `skb[rN]` without its offset.
   */
  readonly fromBytes: Array<{ slot: number; text: string; reason: string }>;
}

/** `   12:\t<8 or 16 bytes>\t<text>` (address and bytes optional, as --no-leading-addr / --no-show-raw-insn print). */
const OBJDUMP_INSN = /^\s*(?:([0-9]+):\s+)?((?:[0-9a-f]{2} ){7}[0-9a-f]{2}(?: (?:[0-9a-f]{2} ){7}[0-9a-f]{2})?)?\s*(.*)$/;
const OBJDUMP_SYMBOL = /^\s*(?:[0-9a-f]+ )?<([^>]+)>:\s*$/;
const OBJDUMP_SKIP = /^\s*$|file format|^Disassembly of section|^\s*[0-9a-f]+:\s+R_BPF_/;

/**
 * Reads what `llvm-objdump-19 -d --mcpu=v4` prints for BPF (run it with --mcpu=v4: by default LLVM 19 prints the
 * 32-bit atomic fetch operations as plain `lock ... +=`). The text of each line is assembled with `assemble`;
 * where objdump also printed the bytes and they disagree with the text, the bytes win and `fromBytes` says so.
 */
export function parseObjdump(text: string, file = "<objdump>"): ObjdumpProgram {
  const src: string[] = [];
  const srcLines: number[] = [];
  const bytesOf: Array<string | undefined> = [];
  const symbols = new Map<string, number>();
  let slot = 0;
  text.split("\n").forEach((raw, k) => {
    const line = raw.replace(/\r$/, "");
    const sym = line.match(OBJDUMP_SYMBOL);
    if (sym) return void symbols.set(sym[1]!, slot);
    if (OBJDUMP_SKIP.test(line)) return;
    const m = line.match(OBJDUMP_INSN)!;
    if (m[1] !== undefined && Number(m[1]) !== slot) {
      throw asmError(file, k + 1, 1, line, `expected slot ${slot} here, found ${m[1]}: is a line missing?`);
    }
    const bytes = m[2]?.replace(/ /g, "");
    let body = m[3]!.replace(/\s*<[^<>]*>\s*$/, "").trim();
    if (body === "<unknown>") {
      if (!bytes) throw asmError(file, k + 1, 1, line, "objdump could not decode this instruction and printed no bytes for it");
      body = raw64(bytes.slice(0, 16));
    } else body = fromLdPseudo(body);
    src.push(body);
    srcLines.push(k + 1);
    bytesOf.push(bytes);
    slot += bytes && bytes.length === 32 ? 2 : body.endsWith(" ll") ? 2 : 1;
  });
  let p: AsmProgram;
  try {
    p = assemble(src.join("\n"), file);
  } catch (e) {
    if (!(e instanceof AsmError)) throw e;
    const n = srcLines[e.pos.line - 1]!;
    throw asmError(file, n, 1, text.split("\n")[n - 1]!, e.reason);
  }
  return { ...checkAgainstBytes(p, src, bytesOf), symbols, lines: p.lines.map((pos) => ({ file, line: srcLines[pos.line - 1]!, col: 1 })) };
}

/** `.8byte` for the first 8 bytes of a hex string (little-endian). */
function raw64(hex: string): string {
  const le = hex.match(/../g)!.reverse().join("");
  return `.8byte 0x${le}`;
}

/** LLVM's `ld_pseudo rD, K, IMM` (an LD_IMM64 with src_reg K) in our syntax; the second slot's imm is not printed. */
function fromLdPseudo(body: string): string {
  const m = body.match(/^ld_pseudo\s+(r[0-9]+),\s*(\S+),\s*(-?\S+)$/);
  if (!m) return body;
  const kind = PSEUDO_NAMES.get(Number(m[2]));
  if (!kind) return body;
  const imm = Number(m[3]);
  return `${m[1]} = ${kind}[${kind === "func" ? `pc${imm < 0 ? "" : "+"}${imm}` : imm}] ll`;
}

function checkAgainstBytes(p: AsmProgram, src: string[], bytesOf: Array<string | undefined>): Pick<ObjdumpProgram, "insns" | "fromBytes"> {
  const insns = p.insns.slice();
  const fromBytes: ObjdumpProgram["fromBytes"] = [];
  for (let i = 0, line = 0; i < insns.length; line++) {
    const n = insns[i]!.code === LD_IMM64 ? 2 : 1;
    const bytes = bytesOf[line];
    const ours = Buffer.alloc(8 * n);
    for (let k = 0; k < n; k++) {
      const x = insns[i + k]!;
      ours.writeUInt8(x.code, 8 * k);
      ours.writeUInt8((x.src << 4) | x.dst, 8 * k + 1);
      ours.writeInt16LE(x.off, 8 * k + 2);
      ours.writeInt32LE(x.imm, 8 * k + 4);
    }
    if (bytes && bytes.length === ours.length * 2 && bytes !== ours.toString("hex")) {
      const b = Buffer.from(bytes, "hex");
      for (let k = 0; k < n; k++) insns[i + k] = insn(b[8 * k]!, b[8 * k + 1]! & 0xf, b[8 * k + 1]! >> 4, b.readInt16LE(8 * k + 2), b.readInt32LE(8 * k + 4));
      fromBytes.push({ slot: i, text: src[line]!, reason: `the text reads back as ${ours.toString("hex")}, the bytes are ${bytes}` });
    } else if (src[line]!.startsWith(".8byte")) {
      fromBytes.push({ slot: i, text: "<unknown>", reason: "objdump could not decode it" });
    }
    i += n;
  }
  return { insns, fromBytes };
}
