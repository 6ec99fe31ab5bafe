/**
 * @fileoverview RISC-V integer registers: numbers, ABI names, and the register classes the JIT and RVC care about.
 * Declared once; everything else imports from here (kernel: the RV_REG_* enum in arch/riscv/net/bpf_jit.h).
 */

/** Integer register numbers by ABI name. */
export const X = {
  zero: 0, // hard-wired zero
  ra: 1, // return address
  sp: 2, // stack pointer
  gp: 3, // global pointer
  tp: 4, // thread pointer (the kernel's `current`)
  // caller-save temporaries
  t0: 5,
  t1: 6,
  t2: 7,
  // callee-save; s0 is the frame pointer
  s0: 8,
  s1: 9,
  // argument / return registers (caller-save)
  a0: 10,
  a1: 11,
  a2: 12,
  a3: 13,
  a4: 14,
  a5: 15,
  a6: 16,
  a7: 17,
  // callee-save
  s2: 18,
  s3: 19,
  s4: 20,
  s5: 21,
  s6: 22,
  s7: 23,
  s8: 24,
  s9: 25,
  s10: 26,
  s11: 27,
  // caller-save temporaries
  t3: 28,
  t4: 29,
  t5: 30,
  t6: 31,
} as const;

export type RegName = keyof typeof X;
/** An integer register number, 0..31. */
export type Reg = number;

/** ABI names in register-number order, as GNU objdump prints them (x8 is `s0`). */
export const ABI_NAMES: readonly string[] = Object.freeze(
  (Object.keys(X) as RegName[]).sort((a, b) => X[a] - X[b]),
);

/** Registers the callee must preserve (RISC-V psABI): sp, s0–s11. */
export const CALLEE_SAVED: readonly Reg[] = Object.freeze([X.sp, X.s0, X.s1, X.s2, X.s3, X.s4, X.s5, X.s6, X.s7, X.s8, X.s9, X.s10, X.s11]);

/** True for the 8 registers a 3-bit RVC register field can name: x8..x15 (s0, s1, a0..a5). */
export function isCReg(r: Reg): boolean {
  return r >= 8 && r <= 15;
}

/** Parses an ABI name (`a0`), `fp`, or an architectural name (`x10`); undefined when it is none of them. */
export function parseReg(name: string): Reg | undefined {
  if (name === "fp") return X.s0;
  if (name in X) return X[name as RegName];
  const m = /^x([0-9]|[12][0-9]|3[01])$/.exec(name);
  return m ? Number(m[1]) : undefined;
}
