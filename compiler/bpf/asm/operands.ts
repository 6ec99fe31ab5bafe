/**
 * @fileoverview Operands of eBPF assembly statements: registers (rN, wN), integer literals and 32-bit immediates,
 * memory operands `(rN + off)`, access types `(u32 *)`, and jump/call targets (labels, `1f`/`1b`, `+N`, `pc+N`).
 */
import { SIZE_TYPES } from "../print.js";
import { found, isNumericLabelRef, type Tok } from "./lexer.js";
import type { Line } from "./state.js";

export interface Reg {
  readonly n: number;
  /** Written as wN (the 32-bit view). */
  readonly w: boolean;
  readonly tok: Tok;
}

export function parseReg(l: Line, what = "a register"): Reg {
  const t = l.next();
  const m = t?.kind === "id" ? t.text.match(/^([rw])([0-9]+)$/) : null;
  if (!t || !m) throw l.error(t, `expected ${what} (r0..r10 or w0..w10), found ${found(t)}`);
  const n = Number(m[2]);
  const max = l.st.opts.xlated ? 11 : 10;
  if (n > max) throw l.error(t, `${t.text} is not an eBPF register (r0..r${max})`);
  return { n, w: m[1] === "w", tok: t };
}

export const isRegTok = (t: Tok | undefined): boolean => t?.kind === "id" && /^[rw][0-9]+$/.test(t.text);

/** Requires `r` to be written with the given width letter. */
export function width(l: Line, r: Reg, w: boolean, why: string): void {
  if (r.w !== w) throw l.error(r.tok, `expected ${w ? "w" : "r"}${r.n} here (${why}), found ${r.tok.text}`);
}

/** A signed or unsigned integer literal, as a bigint (for 64-bit values). */
export function parseBig(l: Line, what: string): { v: bigint; tok: Tok } {
  const neg = l.peek()?.text === "-";
  if (neg || l.peek()?.text === "+") l.next();
  const t = l.next();
  if (t?.kind !== "num" || isNumericLabelRef(t)) throw l.error(t, `expected ${what}, found ${found(t)}`);
  const v = BigInt(t.text);
  return { v: neg ? -v : v, tok: t };
}

/**
 * A 32-bit immediate. Values are signed; `pattern` allows 0x80000000..0xffffffff as 32-bit bit patterns where the
 * operation is 32 bits wide. Where the immediate is sign-extended to 64 bits, they are refused: LLVM silently turns
 * `r1 = 0x80000000` into r1 = 0xffffffff80000000.
 */
export function parseImm32(l: Line, pattern: boolean, what = "an immediate"): number {
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
export function parseAddr(l: Line, parens = true): [Reg, number] {
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

/** An access type as written: its size field, whether it is signed (`s16`), and where it was written. */
export interface AccessType {
  readonly size: number;
  readonly signed: boolean;
  readonly tok: Tok;
}

const SIZE_OF = new Map<string, { size: number; signed: boolean }>();
for (const [size, t] of SIZE_TYPES) {
  SIZE_OF.set(t.u, { size, signed: false });
  if (t.s !== "s64") SIZE_OF.set(t.s, { size, signed: true });
}

/** `(u32 *)` -> its size field. */
export function parseTypeCast(l: Line): AccessType {
  l.expect("(", " before the access type");
  const t = l.next();
  const s = t && SIZE_OF.get(t.text);
  if (!t || !s) throw l.error(t, `expected an access type (u8, u16, u32, u64, s8, s16, s32), found ${found(t)}`);
  l.expect("*", ` after '${t.text}'`);
  l.expect(")", " after the access type");
  return { ...s, tok: t };
}

/** True at `pc+N` / `pc-N`, the verifier log's spelling of a relative target. */
export const atPcRelative = (l: Line): boolean => l.peek()?.text === "pc" && (l.peek(1)?.text === "+" || l.peek(1)?.text === "-");

/** A jump target: a label, `1f`/`1b`, or a signed slot offset; records a fixup for labels. */
export function parseTarget(l: Line, slot: number, field: "off" | "imm", isFunc = false): number {
  if (atPcRelative(l)) l.next();
  const t = l.peek();
  if (t?.kind === "id" && !isRegTok(t)) {
    l.next();
    l.st.fixups.push({ slot, field, label: t.text, order: l.st.order, at: t, line: l.no, lineText: l.text, isFunc });
    return 0;
  }
  if (t && isNumericLabelRef(t)) {
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
