/**
 * @fileoverview Literals in spec directives: integers, byte strings, and the tokens they are split into.
 *
 *   integers   42  -1  0x2a  0b101010  0o52  1_000_000       (any of them up to 64 bits, signed or unsigned)
 *   bytes      [01 02 03 04]  [01020304]  [00*64]  [45 00*3]  (hex bytes in memory order; XX*N repeats a byte)
 *
 * Tokens are separated by blanks, except inside [...], so a byte string is one token.
 */
import { SpecError, type SourcePos } from "./errors.js";
import { plural } from "../plural.js";

export interface Token {
  text: string;
  /** 1-based column of the token's first character in its line. */
  col: number;
}

/** Splits `text` (which starts at column `col0`) into blank-separated tokens, keeping [...] groups whole. */
export function tokenize(text: string, col0: number, at: (col: number) => SourcePos): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    const start = i;
    let depth = 0;
    while (i < text.length && (depth > 0 || !/\s/.test(text[i]!))) {
      if (text[i] === "[") depth++;
      else if (text[i] === "]") depth--;
      if (depth < 0) throw new SpecError(at(col0 + i), "unbalanced ']'");
      i++;
    }
    if (depth > 0) throw new SpecError(at(col0 + start), "unclosed '[': a byte string ends with ']'");
    out.push({ text: text.slice(start, i), col: col0 + start });
  }
  return out;
}

const INT_RE = /^([+-]?)(0x[0-9a-f_]+|0b[01_]+|0o[0-7_]+|[0-9][0-9_]*)$/i;
const MIN_S64 = -(1n << 63n);
const MAX_U64 = (1n << 64n) - 1n;

/** An integer literal as written (may be negative); throws a SpecError unless it fits in 64 bits. */
export function parseInteger(text: string, pos: SourcePos, what = "integer"): bigint {
  const m = INT_RE.exec(text);
  if (!m || m[2]!.endsWith("_") || /^0[xbo]_/i.test(m[2]!)) {
    throw new SpecError(pos, `${what}: '${text}' is not an integer (write 42, -1, 0x2a or 0b101)`);
  }
  const magnitude = BigInt(m[2]!.replace(/_/g, ""));
  const v = m[1] === "-" ? -magnitude : magnitude;
  if (v < MIN_S64 || v > MAX_U64) throw new SpecError(pos, `${what}: ${text} does not fit in 64 bits`);
  return v;
}

/** Two's complement of a 64-bit-range integer, as u64. */
export function toU64(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}

/** A small non-negative integer (sizes, offsets, counts). */
export function parseCount(text: string, pos: SourcePos, what: string, max = 1 << 30): number {
  const v = parseInteger(text, pos, what);
  if (v < 0n || v > BigInt(max)) throw new SpecError(pos, `${what}: ${text} is out of range (0..${max})`);
  return Number(v);
}

/** True if `text` is written as a byte string. */
export function isBytesLiteral(text: string): boolean {
  return text.startsWith("[");
}

/** `[01 02 0304 00*16]` -> bytes. `pos` is the position of the '['. */
export function parseBytes(text: string, pos: SourcePos, what = "bytes"): Uint8Array {
  if (!text.startsWith("[") || !text.endsWith("]")) {
    throw new SpecError(pos, `${what}: '${text}' is not a byte string (write [01 02 03] or [00*16])`);
  }
  const out: number[] = [];
  const inner = text.slice(1, -1);
  const re = /\S+/g;
  for (let m = re.exec(inner); m; m = re.exec(inner)) {
    const word = m[0];
    const at = { ...pos, col: pos.col + 1 + m.index };
    const rep = /^([0-9a-f]{2})\*(\d+)$/i.exec(word);
    if (rep) {
      const n = Number(rep[2]);
      if (n > 1 << 20) throw new SpecError(at, `${what}: repeat count ${n} is too large`);
      for (let k = 0; k < n; k++) out.push(parseInt(rep[1]!, 16));
    } else if (/^(?:[0-9a-f]{2})+$/i.test(word)) {
      for (let k = 0; k < word.length; k += 2) out.push(parseInt(word.slice(k, k + 2), 16));
    } else {
      throw new SpecError(at, `${what}: '${word}' is not hex bytes (two hex digits per byte, or XX*N to repeat one)`);
    }
  }
  return Uint8Array.from(out);
}

/** `v` as `size` little-endian bytes; throws if it does not fit (as signed or unsigned). */
export function intToLE(v: bigint, size: number, pos: SourcePos, what: string): Uint8Array {
  const bits = BigInt(size * 8);
  if (v >= 1n << bits || v < -(1n << (bits - 1n))) {
    throw new SpecError(pos, `${what}: ${v} does not fit in ${plural(size, "byte")}`);
  }
  let u = BigInt.asUintN(size * 8, v);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

/** An integer or a byte string, as exactly `size` bytes (integers little-endian). */
export function parseSized(text: string, pos: SourcePos, size: number, what: string): Uint8Array {
  if (isBytesLiteral(text)) {
    const b = parseBytes(text, pos, what);
    if (b.length !== size) throw new SpecError(pos, `${what}: ${b.length} bytes given, ${size} expected`);
    return b;
  }
  return intToLE(parseInteger(text, pos, what), size, pos, what);
}

/** Lower-case hex of bytes, for messages and goldens. */
export function hex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** A u64 the way goldens and messages print it: decimal when small, else hex. */
export function showU64(v: bigint): string {
  const u = BigInt.asUintN(64, v);
  return u < 0x10000n ? u.toString() : `0x${u.toString(16)}`;
}
