/**
 * @fileoverview Verifier, part 2: what the state walk knows about one register. A register is uninitialised, a
 * scalar with signed and unsigned bounds (the kernel's smin/smax/umin/umax, without its tnum), or a pointer of a
 * kind with an offset range. Every operation here is sound: the result's bounds contain every value the operation
 * can produce at run time; where precision would need more machinery the answer is simply "unknown".
 *
 * Values are u64 bigints as in ../bpf/alu-semantics.ts, whose exact semantics fold constant operands.
 */
import {
  BPF_ADD, BPF_AND, BPF_ARSH, BPF_DIV, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE,
  BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_LSH, BPF_MOD, BPF_MOV, BPF_MUL, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR,
} from "../bpf/opcodes.js";
import { alu32, alu64, jumpTaken } from "../bpf/alu-semantics.js";

export const U64_MAX = (1n << 64n) - 1n;
export const S64_MIN = -(1n << 63n);
export const S64_MAX = (1n << 63n) - 1n;
const U32_MAX = 0xffff_ffffn;
const TWO64 = 1n << 64n;

export interface Uninit {
  readonly t: "uninit";
}
export interface Scalar {
  readonly t: "scalar";
  readonly smin: bigint;
  readonly smax: bigint;
  readonly umin: bigint;
  readonly umax: bigint;
  /** Low bits known to be zero in every value (0..64): the part of the kernel's tnum that alignment checks need. */
  readonly tz: number;
  /**
   * Registers (and spilled copies) holding one value share an id, so that a bounds check on one narrows them all
   * (the kernel's find_equal_scalars). Absent: not linked to any other register.
   */
  readonly id?: number;
}
/** What a pointer points into. "mem" is the conformance suite's memory block; "func" a BPF_PSEUDO_FUNC address. */
export type PtrKind = "stack" | "ctx" | "mem" | "map_value" | "map_ptr" | "func";
export interface Ptr {
  readonly t: "ptr";
  readonly kind: PtrKind;
  /** Stack pointers: the frame number the stack belongs to. */
  readonly frame: number;
  /** map_value / map_ptr: the map's index. */
  readonly map: number;
  /**
   * Offset from the start of the object (stack: from the frame's R10), split as the kernel splits it: the fixed part
   * `off` (constants added), plus a variable part in [vmin, vmax] whose low `vtz` bits are zero (scalars added).
   */
  readonly off: number;
  readonly vmin: number;
  readonly vmax: number;
  readonly vtz: number;
  /** May be NULL (map_value_or_null): must be compared with 0 before use. */
  readonly nullable: boolean;
  /** Identifies copies of one nullable pointer, so a NULL check refines them all (0 when not nullable). */
  readonly id: number;
}
export type Reg = Uninit | Scalar | Ptr;

export const UNINIT: Uninit = { t: "uninit" };
export const UNKNOWN: Scalar = { t: "scalar", smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX, tz: 0 };

/** Trailing zero bits of a u64 (64 for 0). */
export function ctz(v: bigint): number {
  if (v === 0n) return 64;
  let n = 0;
  while (((v >> BigInt(n)) & 1n) === 0n) n++;
  return n;
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** A scalar holding exactly the u64 `v`. */
export function scalarConst(v: bigint): Scalar {
  const u = BigInt.asUintN(64, v);
  const s = BigInt.asIntN(64, v);
  return { t: "scalar", smin: s, smax: s, umin: u, umax: u, tz: ctz(u) };
}

/** Any value in [0, umax]. */
export function scalarUpTo(umax: bigint, tz = 0): Scalar {
  return { t: "scalar", smin: umax <= S64_MAX ? 0n : S64_MIN, smax: umax <= S64_MAX ? umax : S64_MAX, umin: 0n, umax, tz };
}

/** A signed range [smin, smax]. */
export function scalarSigned(smin: bigint, smax: bigint, tz = 0): Scalar {
  return sync({ t: "scalar", smin, smax, umin: 0n, umax: U64_MAX, tz }) ?? UNKNOWN;
}

export function isConst(s: Scalar): boolean {
  return s.umin === s.umax;
}

/**
 * Tightens each of the signed and unsigned ranges by what the other says, as the kernel's reg_bounds_sync does;
 * undefined when no value satisfies both (the state is impossible).
 */
export function sync(s: Scalar): Scalar | undefined {
  let { smin, smax, umin, umax } = s;
  for (let round = 0; round < 2; round++) {
    if (umax <= S64_MAX) [smin, smax] = [max(smin, umin), min(smax, umax)];
    else if (umin > S64_MAX) [smin, smax] = [max(smin, umin - TWO64), min(smax, umax - TWO64)];
    if (smin >= 0n) [umin, umax] = [max(umin, smin), min(umax, smax)];
    else if (smax < 0n) [umin, umax] = [max(umin, smin + TWO64), min(umax, smax + TWO64)];
    if (smin > smax || umin > umax) return undefined;
  }
  return { t: "scalar", smin, smax, umin, umax, tz: umin === umax ? ctz(umin) : s.tz };
}

/** The smallest 2^k - 1 that is >= v. */
function fillOnes(v: bigint): bigint {
  let m = 0n;
  while (m < v) m = (m << 1n) | 1n;
  return m;
}

function unsignedRange(umin: bigint, umax: bigint, tz = 0): Scalar {
  return sync({ t: "scalar", smin: S64_MIN, smax: S64_MAX, umin, umax, tz }) ?? UNKNOWN;
}

/** The known trailing zero bits of the result of `a OP b` (shifts by a constant `b`). */
function resultTz(op: number, a: Scalar, b: Scalar): number {
  const k = isConst(b) ? Number(b.umin & 63n) : -1;
  switch (op) {
    case BPF_ADD: case BPF_SUB: case BPF_OR: case BPF_XOR: return Math.min(a.tz, b.tz);
    case BPF_MUL: return Math.min(64, a.tz + b.tz);
    case BPF_AND: return Math.max(a.tz, b.tz);
    case BPF_LSH: return k < 0 ? 0 : Math.min(64, a.tz + k);
    case BPF_RSH: case BPF_ARSH: return k < 0 ? 0 : Math.max(0, a.tz - k);
    case BPF_MOV: return b.tz;
  }
  return 0;
}

/** The 64-bit ALU result of `dst OP src` on abstract scalars: bounds, then known trailing zeros. */
function range64(op: number, a: Scalar, b: Scalar, off: number): Scalar {
  const r = bounds64(op, a, b, off);
  const tz = op === BPF_MOV && off !== 0 ? 0 : resultTz(op, a, b);
  return tz > r.tz ? { ...r, tz } : r;
}

/** The 64-bit ALU result bounds of `dst OP src` for the operations the JIT cares about; UNKNOWN elsewhere. */
function bounds64(op: number, a: Scalar, b: Scalar, off: number): Scalar {
  switch (op) {
    case BPF_ADD: {
      const s = a.smin + b.smin >= S64_MIN && a.smax + b.smax <= S64_MAX ? [a.smin + b.smin, a.smax + b.smax] : [S64_MIN, S64_MAX];
      const u = a.umax + b.umax <= U64_MAX ? [a.umin + b.umin, a.umax + b.umax] : [0n, U64_MAX];
      return sync({ t: "scalar", smin: s[0]!, smax: s[1]!, umin: u[0]!, umax: u[1]!, tz: 0 }) ?? UNKNOWN;
    }
    case BPF_SUB: {
      const lo = a.smin - b.smax;
      const hi = a.smax - b.smin;
      const s = lo >= S64_MIN && hi <= S64_MAX ? [lo, hi] : [S64_MIN, S64_MAX];
      const u = a.umin >= b.umax ? [a.umin - b.umax, a.umax - b.umin] : [0n, U64_MAX];
      return sync({ t: "scalar", smin: s[0]!, smax: s[1]!, umin: u[0]!, umax: u[1]!, tz: 0 }) ?? UNKNOWN;
    }
    case BPF_MUL:
      return a.umax * b.umax <= S64_MAX ? unsignedRange(a.umin * b.umin, a.umax * b.umax) : UNKNOWN;
    case BPF_AND:
      return unsignedRange(0n, min(a.umax, b.umax));
    case BPF_OR:
      return unsignedRange(max(a.umin, b.umin), fillOnes(max(a.umax, b.umax)));
    case BPF_XOR:
      return unsignedRange(0n, fillOnes(max(a.umax, b.umax)));
    case BPF_LSH:
      if (!isConst(b)) return UNKNOWN;
      return a.umax << (b.umin & 63n) <= U64_MAX ? unsignedRange(a.umin << (b.umin & 63n), a.umax << (b.umin & 63n)) : UNKNOWN;
    case BPF_RSH:
      return isConst(b) ? unsignedRange(a.umin >> (b.umin & 63n), a.umax >> (b.umin & 63n)) : unsignedRange(0n, a.umax);
    case BPF_ARSH:
      return isConst(b) ? scalarSigned(a.smin >> (b.umin & 63n), a.smax >> (b.umin & 63n)) : UNKNOWN;
    case BPF_DIV:
      if (off !== 0) return UNKNOWN;
      return b.umin > 0n ? unsignedRange(a.umin / b.umax, a.umax / b.umin) : unsignedRange(0n, a.umax); // x / 0 = 0
    case BPF_MOD:
      if (off !== 0) return UNKNOWN;
      return b.umin > 0n ? unsignedRange(0n, min(a.umax, b.umax - 1n)) : unsignedRange(0n, a.umax); // x % 0 = x
    case BPF_MOV:
      return off === 0 ? b : scalarSigned(-(1n << BigInt(off - 1)), (1n << BigInt(off - 1)) - 1n);
  }
  return UNKNOWN;
}

/** The low 32 bits of `a` as a range in [0, 2^32): exact when `a` already fits, else the whole 32-bit range. */
function low32(a: Scalar): Scalar {
  return a.umax <= U32_MAX ? a : scalarUpTo(U32_MAX, Math.min(a.tz, 32));
}

/**
 * dst OP src on abstract scalars (class ALU64 when `is64`, else ALU: on the low 32 bits, zero-extended).
 * Constant operands fold exactly; otherwise the result is a sound range.
 */
export function scalarAlu(op: number, is64: boolean, a: Scalar, b: Scalar, off: number): Scalar {
  if (isConst(a) && isConst(b)) return scalarConst(is64 ? alu64(op, a.umin, b.umin, off) : alu32(op, a.umin, b.umin, off));
  if (is64) return range64(op, a, b, off);
  const signedOp = op === BPF_ARSH || ((op === BPF_DIV || op === BPF_MOD || op === BPF_MOV) && off !== 0);
  if (signedOp) return scalarUpTo(U32_MAX);
  const r = range64(op, low32(a), low32(b), 0);
  // A 64-bit result that stays below 2^32 is the 32-bit result too: nothing wrapped at bit 32. Known low zero
  // bits survive truncation to 32 bits either way.
  return r.umax <= U32_MAX ? r : scalarUpTo(U32_MAX, Math.min(r.tz, 32));
}

// ----- conditional jumps -----

/** The condition that holds when `op` with swapped operands holds (a > b  <=>  b < a). */
function swapped(op: number): number {
  const m: Record<number, number> = {
    [BPF_JGT]: BPF_JLT, [BPF_JLT]: BPF_JGT, [BPF_JGE]: BPF_JLE, [BPF_JLE]: BPF_JGE,
    [BPF_JSGT]: BPF_JSLT, [BPF_JSLT]: BPF_JSGT, [BPF_JSGE]: BPF_JSLE, [BPF_JSLE]: BPF_JSGE,
  };
  return m[op] ?? op;
}

/** The condition that holds exactly when `op` does not (JSET has none). */
function negated(op: number): number | undefined {
  const m: Record<number, number> = {
    [BPF_JEQ]: BPF_JNE, [BPF_JNE]: BPF_JEQ, [BPF_JGT]: BPF_JLE, [BPF_JLE]: BPF_JGT, [BPF_JGE]: BPF_JLT,
    [BPF_JLT]: BPF_JGE, [BPF_JSGT]: BPF_JSLE, [BPF_JSLE]: BPF_JSGT, [BPF_JSGE]: BPF_JSLT, [BPF_JSLT]: BPF_JSGE,
  };
  return m[op];
}

/** `a` narrowed to the values v with (v OP c); undefined when there are none. */
function narrowByConst(a: Scalar, op: number, c: bigint): Scalar | undefined {
  const cs = BigInt.asIntN(64, c);
  let { smin, smax, umin, umax } = a;
  switch (op) {
    case BPF_JEQ: [umin, umax, smin, smax] = [max(umin, c), min(umax, c), max(smin, cs), min(smax, cs)]; break;
    case BPF_JNE:
      if (umin === c) umin++;
      if (umax === c) umax--;
      if (smin === cs) smin++;
      if (smax === cs) smax--;
      break;
    case BPF_JGT: umin = max(umin, c + 1n); break;
    case BPF_JGE: umin = max(umin, c); break;
    case BPF_JLT: umax = min(umax, c - 1n); break;
    case BPF_JLE: umax = min(umax, c); break;
    case BPF_JSGT: smin = max(smin, cs + 1n); break;
    case BPF_JSGE: smin = max(smin, cs); break;
    case BPF_JSLT: smax = min(smax, cs - 1n); break;
    case BPF_JSLE: smax = min(smax, cs); break;
    default: return a;
  }
  if (umin > umax || smin > smax) return undefined;
  return sync({ t: "scalar", smin, smax, umin, umax, tz: a.tz });
}

/** Whether (a OP b) can be true, from the bounds alone (both non-constant). */
function mayHold(op: number, a: Scalar, b: Scalar): boolean {
  switch (op) {
    case BPF_JEQ: return a.umin <= b.umax && b.umin <= a.umax && a.smin <= b.smax && b.smin <= a.smax;
    case BPF_JGT: return a.umax > b.umin;
    case BPF_JGE: return a.umax >= b.umin;
    case BPF_JLT: return a.umin < b.umax;
    case BPF_JLE: return a.umin <= b.umax;
    case BPF_JSGT: return a.smax > b.smin;
    case BPF_JSGE: return a.smax >= b.smin;
    case BPF_JSLT: return a.smin < b.smax;
    case BPF_JSLE: return a.smin <= b.smax;
  }
  return true; // JNE, JSET
}

/** Both operands after the jump, on one side of it; undefined when that side cannot be reached. */
export type Side = [Scalar, Scalar] | undefined;

/**
 * The branch `if a OP b` on scalars: what each operand is known to be when the jump is taken and when it falls
 * through. `is32` compares the low 32 bits (JMP32); that is only refined when both operands fit 32 bits
 * (signed conditions: 31 bits), where it means the same as the 64-bit comparison.
 */
export function branchOnScalars(op: number, a: Scalar, b: Scalar, is32: boolean): { taken: Side; fallthrough: Side } {
  if (isConst(a) && isConst(b)) {
    const t = jumpTaken(op, a.umin, b.umin, is32);
    return t ? { taken: [a, b], fallthrough: undefined } : { taken: undefined, fallthrough: [a, b] };
  }
  const signed = op === BPF_JSGT || op === BPF_JSGE || op === BPF_JSLT || op === BPF_JSLE;
  const limit = signed ? 0x7fff_ffffn : U32_MAX;
  if (op === BPF_JSET || (is32 && !(a.umax <= limit && b.umax <= limit))) return { taken: [a, b], fallthrough: [a, b] };
  const side = (cond: number): Side => {
    if (isConst(b)) {
      const na = narrowByConst(a, cond, b.umin);
      return na && [na, b];
    }
    if (isConst(a)) {
      const nb = narrowByConst(b, swapped(cond), a.umin);
      return nb && [a, nb];
    }
    return mayHold(cond, a, b) ? [a, b] : undefined;
  };
  return { taken: side(op), fallthrough: side(negated(op)!) };
}
