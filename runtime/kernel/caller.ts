/**
 * @fileoverview bpf_prog_run: how the kernel calls a JIT-compiled program, and what it may rely on afterwards.
 *
 * Contract (entry point: the main function's first instruction, `funcs[0].addr`):
 * - a0 = ctx (or RunInput.args[0]), a1..a4 = args[1..4]; the RISC-V C calling convention otherwise.
 * - ra = RETURN_SENTINEL: returning there ends the run.
 * - sp = top of the 16 KiB kernel stack (16-byte aligned); tp = the current task_struct (the JIT reads
 *   thread_info.cpu through it); s0-s11 and gp hold canaries; every other register holds a poison value, so code
 *   that reads a register it never wrote computes garbage that shows.
 * - On return: sp, tp, gp and s0-s11 must hold their entry values (psABI callee-saved registers, plus the two the
 *   kernel never lets anyone change); each one that does not is named in an ABI-violation report.
 * - The result is a0, the 64-bit register the kernel reads as the program's return value (the JIT sign-extends
 *   the 32-bit R0 into it), and a5, BPF's R0, in full 64 bits.
 */
import { ABI_NAMES, X } from "../../compiler/riscv/regs.js";
import type { Kernel } from "./kernel.js";
import { CTX_ADDR, RETURN_SENTINEL, STACK_TOP, TASK_ADDR } from "./layout.js";

/** s0-s11 and gp at entry: "ca11ed" (called) and the register number, nothing that could be an address. */
export function canary(r: number): bigint {
  return 0xca11_ed00_0000_0000n | BigInt(r);
}
/** Caller-saved registers at entry. */
export function entryPoison(r: number): bigint {
  return 0xdead_e000_0000_0000n | BigInt(r);
}

const CALLEE_SAVED = [X.s0, X.s1, X.s2, X.s3, X.s4, X.s5, X.s6, X.s7, X.s8, X.s9, X.s10, X.s11];
const ARGS = [X.a0, X.a1, X.a2, X.a3, X.a4];

/** What each checked register must hold on return, by name. */
export function expectedOnReturn(): [name: string, reg: number, value: bigint][] {
  return [
    ["sp", X.sp, STACK_TOP], ["gp", X.gp, canary(X.gp)], ["tp", X.tp, TASK_ADDR],
    ...CALLEE_SAVED.map((r): [string, number, bigint] => [ABI_NAMES[r]!, r, canary(r)]),
  ];
}

/**
 * The register file at entry, in Machine.x's layout (x[2r] low word, x[2r + 1] high word; x0 stays 0): every run
 * starts from it, so it is worked out once; a0-a4, which depend on the run, are written over it.
 */
const ENTRY_REGS: Int32Array = (() => {
  const x = new Int32Array(2 * 33);
  const set = (r: number, v: bigint) => {
    x[2 * r] = Number(BigInt.asIntN(32, v));
    x[2 * r + 1] = Number(BigInt.asIntN(32, v >> 32n));
  };
  for (let r = 1; r < 32; r++) set(r, entryPoison(r));
  for (const r of [...CALLEE_SAVED, X.gp]) set(r, canary(r));
  set(X.tp, TASK_ADDR);
  set(X.sp, STACK_TOP);
  set(X.ra, RETURN_SENTINEL);
  return x;
})();

/** The registers returnViolations checks (their entry values are also in ENTRY_REGS, compared word by word). */
const CHECKED = expectedOnReturn();

/** Sets up the hart as bpf_prog_run leaves it when it jumps to the program. */
export function enterProgram(k: Kernel): void {
  const m = k.m;
  m.x.set(ENTRY_REGS);
  m.setReg(X.a0, k.ctx ? CTX_ADDR : 0n);
  (k.input.args ?? []).slice(0, 5).forEach((v, i) => m.setReg(ARGS[i]!, v));
  m.pc = k.programs[0]!.funcs[0]!.addr;
}

/** The registers not restored on return, as report lines; empty when the program kept the contract. */
export function returnViolations(k: Kernel): string[] {
  const x = k.m.x;
  const out: string[] = [];
  for (const [name, r, want] of CHECKED) {
    if (x[2 * r] === ENTRY_REGS[2 * r] && x[2 * r + 1] === ENTRY_REGS[2 * r + 1]) continue;
    out.push(`${name.padEnd(4)} expected ${k.hex(want)}, found ${k.hex(k.m.reg(r))}`);
  }
  return out;
}
