/**
 * @fileoverview A small RV64 assembler for GNU-syntax text: one instruction per line (or `;`-separated), `#` and
 * `//` comments, `label:` definitions, ABI or xN register names, and every spelling the disassembler prints:
 * the canonical mnemonics of the table, `.aq`/`.rl`/`.aqrl` suffixes, objdump's aliases (li, mv, j, ret, beqz,
 * sext.w, `add a0,a0,1`, ...) plus bgt/ble/bgtu/bleu. The accepted spellings come from the table and the
 * disassembler's alias list, so `assemble(listing(x))` gives back x for `-M no-aliases` text, and for the alias
 * text of any 32-bit code.
 *
 * Instructions are encoded as written: no relaxation and no automatic compression (write c.* forms), like GNU as
 * under `.option norvc`. Branch and jump targets are a label, `.` or `label` plus or minus a number, or an absolute
 * address (a plain number, as GNU as reads it and as the listing prints it). Data: `.2byte`/`.half`,
 * `.4byte`/`.word`. Every error is an AsmError carrying file:line:col.
 */
import { EncodeError, type Operands } from "./formats.js";
import { encode } from "./encode.js";
import { FULL_ISA, hasExt, isaName, type IsaConfig } from "./isa-config.js";
import { ALIASES, type Cond } from "./disasm.js";
import type { Mnemonic } from "./isa.js";
import { parseReg } from "./regs.js";
import { ROW_OF, ROWS, type Row } from "./rows.js";

export interface AsmOptions {
  /** Extensions allowed (default: all of the table's); an instruction outside it is an error naming it. */
  isa?: IsaConfig;
  /** Address of the first byte, for absolute branch targets (default 0). */
  base?: bigint;
  /** File name for error locations (default "<input>"). */
  file?: string;
}

export interface AsmInsn {
  offset: number;
  size: 2 | 4;
  word: number;
  /** 1-based source line. */
  line: number;
}

export interface AsmResult {
  bytes: Uint8Array;
  insns: AsmInsn[];
  /** Label -> byte offset. */
  labels: Map<string, number>;
}

export class AsmError extends Error {
  constructor(readonly file: string, readonly line: number, readonly col: number, readonly detail: string) {
    super(`${file}:${line}:${col}: ${detail}`);
    this.name = "AsmError";
  }
}

// ---- Spellings: the table's canonical ones, objdump's aliases, and GNU's swapped branches --------------------------

interface Spelling {
  row: Row;
  name: string;
  /** Template split at top-level commas: "rd", "imm(rs1)", "off", "sp", ... */
  operands: string[];
  when: Cond;
}

const SWAPPED: ReadonlyArray<readonly [string, Mnemonic]> = [["bgt", "blt"], ["ble", "bge"], ["bgtu", "bltu"], ["bleu", "bgeu"]];

const SPELLINGS: ReadonlyMap<string, readonly Spelling[]> = (() => {
  const map = new Map<string, Spelling[]>();
  const add = (row: Row, name: string, template: string, when: Cond): void => {
    const operands = template === "" ? [] : template.split(",");
    (map.get(name) ?? map.set(name, []).get(name)!).push({ row, name, operands, when });
  };
  for (const r of ROWS) add(r, r.m, r.spec.asm, {});
  for (const r of ROWS) {
    for (const [when, name, template] of ALIASES[r.m] ?? []) {
      // Compressed rows print as 32-bit spellings; reading those back must give the 32-bit instruction.
      if (name !== null && (r.size === 4 || name.startsWith("c."))) add(r, name, template, when);
    }
  }
  for (const [name, m] of SWAPPED) add(ROW_OF.get(m)!, name, "rs2,rs1,off", {});
  return map;
})();

// ---- Operands --------------------------------------------------------------------------------------------------

/** A source operand and its 1-based column. */
interface Src {
  text: string;
  col: number;
}

/** A branch/jump target, resolved once labels are known. */
interface Target {
  label?: string;
  dot: boolean;
  addend: bigint;
  col: number;
}

const NUMBER = /^[+-]?(0x[0-9a-f]+|0b[01]+|[0-9]+)$/i;

function parseNumber(s: string): bigint | undefined {
  const t = s.replace(/\s+/g, "");
  if (!NUMBER.test(t)) return undefined;
  const neg = t.startsWith("-");
  const v = BigInt(t.replace(/^[+-]/, ""));
  return neg ? -v : v;
}

function parseTarget(s: string, col: number): Target | undefined {
  const n = parseNumber(s);
  if (n !== undefined) return { dot: false, addend: n, col };
  const m = /^(\.|[A-Za-z_$][\w.$]*)\s*(?:([+-])\s*(0x[0-9a-f]+|0b[01]+|[0-9]+))?$/i.exec(s.trim());
  if (!m) return undefined;
  const addend = m[2] === undefined ? 0n : (m[2] === "-" ? -1n : 1n) * BigInt(m[3]!);
  return m[1] === "." ? { dot: true, addend, col } : { label: m[1]!, dot: false, addend, col };
}

const FENCE_LETTERS = "iorw";
function parseFenceSet(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (t === "unknown" || t === "0") return 0;
  if (/^[0-9]+$/.test(t)) return Number(t) <= 15 ? Number(t) : undefined;
  if (!/^[iorw]+$/.test(t)) return undefined;
  let v = 0;
  for (const ch of t) v |= 8 >> FENCE_LETTERS.indexOf(ch);
  return v;
}

interface Matched {
  ops: Operands;
  target?: Target;
  /** Column of each field's source operand, for errors. */
  cols: Record<string, number>;
}

/** Reads `src` as `sp`'s operands; a string is the reason it does not fit. */
function matchOperands(sp: Spelling, src: readonly Src[]): Matched | { error: string; col: number } {
  if (src.length !== sp.operands.length) {
    const want = sp.operands.length === 0 ? "no operands" : `${sp.operands.length} operand${sp.operands.length > 1 ? "s" : ""} (${sp.operands.join(",")})`;
    return { error: `'${sp.name}' takes ${want}, got ${src.length}`, col: src[0]?.col ?? 0 };
  }
  const out: Matched = { ops: { ...sp.when }, cols: {} };
  const reg = (field: "rd" | "rs1" | "rs2", text: string, col: number): string | undefined => {
    const r = parseReg(text.trim());
    if (r === undefined) return `expected a register for ${field}, got '${text.trim()}'`;
    out.ops[field] = r;
    out.cols[field] = col;
    return undefined;
  };
  for (let i = 0; i < src.length; i++) {
    const p = sp.operands[i]!;
    const { text, col } = src[i]!;
    let err: string | undefined;
    if (p === "rd" || p === "rs1" || p === "rs2") {
      err = reg(p, text, col);
    } else if (p === "sp") {
      if (parseReg(text.trim()) !== 2) err = `expected sp, got '${text.trim()}'`;
    } else if (p === "imm") {
      const n = parseNumber(text);
      if (n === undefined) err = `expected a number, got '${text.trim()}'`;
      else [out.ops.imm, out.cols.imm] = [Number(n), col];
    } else if (p === "off") {
      const t = parseTarget(text, col);
      if (t === undefined) err = `expected a branch target (label, address or .+n), got '${text.trim()}'`;
      else [out.target, out.cols.imm] = [t, col];
    } else if (p === "pred" || p === "succ") {
      const v = parseFenceSet(text);
      if (v === undefined) err = `expected a fence set (some of i,o,r,w), got '${text.trim()}'`;
      else [out.ops[p], out.cols[p]] = [v, col];
    } else {
      // imm(rs1), imm(sp), (rs1): an optional offset, then a base register in parentheses.
      const m = /^(.*?)\(\s*([^()]+?)\s*\)$/.exec(text.trim());
      const base = p.slice(p.indexOf("(") + 1, -1) as "rs1" | "sp";
      if (!m) err = `expected ${p}, got '${text.trim()}'`;
      else if (m[1]!.trim() !== "" && !p.startsWith("imm") && parseNumber(m[1]!) !== 0n) err = `'${sp.name}' takes no offset (only 0)`;
      else {
        const n = m[1]!.trim() === "" ? 0n : parseNumber(m[1]!);
        if (n === undefined) err = `expected an offset, got '${m[1]!.trim()}'`;
        else if (p.startsWith("imm")) [out.ops.imm, out.cols.imm] = [Number(n), col];
        if (err === undefined) {
          if (base === "sp") err = parseReg(m[2]!) === 2 ? undefined : `expected (sp), got '(${m[2]})'`;
          else err = reg("rs1", m[2]!, col);
        }
      }
    }
    if (err !== undefined) return { error: err, col };
  }
  return out;
}

/** Splits an operand string at commas not inside parentheses, keeping 1-based columns. */
function splitOperands(s: string, col0: number): Src[] {
  if (s.trim() === "") return [];
  const out: Src[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    const ch = s[i];
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    if (i === s.length || (ch === "," && depth === 0)) {
      const piece = s.slice(start, i);
      const lead = piece.length - piece.trimStart().length;
      out.push({ text: piece.trim(), col: col0 + start + lead });
      start = i + 1;
    }
  }
  return out;
}

// ---- Statements ------------------------------------------------------------------------------------------------

type Item =
  | { kind: "insn"; line: number; col: number; row: Row; name: string; m: Matched; offset: number; size: 2 | 4 }
  | { kind: "data"; line: number; size: 2 | 4; values: Array<{ v: bigint; col: number }>; offset: number };

function stripComment(line: string): string {
  const hash = line.indexOf("#");
  const slash = line.indexOf("//");
  const cut = Math.min(hash < 0 ? Infinity : hash, slash < 0 ? Infinity : slash);
  return cut === Infinity ? line : line.slice(0, cut);
}

const DATA: Record<string, 2 | 4> = { ".2byte": 2, ".half": 2, ".short": 2, ".4byte": 4, ".word": 4, ".long": 4 };
const IGNORED = new Set([".text", ".option"]);

/** Assembles `text`. Throws AsmError (file:line:col) for anything it cannot encode. */
export function assemble(text: string, opts: AsmOptions = {}): AsmResult {
  const file = opts.file ?? "<input>";
  const isa = opts.isa ?? FULL_ISA;
  const base = opts.base ?? 0n;
  const fail = (line: number, col: number, msg: string): never => {
    throw new AsmError(file, line, col, msg);
  };
  const items: Item[] = [];
  const labels = new Map<string, number>();
  let offset = 0;

  text.split(/\r?\n/).forEach((raw, li) => {
    const line = li + 1;
    let col0 = 0;
    for (const stmt of stripComment(raw).split(";")) {
      let rest = stmt;
      let col = col0 + 1;
      col0 += stmt.length + 1;
      for (let m = /^(\s*)([A-Za-z_.$][\w.$]*)\s*:/.exec(rest); m; m = /^(\s*)([A-Za-z_.$][\w.$]*)\s*:/.exec(rest)) {
        if (labels.has(m[2]!)) fail(line, col + m[1]!.length, `label '${m[2]}' is already defined`);
        labels.set(m[2]!, offset);
        col += m[0].length;
        rest = rest.slice(m[0].length);
      }
      const head = /^(\s*)([A-Za-z_.][\w.]*)(.*)$/.exec(rest);
      if (!head) {
        if (rest.trim() !== "") fail(line, col + rest.length - rest.trimStart().length, `cannot parse '${rest.trim()}'`);
        continue;
      }
      const name = head[2]!.toLowerCase();
      const nameCol = col + head[1]!.length;
      const src = splitOperands(head[3]!, nameCol + head[2]!.length);
      if (name.startsWith(".")) {
        if (IGNORED.has(name)) continue;
        const size = DATA[name] ?? fail(line, nameCol, `unsupported directive '${name}'`);
        const values = src.map(({ text: t, col: c }) => {
          const v = parseNumber(t) ?? fail(line, c, `expected a number, got '${t}'`);
          const bits = BigInt(size * 8);
          if (v < -(1n << (bits - 1n)) || v >= 1n << bits) fail(line, c, `${t} does not fit in ${size} bytes`);
          return { v: BigInt.asUintN(size * 8, v), col: c };
        });
        items.push({ kind: "data", line, size, values, offset });
        offset += size * values.length;
        continue;
      }
      const { spelling, matched } = pickSpelling(name, src, line, nameCol, fail);
      if (!hasExt(isa, spelling.row.spec.ext)) {
        const what = name === spelling.row.m ? `'${name}'` : `'${name}' (${spelling.row.m})`;
        fail(line, nameCol, `${what} needs extension ${spelling.row.spec.ext}, which ${isaName(isa)} does not have`);
      }
      items.push({ kind: "insn", line, col: nameCol, row: spelling.row, name, m: matched, offset, size: spelling.row.size });
      offset += spelling.row.size;
    }
  });

  const bytes = new Uint8Array(offset);
  const dv = new DataView(bytes.buffer);
  const insns: AsmInsn[] = [];
  for (const it of items) {
    if (it.kind === "data") {
      it.values.forEach(({ v }, i) => (it.size === 2 ? dv.setUint16(it.offset + 2 * i, Number(v), true) : dv.setUint32(it.offset + 4 * i, Number(v), true)));
      continue;
    }
    const ops: Operands = { ...it.m.ops };
    const t = it.m.target;
    if (t !== undefined) {
      let addr: bigint;
      if (t.label !== undefined) {
        const at = labels.get(t.label) ?? fail(it.line, t.col, `undefined label '${t.label}'`);
        addr = base + BigInt(at) + t.addend;
      } else {
        addr = t.dot ? base + BigInt(it.offset) + t.addend : t.addend;
      }
      // Addresses wrap at 2^64 (the listing prints a target below 0 as 0xffff...).
      ops.imm = Number(BigInt.asIntN(64, addr - (base + BigInt(it.offset))));
    }
    let word = 0;
    try {
      word = encode(it.row.m, ops);
    } catch (e) {
      if (!(e instanceof EncodeError)) throw e;
      const what = it.name === it.row.m ? e.message : e.message.replace(`${it.row.m}:`, `${it.name} (${it.row.m}):`);
      fail(it.line, it.m.cols[e.field] ?? it.col, what);
    }
    if (it.size === 2) dv.setUint16(it.offset, word, true);
    else dv.setUint32(it.offset, word, true);
    insns.push({ offset: it.offset, size: it.size, word, line: it.line });
  }
  return { bytes, insns, labels };
}

/** The first spelling of `name` whose operand shapes fit `src` (canonical first, then aliases in table order). */
function pickSpelling(name: string, src: readonly Src[], line: number, col: number, fail: (l: number, c: number, m: string) => never): { spelling: Spelling; matched: Matched } {
  let candidates = SPELLINGS.get(name);
  let order: { aq: boolean; rl: boolean } | undefined;
  if (candidates === undefined) {
    const m = /^(.*)\.(aq|rl|aqrl)$/.exec(name);
    const stem = m && SPELLINGS.get(m[1]!)?.filter((s) => s.row.spec.aqrl);
    if (!stem || stem.length === 0) return fail(line, col, `unknown instruction '${name}'`);
    candidates = stem;
    order = { aq: m![2] !== "rl", rl: m![2] !== "aq" };
  }
  let firstError: { error: string; col: number } | undefined;
  for (const sp of candidates) {
    const r = matchOperands(sp, src);
    if ("error" in r) {
      firstError ??= r;
      continue;
    }
    if (order) Object.assign(r.ops, order);
    return { spelling: sp, matched: r };
  }
  return fail(line, firstError!.col || col, firstError!.error);
}
