/**
 * @fileoverview Run cases: `; run [name]: <inputs> => <expectations>`.
 *
 *   inputs        r1=1 .. r5=-1          argument registers
 *                 ctx=[...] packet=[...] memory the program is given
 *                 counts[0]=5            a map element before the run (jt[1]=other for a prog_array;
 *                                        counts[0]=none removes an element the map declaration gives)
 *   expectations  r0=3                   eBPF R0 at exit (64 bits)
 *                 ret=-1                 the value the caller gets (R0 sign-extended from 32 bits)
 *                 throw=42               the program threw with this cookie
 *                 ctx[4]=[01 02]         memory after the run (also packet[...]),
 *                 ctx[4]:u32=7           or one little-endian integer of 1, 2, 4 or 8 bytes
 *                 counts[0]=6            a map element after the run; counts[7]=none: absent
 */
import { didYouMean, SpecError, type SourcePos } from "./errors.js";
import type { Expectation, MapDecl, MapWrite, MemRegion, RunCase } from "./model.js";
import { intToLE, isBytesLiteral, parseBytes, parseCount, parseInteger, parseSized, toU64, tokenize, type Token } from "./values.js";

type At = (col: number) => SourcePos;

const ELEMENT_RE = /^([A-Za-z_]\w*)\[(.*)\](?::(u8|u16|u32|u64))?$/;
const WIDTH: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8 };

/** Splits `key=value` at the first '=' outside brackets. */
function splitAssign(tok: Token, at: At, example: string): { key: string; value: string; valueCol: number } {
  let depth = 0;
  for (let i = 0; i < tok.text.length; i++) {
    const c = tok.text[i];
    if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "=" && depth === 0 && i > 0 && i < tok.text.length - 1) {
      return { key: tok.text.slice(0, i), value: tok.text.slice(i + 1), valueCol: tok.col + i + 1 };
    }
  }
  throw new SpecError(at(tok.col), `'${tok.text}' is not '<name>=<value>' (e.g. ${example})`);
}

/** `name[key]=value` for a declared map; `value` may be `none`; prog_array values are program names. */
export function parseMapWrite(key: string, keyCol: number, value: string, valueCol: number, maps: readonly MapDecl[], at: At): MapWrite {
  const m = ELEMENT_RE.exec(key);
  if (!m || m[3]) throw new SpecError(at(keyCol), `'${key}' is not a map element (write <map>[<key>])`);
  const decl = maps.find((d) => d.name === m[1]);
  if (!decl) {
    throw new SpecError(at(keyCol), `no map named '${m[1]}'${didYouMean(m[1]!, maps.map((d) => d.name))} (declare it with '; map ${m[1]}: array key=4 value=8 max=16')`);
  }
  const keyBytes = parseSized(m[2]!, at(keyCol + m[1]!.length + 1), decl.keySize, `key of ${decl.name}`);
  const pos = at(keyCol);
  if (value === "none") return { map: decl.name, key: keyBytes, value: null, pos };
  if (decl.type === "prog_array") {
    if (!/^[A-Za-z_]\w*$/.test(value)) throw new SpecError(at(valueCol), `a prog_array element is a program name or 'none', not '${value}'`);
    return { map: decl.name, key: keyBytes, value: { program: value }, pos };
  }
  return { map: decl.name, key: keyBytes, value: parseSized(value, at(valueCol), decl.valueSize, `value of ${decl.name}`), pos };
}

function parseInput(tok: Token, rc: RunCase, maps: readonly MapDecl[], at: At, seen: Set<string>): void {
  const { key, value, valueCol } = splitAssign(tok, at, "r1=5, ctx=[00*16]");
  if (seen.has(key)) throw new SpecError(at(tok.col), `'${key}' is given twice`);
  seen.add(key);
  const reg = /^r(\d+)$/.exec(key);
  if (reg) {
    const n = Number(reg[1]);
    if (n < 1 || n > 5) throw new SpecError(at(tok.col), `r${n} cannot be set: the program's inputs are r1-r5`);
    rc.args[n - 1] = toU64(parseInteger(value, at(valueCol), key));
  } else if (key === "ctx" || key === "packet") {
    rc[key] = parseBytes(value, at(valueCol), key);
  } else if (key.includes("[")) {
    rc.maps.push(parseMapWrite(key, tok.col, value, valueCol, maps, at));
  } else if (key === "r0" || key === "ret" || key === "throw") {
    throw new SpecError(at(tok.col), `'${key}' is an expectation: write it after '=>'`);
  } else {
    throw new SpecError(at(tok.col), `unknown input '${key}'${didYouMean(key, ["r1", "r2", "r3", "r4", "r5", "ctx", "packet"])} (inputs: r1-r5, ctx, packet, <map>[<key>])`);
  }
}

function parseMemExpect(region: MemRegion, inner: string, width: string | undefined, value: string, tok: Token, valueCol: number, at: At): Expectation {
  const offset = parseCount(inner, at(tok.col + region.length + 1), `${region} offset`);
  const pos = at(tok.col);
  const bytes = width
    ? intToLE(parseInteger(value, at(valueCol), `${region}[${inner}]`), WIDTH[width]!, at(valueCol), `${region}[${inner}]:${width}`)
    : isBytesLiteral(value)
      ? parseBytes(value, at(valueCol), `${region}[${inner}]`)
      : (() => { throw new SpecError(at(valueCol), `${region}[${inner}] compares bytes: write [01 02 ...], or give a width: ${region}[${inner}]:u32=${value}`); })();
  return { kind: "mem", region, offset, bytes, pos };
}

function parseExpectation(tok: Token, maps: readonly MapDecl[], at: At, seen: Set<string>): Expectation {
  const { key, value, valueCol } = splitAssign(tok, at, "r0=3, throw=42, ctx[0]:u32=1");
  if (seen.has(key)) throw new SpecError(at(tok.col), `'${key}' is expected twice`);
  seen.add(key);
  const pos = at(tok.col);
  if (key === "r0" || key === "ret") return { kind: key, value: toU64(parseInteger(value, at(valueCol), key)), pos };
  if (key === "throw") return { kind: "throw", cookie: toU64(parseInteger(value, at(valueCol), "cookie")), pos };
  const el = ELEMENT_RE.exec(key);
  if (el && (el[1] === "ctx" || el[1] === "packet")) return parseMemExpect(el[1], el[2]!, el[3], value, tok, valueCol, at);
  if (el) {
    const w = parseMapWrite(key, tok.col, value, valueCol, maps, at);
    if (w.value !== null && !(w.value instanceof Uint8Array)) {
      throw new SpecError(pos, "prog_array contents cannot be checked after a run");
    }
    return { kind: "map", map: w.map, key: w.key, value: w.value, pos };
  }
  if (/^r\d+$/.test(key)) throw new SpecError(pos, `only r0 can be checked after a run (r1-r5 are clobbered); '${key}' is not an expectation`);
  if (key === "ctx" || key === "packet") throw new SpecError(pos, `to check ${key} memory write ${key}[<offset>]=[bytes]`);
  throw new SpecError(pos, `unknown expectation '${key}'${didYouMean(key, ["r0", "ret", "throw"])} (expectations: r0, ret, throw, ctx[..], packet[..], <map>[<key>])`);
}

/** Parses the value of `; run [name]:` (the text from column `col0` of `line`). */
export function parseRun(index: number, name: string | undefined, value: string, col0: number, at: At, maps: readonly MapDecl[], pos: SourcePos): RunCase {
  const tokens = tokenize(value, col0, at);
  const arrow = tokens.findIndex((t) => t.text === "=>");
  const rc: RunCase = { index, pos, args: [], maps: [], expect: [] };
  if (name !== undefined) rc.name = name;
  if (arrow < 0) {
    throw new SpecError(at(tokens[0]?.col ?? col0), "a run case is '<inputs> => <expectations>', e.g. '; run: r1=1 r2=2 => r0=3' (inputs may be empty: '; run: => r0=0')");
  }
  const seenIn = new Set<string>();
  for (const t of tokens.slice(0, arrow)) parseInput(t, rc, maps, at, seenIn);
  const seenOut = new Set<string>();
  for (const t of tokens.slice(arrow + 1)) {
    if (t.text === "=>") throw new SpecError(at(t.col), "a run case has one '=>'");
    rc.expect.push(parseExpectation(t, maps, at, seenOut));
  }
  if (rc.expect.length === 0) {
    throw new SpecError(at(tokens[arrow]!.col), "nothing expected after '=>' (say what must hold, e.g. r0=0)");
  }
  return rc;
}
