/**
 * @fileoverview Small machines for unit tests: code from `rv` builder words (compressed ones take 2 bytes), a data
 * region, and a stack with a guard region below it.
 */
import { Machine, type MachineOptions } from "../../runtime/rv64/machine.js";
import { Memory } from "../../runtime/rv64/memory.js";

export const CODE = 0xffff_ffff_0100_0000n;
export const DATA = 0xffff_ffd0_0000_0000n;
export const STACK_TOP = 0xffff_ffc8_0000_5000n;
/** Translate every block at its first entry, whatever its length. */
export const TRANSLATE_ALL = { hot: 1, hotStraight: 1, minStraight: 1 };

/** Lays out instruction words: a word whose low bits are not 11 is a 2-byte compressed instruction. */
export function codeBytes(words: readonly number[]): Uint8Array {
  const out: number[] = [];
  for (const w of words) {
    out.push(w & 0xff, (w >>> 8) & 0xff);
    if ((w & 3) === 3) out.push((w >>> 16) & 0xff, (w >>> 24) & 0xff);
  }
  return Uint8Array.from(out);
}

export interface TestMachineOptions extends MachineOptions {
  /** Code bytes to use instead of `words`. */
  rawCode?: Uint8Array;
  data?: Uint8Array;
  dataPerm?: "rw-" | "r--";
}

/** A machine with pc at CODE, sp at STACK_TOP, a0 = DATA. */
export function testMachine(words: readonly number[], opts: TestMachineOptions = {}): Machine {
  const mem = new Memory();
  const code = opts.rawCode ?? codeBytes(words);
  mem.add({ name: "code", base: CODE, size: code.length, perm: "r-x", bytes: code });
  mem.add({ name: "data", base: DATA, size: opts.data?.length ?? 64, perm: opts.dataPerm ?? "rw-", bytes: opts.data });
  mem.add({ name: "stack guard", base: STACK_TOP - 0x5000n, size: 0x1000, perm: "---", guardOf: "stack" });
  mem.add({ name: "stack", base: STACK_TOP - 0x4000n, size: 0x4000, perm: "rw-" });
  const m = new Machine(mem, opts);
  m.pc = CODE;
  m.setReg(2, STACK_TOP);
  m.setReg(10, DATA);
  return m;
}
