/**
 * @fileoverview Atomic statements: `lock *(u64 *)(rD + off) += rS`, `store_release(...)`, and the value-returning
 * forms (`rS = atomic_fetch_add(...)`, `xchg_64`, `cmpxchg_64`, `load_acquire`) in LLVM's and in the kernel
 * verifier log's spellings.
 */
import { insn, type Insn } from "../insn.js";
import { BPF_ATOMIC, BPF_CMPXCHG, BPF_FETCH, BPF_LOAD_ACQ, BPF_STORE_REL, BPF_STX, BPF_XCHG } from "../opcodes.js";
import { ATOMIC_RMW } from "../print.js";
import { found } from "./lexer.js";
import { parseAddr, parseReg, parseTypeCast, width, type AccessType, type Reg } from "./operands.js";
import type { Line } from "./state.js";

/** `lock *(u32|u64 *)(rD + off) += |= &= ^= rS` */
export function lockStatement(l: Line): Insn {
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
function atomicSize(l: Line, ty: AccessType): number {
  if (ty.signed || (ty.size !== 0x00 && ty.size !== 0x18)) throw l.error(ty.tok, `atomic operations take u32 or u64, found '${ty.tok.text}'`);
  return ty.size;
}

/** `store_release((size *)(rD + off), rS)` */
export function storeRelease(l: Line): Insn {
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

/**
 * The value-returning atomics, in LLVM's spelling (`rS = atomic_fetch_add((u64 *)(rD + off), rS)`,
 * `rS = xchg_64(rD + off, rS)`, `r0 = cmpxchg_64(rD + off, r0, rS)`, `rD = load_acquire((u64 *)(rS + off))`) and in
 * the kernel verifier log's (`atomic64_fetch_add((u64 *)...)`, `atomic_xchg((u32 *)...)`, `atomic64_cmpxchg(...)`).
 * Undefined (nothing consumed) when the next token names none of them.
 */
export function atomicCall(l: Line, d: Reg): Insn | undefined {
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
