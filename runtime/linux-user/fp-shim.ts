/**
 * @fileoverview Moves of floating-point registers to and from memory, for static glibc programs only.
 *
 * Our emulator implements RV64IMAC + Zba/Zbb/Zbs/Zacas: no F or D. But Debian's riscv64 glibc is built for the
 * lp64d ABI, and its setjmp/longjmp save and restore fs0-fs11 (`fsd`/`fld`, often compressed), which every program
 * runs during start-up. Those are plain 64-bit data moves, so this layer gives the Linux runner a bank of 32
 * floating-point registers (as raw bits) and performs FLD/FSD/C.FLD/C.FSD/C.FLDSP/C.FSDSP when the core stops on
 * them as illegal instructions. Anything else floating-point stays an illegal instruction.
 *
 * Encodings: ISA manual Volume I, 20240411, chapter 21 ("D" extension, FLD/FSD) and 27 (RVC, C.FLD/C.FSD/C.FLDSP/
 * C.FSDSP). This decodes only those six forms, outside the instruction table on purpose: they are not part of the
 * ISA this toolkit models.
 */
import type { Machine } from "../rv64/machine.js";

interface FpMove { load: boolean; freg: number; base: number; offset: number; size: 2 | 4 }

const bits = (w: number, hi: number, lo: number): number => (w >>> lo) & ((1 << (hi - lo + 1)) - 1);
const creg = (v: number): number => 8 + v;

/** Decodes one of the six FP load/store forms, or undefined. */
export function decodeFpMove(word: number, size: 2 | 4): FpMove | undefined {
  if (size === 4) {
    const op = word & 0x7f, f3 = bits(word, 14, 12), rs1 = bits(word, 19, 15);
    if (op === 0x07 && f3 === 3) return { load: true, freg: bits(word, 11, 7), base: rs1, offset: word >> 20, size };
    if (op === 0x27 && f3 === 3) {
      const offset = ((word >> 25) << 5) | bits(word, 11, 7);
      return { load: false, freg: bits(word, 24, 20), base: rs1, offset, size };
    }
    return undefined;
  }
  const q = word & 3, f3 = bits(word, 15, 13);
  if (q === 0 && (f3 === 1 || f3 === 5)) {
    const offset = (bits(word, 12, 10) << 3) | (bits(word, 6, 5) << 6);
    return { load: f3 === 1, freg: creg(bits(word, 4, 2)), base: creg(bits(word, 9, 7)), offset, size };
  }
  if (q === 2 && f3 === 1) {
    const offset = (bits(word, 12, 12) << 5) | (bits(word, 6, 5) << 3) | (bits(word, 4, 2) << 6);
    return { load: true, freg: bits(word, 11, 7), base: 2, offset, size };
  }
  if (q === 2 && f3 === 5) {
    const offset = (bits(word, 12, 10) << 3) | (bits(word, 9, 7) << 6);
    return { load: false, freg: bits(word, 6, 2), base: 2, offset, size };
  }
  return undefined;
}

/** The floating-point register bank (bits only). */
export class FpRegs {
  readonly f = new BigUint64Array(32);

  /**
   * Performs the FP move the machine stopped on (an illegal-instruction fault at pc) and steps past it.
   * Returns false when the instruction is not one of ours; a bad address throws GuestFault.
   */
  tryExecute(m: Machine): boolean {
    const fault = m.fault;
    if (fault?.kind !== "illegal-instruction" || fault.word === undefined || fault.wordSize === undefined) return false;
    const mv = decodeFpMove(fault.word, fault.wordSize);
    if (!mv) return false;
    const addr = BigInt.asUintN(64, m.reg(mv.base) + BigInt(mv.offset));
    if (mv.load) this.f[mv.freg] = m.mem.read(addr, 8);
    else m.mem.write(addr, 8, this.f[mv.freg]!);
    m.pc = fault.pc + BigInt(mv.size);
    return true;
  }
}
