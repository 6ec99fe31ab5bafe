/**
 * @fileoverview Range predicates named after their width, as the kernel names them (bpf_jit.h is_12b_int ...), and
 * the arithmetic of splitting a constant into lui/addi parts. All take JS numbers holding exact integers.
 */

export const fitsI6 = (v: number): boolean => v >= -32 && v < 32;
export const fitsU7 = (v: number): boolean => v >= 0 && v < 128;
export const fitsU8 = (v: number): boolean => v >= 0 && v < 256;
export const fitsU9 = (v: number): boolean => v >= 0 && v < 512;
export const fitsI10 = (v: number): boolean => v >= -512 && v < 512;
export const fitsU10 = (v: number): boolean => v >= 0 && v < 1024;
export const fitsI12 = (v: number): boolean => v >= -2048 && v < 2048;
export const fitsI13 = (v: number): boolean => v >= -4096 && v < 4096;
export const fitsI21 = (v: number): boolean => v >= -1048576 && v < 1048576;
export const fitsI32 = (v: number): boolean => v >= -2147483648 && v < 2147483648;

/** auipc+jalr reaches any PC-relative offset in [-2^31 - 2^11, 2^31 - 2^11) (kernel in_auipc_jalr_range). */
export const inAuipcJalrRange = (v: number): boolean => v >= -2147485696 && v < 2147481600;

/**
 * The upper part of `v` for a lui/auipc + 12-bit pair: (v + 2^11) >> 12. Adding 2^11 before the shift compensates for
 * the sign extension of the low 12 bits (Patterson & Hennessy, "Loading a 32-bit constant"). Exact for |v| < 2^53.
 */
export function hi20(v: number): number {
  return (v | 0) === v ? (v >> 12) + ((v >>> 11) & 1) : Math.floor((v + 2048) / 4096);
}

/** The low 12 bits of `v`, sign-extended. Exact for |v| < 2^53. */
export function lo12(v: number): number {
  if ((v | 0) === v) return (v << 20) >> 20;
  const m = v - Math.floor(v / 4096) * 4096;
  return m >= 2048 ? m - 4096 : m;
}

/** Number of trailing zero bits of a non-zero integer |v| < 2^53 (the kernel's __ffs on a two's complement s64). */
export function ctz(v: number): number {
  const lo = v >>> 0; // ToUint32: the low 32 bits of the two's complement value
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  const hi = Math.floor(v / 4294967296) >>> 0;
  return 32 + 31 - Math.clz32(hi & -hi);
}
