/**
 * @fileoverview One eBPF assembly statement (its labels already read) -> its slot(s): `exit`, `goto`/`gotol`,
 * `if ... goto`, `call`/`callx`, `tail_call`, stores, `.8byte`, and (assignments.ts, atomics.ts) every statement
 * that starts with a register, `lock` or `store_release`.
 */
import { helperId, kfuncName } from "../helper-names.js";
import { decodeInsns, insn, type Insn } from "../insn.js";
import {
  BPF_CALL, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_K, BPF_MEM, BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL, BPF_ST,
  BPF_STX, BPF_TAIL_CALL, BPF_X,
} from "../opcodes.js";
import { JMP_CONDS } from "../print.js";
import { assignment } from "./assignments.js";
import { lockStatement, storeRelease } from "./atomics.js";
import { found, isNumericLabelRef } from "./lexer.js";
import { atPcRelative, isRegTok, parseAddr, parseBig, parseImm32, parseReg, parseTarget, parseTypeCast, width } from "./operands.js";
import { kfuncIdOf, type Line } from "./state.js";

/** One statement (labels already consumed) -> its slot(s). */
export function statement(l: Line): Insn[] {
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
    case ".8byte":
      return [rawSlot(l)];
  }
  if (isRegTok(t)) return assignment(l, slot);
  throw l.error(t, `expected an instruction, a label or a directive, found ${found(t)}`);
}

/** `.8byte N`: one slot as a little-endian 64-bit word, as LLVM reads it (and print.ts writes malformed slots). */
function rawSlot(l: Line): Insn {
  l.next();
  const { v, tok } = parseBig(l, "a 64-bit value");
  if (v < 0n || v >= 1n << 64n) throw l.error(tok, `${tok.text} does not fit 64 bits`);
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return decodeInsns(b)[0]!;
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
  if (atPcRelative(l)) {
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
  if (t?.kind === "id" || isNumericLabelRef(t)) {
    return insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, parseTarget(l, slot, "imm", true));
  }
  return insn(BPF_JMP | BPF_CALL, 0, 0, 0, parseImm32(l, false, "a helper (name or number), a function, pc+N or kfunc[N]"));
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
