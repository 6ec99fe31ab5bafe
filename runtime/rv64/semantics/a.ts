/**
 * @fileoverview A extension (Zalrsc, Zaamo; ISA manual Volume I, 20240411, chapter 14) and Zacas (chapter 16)
 * semantics. An AMO reads the old value, stores f(old, x[rs2]) and writes the old value (sign-extended for .w) to
 * rd; the snippet computes the new memory value from $m (old) and $b. Atomics must be naturally aligned: a
 * misaligned one faults (the tier reports it). aq/rl order nothing on one hart.
 */
import { lts, ltu, type SemTable } from "./types.js";

/** Both widths of an AMO: `w` works on the low words only (the tier stores the low 32 bits). */
function amo(op: (w: boolean) => string) {
  return { w: { kind: "amo" as const, size: 4 as const, code: op(true) }, d: { kind: "amo" as const, size: 8 as const, code: op(false) } };
}
const swap = amo(() => "lo = $b_lo; hi = $b_hi;");
const add = amo((w) => (w ? "lo = ($m_lo + $b_lo) | 0; hi = 0;" : "lo = ($m_lo + $b_lo) | 0; hi = ($m_hi + $b_hi + ((lo >>> 0) < ($m_lo >>> 0) ? 1 : 0)) | 0;"));
const xor = amo(() => "lo = $m_lo ^ $b_lo; hi = $m_hi ^ $b_hi;");
const and = amo(() => "lo = $m_lo & $b_lo; hi = $m_hi & $b_hi;");
const or = amo(() => "lo = $m_lo | $b_lo; hi = $m_hi | $b_hi;");
/** min/max: store x[rs2] when `bWins` (a compare at the operand width), else keep the old value. */
const pick = (bWins: (w: boolean) => string) =>
  amo((w) => `if (${bWins(w)}) { lo = $b_lo; hi = $b_hi; } else { lo = $m_lo; hi = $m_hi; }`);
const min = pick((w) => (w ? "$b_lo < $m_lo" : lts("$b_hi", "$b_lo", "$m_hi", "$m_lo")));
const max = pick((w) => (w ? "$m_lo < $b_lo" : lts("$m_hi", "$m_lo", "$b_hi", "$b_lo")));
const minu = pick((w) => (w ? "$b_lo >>> 0 < $m_lo >>> 0" : ltu("$b_hi", "$b_lo", "$m_hi", "$m_lo")));
const maxu = pick((w) => (w ? "$m_lo >>> 0 < $b_lo >>> 0" : ltu("$m_hi", "$m_lo", "$b_hi", "$b_lo")));

export const A: SemTable = {
  /** LR: rd = sext(mem); reserve the address */
  "lr.w": { kind: "lr", size: 4 },
  "lr.d": { kind: "lr", size: 8 },
  /** SC: if the reservation holds, mem = x[rs2] and rd = 0, else rd = 1; the reservation ends either way */
  "sc.w": { kind: "sc", size: 4 },
  "sc.d": { kind: "sc", size: 8 },
  "amoswap.w": swap.w, "amoswap.d": swap.d,
  "amoadd.w": add.w, "amoadd.d": add.d,
  "amoxor.w": xor.w, "amoxor.d": xor.d,
  "amoand.w": and.w, "amoand.d": and.d,
  "amoor.w": or.w, "amoor.d": or.d,
  "amomin.w": min.w, "amomin.d": min.d,
  "amomax.w": max.w, "amomax.d": max.d,
  "amominu.w": minu.w, "amominu.d": minu.d,
  "amomaxu.w": maxu.w, "amomaxu.d": maxu.d,
  /** AMOCAS: if (mem == x[rd]) mem = x[rs2]; rd = sext(old mem) */
  "amocas.w": { kind: "cas", size: 4 },
  "amocas.d": { kind: "cas", size: 8 },
};
