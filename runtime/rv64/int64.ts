/**
 * @fileoverview 64-bit arithmetic on (hi, lo) int32 pairs for the operations that are not one-liners: the M
 * extension's multiplies and divides, and Zbb's bit counts. No BigInt on the common paths
 * (../shared/reference/performance-anchors.md §2.4): products are built from 16×32-bit partial products, which are
 * exact in doubles; divisions take an exact double path when both operands fit in 53 bits and fall back to BigInt
 * only beyond that.
 *
 * Each function returns the low word and leaves the high word in `HI[0]` (the way long.js's wasm helpers return a
 * pair). Arguments are int32 words; results are int32 words.
 */

/** High word of the last 64-bit result. */
export const HI = new Int32Array(1);

const TWO32 = 4294967296;

/** High 32 bits of the unsigned 32×32 → 64 product. */
export function umulh32(a: number, b: number): number {
  const ub = b >>> 0;
  const t0 = (a & 0xffff) * ub; // < 2^48
  const t1 = (a >>> 16) * ub; // < 2^48
  // a*b = t1 * 2^16 + t0; split t1 so every partial sum stays exact.
  return (Math.floor(t1 / 65536) + Math.floor(((t1 % 65536) * 65536 + t0) / TWO32)) | 0;
}

/** MUL: low 64 bits of a × b. */
export function mul64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  HI[0] = (umulh32(aLo, bLo) + Math.imul(aLo, bHi) + Math.imul(aHi, bLo)) | 0;
  return Math.imul(aLo, bLo);
}

/** MULHU: high 64 bits of the unsigned 128-bit product. */
export function mulhu64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  // Four 32×32 partial products, each as (hi, lo) u32 words: p = aL·bL, q = aL·bH, r = aH·bL, s = aH·bH.
  const pH = umulh32(aLo, bLo) >>> 0;
  const qL = Math.imul(aLo, bHi) >>> 0, qH = umulh32(aLo, bHi) >>> 0;
  const rL = Math.imul(aHi, bLo) >>> 0, rH = umulh32(aHi, bLo) >>> 0;
  const sL = Math.imul(aHi, bHi) >>> 0, sH = umulh32(aHi, bHi) >>> 0;
  const w1 = pH + qL + rL; // < 3·2^32: exact
  const w2 = qH + rH + sL + Math.floor(w1 / TWO32);
  const w3 = sH + Math.floor(w2 / TWO32);
  HI[0] = w3 | 0;
  return w2 | 0;
}

/** MULH: high 64 bits of signed × signed. */
export function mulh64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  let lo = mulhu64(aLo, aHi, bLo, bHi);
  let hi = HI[0]!;
  // (a as signed) = a - 2^64·[a<0]: subtract b·[a<0] and a·[b<0] from the unsigned high half.
  if (aHi < 0) [lo, hi] = sub64(lo, hi, bLo, bHi);
  if (bHi < 0) [lo, hi] = sub64(lo, hi, aLo, aHi);
  HI[0] = hi;
  return lo;
}

/** MULHSU: high 64 bits of signed a × unsigned b. */
export function mulhsu64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  let lo = mulhu64(aLo, aHi, bLo, bHi);
  let hi = HI[0]!;
  if (aHi < 0) [lo, hi] = sub64(lo, hi, bLo, bHi);
  HI[0] = hi;
  return lo;
}

function sub64(aLo: number, aHi: number, bLo: number, bHi: number): [number, number] {
  const lo = (aLo - bLo) | 0;
  return [lo, (aHi - bHi - ((aLo >>> 0) < (bLo >>> 0) ? 1 : 0)) | 0];
}

/** True when (hi, lo) as unsigned is below 2^53. */
function u53(hi: number): boolean {
  return hi >>> 0 < 0x200000;
}
/** True when (hi, lo) as signed lies in (-2^53, 2^53). */
function s53(hi: number): boolean {
  return hi < 0x200000 && hi > -0x200000;
}

function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}
function fromBig(v: bigint): number {
  HI[0] = Number(BigInt.asIntN(32, v >> 32n));
  return Number(BigInt.asIntN(32, v));
}
/** Splits a double holding an exact integer in (-2^64, 2^64) into the pair. */
function fromNum(v: number): number {
  const hi = Math.floor(v / TWO32);
  HI[0] = hi | 0;
  return (v - hi * TWO32) | 0;
}

/** DIVU: unsigned quotient; ÷0 gives all ones. */
export function divu64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  if ((bLo | bHi) === 0) return (HI[0] = -1), -1;
  if (u53(aHi) && u53(bHi)) return fromNum(Math.floor(((aHi >>> 0) * TWO32 + (aLo >>> 0)) / ((bHi >>> 0) * TWO32 + (bLo >>> 0))));
  return fromBig(BigInt.asUintN(64, toBig(aLo, aHi)) / BigInt.asUintN(64, toBig(bLo, bHi)));
}

/** REMU: unsigned remainder; ÷0 gives the dividend. */
export function remu64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  if ((bLo | bHi) === 0) return (HI[0] = aHi), aLo;
  if (u53(aHi) && u53(bHi)) {
    const a = (aHi >>> 0) * TWO32 + (aLo >>> 0), b = (bHi >>> 0) * TWO32 + (bLo >>> 0);
    return fromNum(a - Math.floor(a / b) * b);
  }
  return fromBig(BigInt.asUintN(64, toBig(aLo, aHi)) % BigInt.asUintN(64, toBig(bLo, bHi)));
}

/** DIV: signed quotient rounded toward zero; ÷0 gives -1, INT64_MIN ÷ -1 gives INT64_MIN. */
export function div64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  if ((bLo | bHi) === 0) return (HI[0] = -1), -1;
  if (s53(aHi) && s53(bHi)) return fromNum(Math.trunc((aHi * TWO32 + (aLo >>> 0)) / (bHi * TWO32 + (bLo >>> 0))));
  const a = toBig(aLo, aHi), b = toBig(bLo, bHi);
  if (b === -1n) return fromBig(-a); // INT64_MIN wraps to itself
  return fromBig(a / b);
}

/** REM: signed remainder, sign of the dividend; ÷0 gives the dividend, INT64_MIN rem -1 gives 0. */
export function rem64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  if ((bLo | bHi) === 0) return (HI[0] = aHi), aLo;
  if (s53(aHi) && s53(bHi)) {
    const a = aHi * TWO32 + (aLo >>> 0), b = bHi * TWO32 + (bLo >>> 0);
    return fromNum(a - Math.trunc(a / b) * b);
  }
  const a = toBig(aLo, aHi), b = toBig(bLo, bHi);
  if (b === -1n) return (HI[0] = 0), 0;
  return fromBig(a % b);
}

/** 32-bit signed division for DIVW/REMW (results before sign extension). */
export function divw(a: number, b: number): number {
  if (b === 0) return -1;
  if (a === -0x80000000 && b === -1) return a;
  return (a / b) | 0;
}
export function remw(a: number, b: number): number {
  if (b === 0) return a;
  if (b === -1) return 0;
  return a % b | 0;
}
export function divuw(a: number, b: number): number {
  return b === 0 ? -1 : ((a >>> 0) / (b >>> 0)) | 0;
}
export function remuw(a: number, b: number): number {
  return b === 0 ? a : (a >>> 0) % (b >>> 0) | 0;
}

/** Population count of a 32-bit word. */
export function popcnt32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Count trailing zeros of a 32-bit word (32 for 0). */
export function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

/** ORC.B on one word: each byte becomes 0xff if any bit of it is set, else 0x00. */
export function orcb32(x: number): number {
  let r = 0;
  for (let i = 0; i < 32; i += 8) if ((x >>> i) & 0xff) r |= 0xff << i;
  return r;
}

/** Byte-reverses a 32-bit word. */
export function bswap32(x: number): number {
  return ((x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) | 0;
}
