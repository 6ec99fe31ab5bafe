/**
 * @fileoverview Statements that start with a register: ALU operations (`r0 += r1`, `w0 s/= 3`), moves and sign
 * extensions, negation, byte swaps, loads (LDX, LDSX, the legacy `skb[...]`), LD_IMM64 constants and pseudo loads
 * (`map[name]`, `func[name]`, ...), and the value-returning atomics (atomics.ts).
 */
import { ldImm64 } from "../build.js";
import { insn, LD_IMM64, type Insn } from "../insn.js";
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_DIV, BPF_END, BPF_IND, BPF_K, BPF_LD, BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_MOD,
  BPF_MOV, BPF_NEG, BPF_PSEUDO_FUNC, BPF_TO_BE, BPF_TO_LE, BPF_X,
} from "../opcodes.js";
import { ALU_SYMBOLS, PSEUDO_NAMES } from "../print.js";
import { atomicCall } from "./atomics.js";
import { found, isNumericLabelRef } from "./lexer.js";
import {
  isRegTok, parseAddr, parseBig, parseImm32, parseReg, parseTarget, parseTypeCast, width, type AccessType, type Reg,
} from "./operands.js";
import type { Line } from "./state.js";

/** Statements starting with a register: ALU operations, moves, loads, LD_IMM64 and the value-returning atomics. */
export function assignment(l: Line, slot: number): Insn[] {
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
    return ldImm64(d.n, v);
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

function packetLoad(l: Line, d: Reg, ty: AccessType): Insn {
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
    if (t?.kind !== "num" || isNumericLabelRef(t)) throw l.error(t, `expected an offset into the map value, found ${found(t)}`);
    const v = Number(t.text) * (neg ? -1 : 1);
    if (v < 0 || v > 0xffff_ffff) throw l.error(t, `map value offset ${v} does not fit an unsigned 32-bit offset`);
    hi = v | 0;
  }
  l.expect("]");
  l.accept("ll");
  return [insn(LD_IMM64, d.n, src, 0, imm), insn(0, 0, 0, 0, hi)];
}
