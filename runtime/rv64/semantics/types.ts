/**
 * @fileoverview The shape of an instruction's semantics. Each mnemonic of compiler/riscv/isa.ts that executes
 * (compressed rows execute their 32-bit expansion) has one entry: a kind, and for computing kinds a snippet of
 * JavaScript over 64-bit values held as (hi, lo) int32 pairs.
 *
 * Snippets are templates, so the same one-liner serves both execution tiers: the interpreter (interp.ts) substitutes
 * register-file reads, the block translator (blocks.ts) substitutes locals and constants. Placeholders:
 *
 *     $a_lo $a_hi     x[rs1]                      $imm    the sign-extended immediate (int32)
 *     $b_lo $b_hi     x[rs2]                      $pc_lo $pc_hi   this instruction's address
 *     $m_lo $m_hi     (amo) the old memory value
 *
 * A snippet leaves its result in the locals `lo` and `hi`; it may use the scratch locals `s` and `t`, and the
 * helpers of int64.ts. Writing x[rd] (and ignoring writes to x0) is the tier's job, so a snippet never needs to
 * care whether rd aliases rs1.
 */

export type Size = 1 | 2 | 4 | 8;

export type Sem =
  /** rd = f(rs1, rs2, imm, pc). */
  | { kind: "alu"; code: string }
  /** if (cond) pc += imm. */
  | { kind: "branch"; cond: string }
  | { kind: "load"; size: Size; signed: boolean }
  | { kind: "store"; size: Size }
  | { kind: "jal" }
  | { kind: "jalr" }
  /** rd = sext(mem); mem = f(mem, rs2) — `code` computes the new memory value from $m and $b. */
  | { kind: "amo"; size: 4 | 8; code: string }
  | { kind: "lr"; size: 4 | 8 }
  | { kind: "sc"; size: 4 | 8 }
  /** Zacas: if (mem == rd) mem = rs2; rd = sext(old mem). */
  | { kind: "cas"; size: 4 | 8 }
  | { kind: "fence" }
  | { kind: "ecall" }
  | { kind: "ebreak" };

export type SemTable = Readonly<Record<string, Sem>>;

export const alu = (code: string): Sem => ({ kind: "alu", code });
export const branch = (cond: string): Sem => ({ kind: "branch", cond });

/** Carry out of the low-word addition whose sum is `sum` and first addend `x`. */
export const carry = (sum: string, x: string) => `((${sum}) >>> 0 < (${x}) >>> 0 ? 1 : 0)`;
/** Unsigned (hi, lo) < (hi, lo). */
export const ltu = (aHi: string, aLo: string, bHi: string, bLo: string) =>
  `((${aHi}) >>> 0 < (${bHi}) >>> 0 || ((${aHi}) === (${bHi}) && (${aLo}) >>> 0 < (${bLo}) >>> 0))`;
/** Signed (hi, lo) < (hi, lo). */
export const lts = (aHi: string, aLo: string, bHi: string, bLo: string) =>
  `((${aHi}) < (${bHi}) || ((${aHi}) === (${bHi}) && (${aLo}) >>> 0 < (${bLo}) >>> 0))`;

/** 64-bit shifts of ($a_hi, $a_lo) by `s` (0..63). JS masks shift counts to 5 bits, hence the three cases. */
export const SHL = `if (s === 0) { lo = $a_lo; hi = $a_hi; } else if (s < 32) { hi = ($a_hi << s) | ($a_lo >>> (32 - s)); lo = $a_lo << s; } else { hi = $a_lo << (s - 32); lo = 0; }`;
export const SHR = `if (s === 0) { lo = $a_lo; hi = $a_hi; } else if (s < 32) { lo = ($a_lo >>> s) | ($a_hi << (32 - s)); hi = ($a_hi >>> s) | 0; } else { lo = ($a_hi >>> (s - 32)) | 0; hi = 0; }`;
export const SAR = `if (s === 0) { lo = $a_lo; hi = $a_hi; } else if (s < 32) { lo = ($a_lo >>> s) | ($a_hi << (32 - s)); hi = $a_hi >> s; } else { lo = $a_hi >> (s - 32); hi = $a_hi >> 31; }`;
/** Sign-extends the 32-bit result in lo (the W instructions). */
export const SEXT = "hi = lo >> 31;";
