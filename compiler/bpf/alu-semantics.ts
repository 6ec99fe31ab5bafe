/**
 * @fileoverview The value semantics of eBPF ALU, ALU64 and jump conditions, as plain BigInt functions, defined once:
 * the reference interpreter (runtime/interp) executes with them, which makes them the reference the JIT is judged
 * against, and the verifier (passes/verify-value.ts) folds constant operands with them. So each case is written the
 * way RFC 9669 and the Linux kernel state it, not the fast way.
 *
 * Values are u64 bigints in [0, 2^64). 32-bit operations work on the low 32 bits and zero-extend their result.
 * Kernel semantics where the RFC leaves a choice or a trap (include/linux/filter.h, kernel/bpf/core.c):
 *   x / 0 = 0        x % 0 = x         (32-bit: the low 32 bits of x, zero-extended)
 *   INT_MIN s/ -1 = INT_MIN            x smod -1 = 0
 *   shift counts are masked to 5 (32-bit) or 6 (64-bit) bits
 */
import {
  BPF_ADD, BPF_AND, BPF_ARSH, BPF_DIV, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE,
  BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_LSH, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR,
} from "./opcodes.js";

export const MASK64 = (1n << 64n) - 1n;
export const MASK32 = 0xffff_ffffn;

/** The u64 `v` read as a signed 64-bit integer. */
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
/** Any integer reduced to u64. */
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
/** The low 32 bits of `v` read as a signed 32-bit integer. */
export const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);
/** The low 32 bits of `v`. */
export const u32 = (v: bigint): bigint => v & MASK32;

/** The low `bits` bits of `v`, sign-extended to u64 (movsx, ldsx). */
export function sext(v: bigint, bits: number): bigint {
  return u64(BigInt.asIntN(bits, v));
}

/** Reverses the bytes of the low `bits` bits of `v` (the result is zero-extended). */
export function bswap(v: bigint, bits: 16 | 32 | 64): bigint {
  let out = 0n;
  for (let i = 0; i < bits; i += 8) out = (out << 8n) | ((v >> BigInt(i)) & 0xffn);
  return out;
}

/**
 * dst OP src, 64-bit (class ALU64). `src` is the source register or the sign-extended immediate, as u64.
 * `off` selects the signed forms: 1 for sdiv/smod, 8/16/32 for movsx.
 */
export function alu64(op: number, dst: bigint, src: bigint, off: number): bigint {
  switch (op) {
    case BPF_ADD: return u64(dst + src);
    case BPF_SUB: return u64(dst - src);
    case BPF_MUL: return u64(dst * src);
    case BPF_DIV:
      if (src === 0n) return 0n; // x / 0 = 0
      return off === 1 ? u64(s64(dst) / s64(src)) : dst / src; // BigInt division truncates toward zero, as C does
    case BPF_MOD:
      if (src === 0n) return dst; // x % 0 = x
      return off === 1 ? u64(s64(dst) % s64(src)) : dst % src; // BigInt % takes the dividend's sign, as C does
    case BPF_OR: return dst | src;
    case BPF_AND: return dst & src;
    case BPF_XOR: return dst ^ src;
    case BPF_LSH: return u64(dst << (src & 63n));
    case BPF_RSH: return dst >> (src & 63n);
    case BPF_ARSH: return u64(s64(dst) >> (src & 63n));
    case BPF_NEG: return u64(-dst);
    case BPF_MOV: return off === 0 ? src : sext(src, off); // movsx: off = 8, 16 or 32
  }
  throw new Error(`alu64: no ALU operation 0x${op.toString(16)}`);
}

/** wdst OP wsrc, 32-bit (class ALU): operates on the low 32 bits and zero-extends the result. */
export function alu32(op: number, dst: bigint, src: bigint, off: number): bigint {
  const a = u32(dst);
  const b = u32(src);
  switch (op) {
    case BPF_ADD: return u32(a + b);
    case BPF_SUB: return u32(a - b);
    case BPF_MUL: return u32(a * b);
    case BPF_DIV:
      if (b === 0n) return 0n;
      return off === 1 ? u32(s32(a) / s32(b)) : a / b; // INT_MIN / -1 = 2^31, truncated back to INT_MIN
    case BPF_MOD:
      if (b === 0n) return a; // x % 0 = x, zero-extended
      return off === 1 ? u32(s32(a) % s32(b)) : a % b;
    case BPF_OR: return a | b;
    case BPF_AND: return a & b;
    case BPF_XOR: return a ^ b;
    case BPF_LSH: return u32(a << (b & 31n));
    case BPF_RSH: return a >> (b & 31n);
    case BPF_ARSH: return u32(s32(a) >> (b & 31n));
    case BPF_NEG: return u32(-a);
    case BPF_MOV: return off === 0 ? b : u32(sext(b, off)); // movsx to 32 bits (off = 8 or 16), then zero-extend
  }
  throw new Error(`alu32: no ALU operation 0x${op.toString(16)}`);
}

/**
 * BPF_END. `cls64` is true for class ALU64 (cpu v4: unconditional bswap); for class ALU `toBe` selects BPF_TO_BE.
 * On a little-endian machine "to LE" only truncates to `bits` bits; "to BE" and the ALU64 form swap the bytes.
 */
export function endian(dst: bigint, bits: 16 | 32 | 64, cls64: boolean, toBe: boolean): bigint {
  if (cls64 || toBe) return bswap(dst, bits);
  return bits === 64 ? dst : dst & ((1n << BigInt(bits)) - 1n);
}

/** Whether the conditional jump `op` is taken for dst, src (u64 values; `is32` compares the low 32 bits). */
export function jumpTaken(op: number, dst: bigint, src: bigint, is32: boolean): boolean {
  const a = is32 ? u32(dst) : dst;
  const b = is32 ? u32(src) : src;
  const sa = is32 ? s32(a) : s64(a);
  const sb = is32 ? s32(b) : s64(b);
  switch (op) {
    case BPF_JEQ: return a === b;
    case BPF_JNE: return a !== b;
    case BPF_JGT: return a > b;
    case BPF_JGE: return a >= b;
    case BPF_JLT: return a < b;
    case BPF_JLE: return a <= b;
    case BPF_JSET: return (a & b) !== 0n;
    case BPF_JSGT: return sa > sb;
    case BPF_JSGE: return sa >= sb;
    case BPF_JSLT: return sa < sb;
    case BPF_JSLE: return sa <= sb;
  }
  throw new Error(`jumpTaken: no jump condition 0x${op.toString(16)}`);
}
