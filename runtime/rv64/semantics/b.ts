/**
 * @fileoverview Bit-manipulation semantics: Zba (address generation), Zbb (basic bit manipulation), Zbs (single-bit
 * instructions); ISA manual Volume I, 20240411, chapter 28 "B Extension". `.uw` forms zero-extend the low word of
 * rs1 first; W forms sign-extend their 32-bit result.
 */
import { alu, carry, lts, ltu, type SemTable, SEXT } from "./types.js";

/** x[rd] = (x[rs1] << n) + x[rs2], n = 1..3; `uw` zero-extends x[rs1] first. */
const shadd = (n: number, uw: boolean) =>
  alu(`s = $a_lo << ${n}; t = ${uw ? `$a_lo >>> ${32 - n}` : `($a_hi << ${n}) | ($a_lo >>> ${32 - n})`}; ` +
    `lo = (s + $b_lo) | 0; hi = (t + $b_hi + ${carry("lo", "s")}) | 0;`);

/** Rotate ($a_hi, $a_lo) left by s (0..63): swap words for s >= 32, then rotate both by s mod 32. */
const ROL = `if ((s & 31) === 0) { if (s === 0) { lo = $a_lo; hi = $a_hi; } else { lo = $a_hi; hi = $a_lo; } } ` +
  `else if (s < 32) { hi = ($a_hi << s) | ($a_lo >>> (32 - s)); lo = ($a_lo << s) | ($a_hi >>> (32 - s)); } ` +
  `else { t = s - 32; hi = ($a_lo << t) | ($a_hi >>> (32 - t)); lo = ($a_hi << t) | ($a_lo >>> (32 - t)); }`;

/** Sets, clears, flips or extracts bit s (0..63) of x[rs1]. */
const bit = (op: "|=" | "&= ~" | "^=") =>
  `lo = $a_lo; hi = $a_hi; if (s < 32) lo ${op}(1 << s); else hi ${op}(1 << (s - 32));`;
const BEXT = "lo = (s < 32 ? $a_lo >>> s : $a_hi >>> (s - 32)) & 1; hi = 0;";

/** x[rd] = cond ? x[rs2] : x[rs1]. */
const select = (takeB: string) => alu(`if (${takeB}) { lo = $b_lo; hi = $b_hi; } else { lo = $a_lo; hi = $a_hi; }`);

export const ZBA: SemTable = {
  /** ADD.UW: x[rd] = x[rs2] + zext32(x[rs1]) */
  "add.uw": alu(`lo = ($a_lo + $b_lo) | 0; hi = ($b_hi + ${carry("lo", "$b_lo")}) | 0;`),
  sh1add: shadd(1, false),
  sh2add: shadd(2, false),
  sh3add: shadd(3, false),
  "sh1add.uw": shadd(1, true),
  "sh2add.uw": shadd(2, true),
  "sh3add.uw": shadd(3, true),
  /** SLLI.UW: x[rd] = zext32(x[rs1]) << shamt */
  "slli.uw": alu("s = $imm & 63; if (s === 0) { lo = $a_lo; hi = 0; } else if (s < 32) { hi = $a_lo >>> (32 - s); lo = $a_lo << s; } else { hi = $a_lo << (s - 32); lo = 0; }"),
};

export const ZBB: SemTable = {
  andn: alu("lo = $a_lo & ~$b_lo; hi = $a_hi & ~$b_hi;"),
  orn: alu("lo = $a_lo | ~$b_lo; hi = $a_hi | ~$b_hi;"),
  xnor: alu("lo = ~($a_lo ^ $b_lo); hi = ~($a_hi ^ $b_hi);"),
  /** CLZ, CTZ, CPOP: count leading zeros, trailing zeros, set bits (64 for a zero CLZ/CTZ) */
  clz: alu("lo = $a_hi !== 0 ? Math.clz32($a_hi) : 32 + Math.clz32($a_lo); hi = 0;"),
  ctz: alu("lo = $a_lo !== 0 ? ctz32($a_lo) : 32 + ctz32($a_hi); hi = 0;"),
  cpop: alu("lo = popcnt32($a_lo) + popcnt32($a_hi); hi = 0;"),
  clzw: alu("lo = Math.clz32($a_lo); hi = 0;"),
  ctzw: alu("lo = ctz32($a_lo); hi = 0;"),
  cpopw: alu("lo = popcnt32($a_lo); hi = 0;"),
  max: select(lts("$a_hi", "$a_lo", "$b_hi", "$b_lo")),
  maxu: select(ltu("$a_hi", "$a_lo", "$b_hi", "$b_lo")),
  min: select(lts("$b_hi", "$b_lo", "$a_hi", "$a_lo")),
  minu: select(ltu("$b_hi", "$b_lo", "$a_hi", "$a_lo")),
  "sext.b": alu(`lo = ($a_lo << 24) >> 24; ${SEXT}`),
  "sext.h": alu(`lo = ($a_lo << 16) >> 16; ${SEXT}`),
  "zext.h": alu("lo = $a_lo & 0xffff; hi = 0;"),
  rol: alu(`s = $b_lo & 63; ${ROL}`),
  ror: alu(`s = (64 - ($b_lo & 63)) & 63; ${ROL}`),
  rori: alu(`s = (64 - ($imm & 63)) & 63; ${ROL}`),
  /** ROLW, RORW, RORIW: rotate the low word, sign-extend (x << 0 | x >>> 32 is x, so no special case) */
  rolw: alu(`s = $b_lo & 31; lo = ($a_lo << s) | ($a_lo >>> (32 - s)); ${SEXT}`),
  rorw: alu(`s = $b_lo & 31; lo = ($a_lo >>> s) | ($a_lo << (32 - s)); ${SEXT}`),
  roriw: alu(`s = $imm & 31; lo = ($a_lo >>> s) | ($a_lo << (32 - s)); ${SEXT}`),
  /** ORC.B: each byte becomes 0xff if any of its bits is set; REV8: byte-reverse the doubleword */
  "orc.b": alu("lo = orcb32($a_lo); hi = orcb32($a_hi);"),
  rev8: alu("lo = bswap32($a_hi); hi = bswap32($a_lo);"),
};

export const ZBS: SemTable = {
  bset: alu(`s = $b_lo & 63; ${bit("|=")}`),
  bclr: alu(`s = $b_lo & 63; ${bit("&= ~")}`),
  binv: alu(`s = $b_lo & 63; ${bit("^=")}`),
  bext: alu(`s = $b_lo & 63; ${BEXT}`),
  bseti: alu(`s = $imm & 63; ${bit("|=")}`),
  bclri: alu(`s = $imm & 63; ${bit("&= ~")}`),
  binvi: alu(`s = $imm & 63; ${bit("^=")}`),
  bexti: alu(`s = $imm & 63; ${BEXT}`),
};
