/**
 * @fileoverview Decoding, derived from the table (there is no hand-kept reverse table):
 *
 * - 16-bit words: each halfword is classified against the compressed rows the first time it is decoded, and the
 *   row index remembered in an Int16Array of all 65,536 halfwords (-1 = illegal or reserved), so decoding a
 *   compressed instruction is then one array load plus field extraction.
 * - 32-bit words: rows are indexed by opcode[6:2] | funct3 | funct7 (15 bits); each slot lists the rows that can
 *   match it, most specific first (c.f. clz before an R-type row with the same funct7), and a word is checked
 *   against their mask/match. A slot's list is likewise built the first time a word with that key is decoded.
 *
 * Both tables fill on first use rather than at module load: classifying every halfword up front took ~50 ms of a
 * cold process's start-up (every emulator run and every `rvjit` command pays it), while a program touches a few
 * hundred distinct encodings at most. After warm-up decoding costs one more comparison than a prebuilt table.
 *
 * A row matches when the word agrees with its fixed bits and the operands it requires to be non-zero are (c.lwsp
 * with rd = 0, c.addi4spn with imm = 0, c.jr with rs1 = 0 are reserved). HINT encodings (c.li zero,1; c.slli64;
 * c.addi with imm 0) are legal instructions and decode.
 *
 * A compressed form decodes with the operands of the instruction it expands to (c.addi a0,1: rd = rs1 = a0;
 * c.lwsp: rs1 = sp; c.mv: rs1 = zero), so `expand(d)` only renames it.
 */
import type { DecodedFields } from "./formats.js";
import { hasExt, type IsaConfig } from "./isa-config.js";
import type { Mnemonic } from "./isa.js";
import { ROW_OF, ROWS, type Row } from "./rows.js";

/**
 * A decoded instruction: its row, and the operand fields the row's format fills in (formats.ts DecodedFields;
 * imm is in the instruction's own units: bytes for offsets, the 20-bit field (signed) for lui/auipc/c.lui, shamt).
 */
export interface Decoded extends DecodedFields {
  m: Mnemonic;
  /** The row's index in table order (MNEMONICS[op] === m): a small integer to switch on. */
  op: number;
  size: 2 | 4;
}

function blank(r: Row): Decoded {
  return { m: r.m, op: r.index, size: r.size, rd: 0, rs1: 0, rs2: 0, imm: 0, aq: false, rl: false, pred: 0, succ: 0 };
}

/** Decodes `w` as row `r`, which is known to match its fixed bits. */
function fill(r: Row, w: number): Decoded {
  const d = blank(r);
  r.codec.decode(w, d);
  const fixed = r.fixed;
  for (let i = 0; i < fixed.length; i++) d[fixed[i]![0]] = fixed[i]![1];
  return d;
}

/** True when `w` satisfies the row's operand rules (non-zero fields, rd exclusions). */
function operandsAllowed(r: Row, w: number): boolean {
  if (r.nz.length === 0 && r.rdNot < 0) return true;
  const d = fill(r, w);
  for (const k of r.nz) if (d[k] === 0) return false;
  return d.rd !== r.rdNot;
}

const popcount = (x: number): number => {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n++;
  return n;
};
/** Most specific first; ties keep table order. */
const bySpecificity = (a: Row, b: Row): number => popcount(b.mask) - popcount(a.mask) || a.index - b.index;

// ---- 16-bit: each halfword classified once, on first use --------------------------------------------------------

const C_ROWS = ROWS.filter((r) => r.size === 2).sort(bySpecificity);

/** HALF entry of a halfword not classified yet. */
const UNSEEN = -2;
/** Row index for every halfword, -1 when illegal/reserved (and for the 32-bit prefixes, low bits 11). */
const HALF = new Int16Array(65536).fill(UNSEEN);

/** The most specific compressed row that `h` encodes, or -1. */
function classifyHalf(h: number): number {
  if ((h & 3) === 3) return -1;
  for (const r of C_ROWS) if ((h & r.mask) === r.match && operandsAllowed(r, h)) return r.index;
  return -1;
}

// ---- 32-bit: rows indexed by opcode[6:2], funct3, funct7, each slot listed on first use -------------------------

const keyOf = (w: number): number => ((w >>> 2) & 0x1f) | (((w >>> 12) & 7) << 5) | (((w >>> 25) & 0x7f) << 8);
/** The bits of a word that make up its key. */
const KEY_BITS = 0xfe00707c;
/** A word whose key bits are `key` (the inverse of keyOf on KEY_BITS). */
const wordOfKey = (key: number): number => (((key & 0x1f) << 2) | (((key >>> 5) & 7) << 12) | ((key >>> 8) << 25)) >>> 0;

const W_ROWS = ROWS.filter((r) => r.size === 4);
/** Per key: the rows that can match a word with that key, most specific first (undefined: not listed yet). */
const WIDE: Array<readonly Row[] | undefined> = new Array<readonly Row[] | undefined>(1 << 15).fill(undefined);

/** Rows whose fixed key bits agree with `key`: the others can never match a word with this key. */
function wideRows(key: number): readonly Row[] {
  const w = wordOfKey(key);
  const list = W_ROWS.filter((r) => ((w ^ r.match) & r.mask & KEY_BITS) === 0).sort(bySpecificity);
  WIDE[key] = list;
  return list;
}

// ---- API -------------------------------------------------------------------------------------------------------

/**
 * Decodes the instruction at the start of `word` (a 32-bit little-endian fetch; a compressed instruction uses only
 * its low half). Undefined when the bits are illegal, reserved, or an extension `isa` does not have.
 */
export function decode(word: number, isa?: IsaConfig): Decoded | undefined {
  let r: Row | undefined;
  let w = word;
  if ((w & 3) !== 3) {
    w &= 0xffff;
    let i = HALF[w]!;
    if (i === UNSEEN) i = HALF[w] = classifyHalf(w);
    if (i < 0) return undefined;
    r = ROWS[i]!;
  } else {
    const key = keyOf(w);
    const list = WIDE[key] ?? wideRows(key);
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      if ((w & c.mask) >>> 0 === c.match && operandsAllowed(c, w)) {
        r = c;
        break;
      }
    }
    if (r === undefined) return undefined;
  }
  if (isa !== undefined && !hasExt(isa, r.spec.ext)) return undefined;
  return fill(r, w);
}

/** The 32-bit instruction a compressed one stands for, with the same operands; other instructions unchanged. */
export function expand(d: Decoded): Decoded {
  const to = ROW_OF.get(d.m)!.spec.expands;
  if (to === undefined) return d;
  const r = ROW_OF.get(to)!;
  return { ...d, m: r.m, op: r.index, size: 4 };
}

/** Size of the instruction starting with halfword `h`: 2 unless its low bits are 11. */
export function lengthOf(h: number): 2 | 4 {
  return (h & 3) === 3 ? 4 : 2;
}
