/**
 * @fileoverview The JIT's assembler: appends ops to a CodeBuf, choosing the compressed form exactly when Linux 6.12's
 * emit helpers do (arch/riscv/net/bpf_jit.h: emit_addi, emit_ld, ...), and the multi-instruction idioms built on them:
 * constants (emit_imm), zero/sign extension, byte swaps. Helpers named after a base mnemonic may compress; `op4`
 * emits the named 4-byte instruction unconditionally (the kernel's `emit(rv_xxx(...))`).
 */
import type { Reg } from "../riscv/regs.js";
import * as fromRegs from "../riscv/regs.js";
import type { CodeBuf } from "./code.js";
import * as fromBpfRegs from "./bpf-regs.js";
import * as fromImm from "./imm.js";
import * as fromOps from "./ops.js";

// Imported values as module-local constants: this module runs for every instruction, and V8 folds a module's own
// constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { X, isCReg } = fromRegs;
const { T1, T2 } = fromBpfRegs;
const { fitsI10, fitsI6, fitsU10, fitsU7, fitsU8, fitsU9, hi20, lo12 } = fromImm;
const { AQ, OP, RL } = fromOps;

/** The ISA facts the emitter needs. */
export interface EmitIsa {
  c: boolean;
  zba: boolean;
  zbb: boolean;
}

const { zero, sp } = X;

/** imm64's steps, from the bottom: the shift and the low 12 bits of each (at most three: each takes 12 bits or more). */
const STEP_SHIFT = new Int8Array(8);
const STEP_LOWER = new Int16Array(8);

export class Asm {
  private readonly c: boolean;

  constructor(
    readonly buf: CodeBuf,
    readonly isa: EmitIsa,
  ) {
    this.c = isa.c;
  }

  // ---- raw forms -----------------------------------------------------------------------------------------------

  /** A 4-byte R-type op: rd = rs1 OP rs2. */
  r(op: number, rd: Reg, rs1: Reg, rs2: Reg): void {
    this.buf.emitR(op, rd, rs1, rs2);
  }

  /** A 4-byte I-type op (also loads and jalr): rd = rs1 OP imm. */
  i(op: number, rd: Reg, rs1: Reg, imm: number): void {
    this.buf.emitI(op, rd, rs1, imm);
  }

  /** A 4-byte store: *(rs1 + imm) = rs2. */
  s(op: number, rs1: Reg, imm: number, rs2: Reg): void {
    this.buf.emitS(op, rs1, rs2, imm);
  }

  /** A conditional branch with a fixed byte offset (local control flow inside one idiom). */
  b(op: number, rs1: Reg, rs2: Reg, off: number): void {
    this.buf.emit(op, 0, rs1, rs2, off);
  }

  /** An AMO (or sc): rd = op(*(rs1), rs2) with ordering bits. */
  amo(op: number, rd: Reg, rs2: Reg, rs1: Reg, aq: boolean, rl: boolean): void {
    this.buf.emit(op, rd, rs1, rs2, 0, (aq ? AQ : 0) | (rl ? RL : 0));
  }

  /** `addi zero, zero, 0`, always 4 bytes (the fentry patch site). */
  nop(): void {
    this.i(OP.addi, zero, zero, 0);
  }

  /** fence pred, succ (bit sets i=8 o=4 r=2 w=1). */
  fence(pred: number, succ: number): void {
    this.buf.emit(OP.fence, 0, pred, succ, 0);
  }

  // ---- helpers that compress when the kernel's do -------------------------------------------------------------

  jalr(rd: Reg, rs: Reg, imm: number): void {
    if (this.c && rd === X.ra && rs !== zero && imm === 0) this.buf.emitC(OP["c.jalr"], 0, rs, 0, 0);
    else if (this.c && rd === zero && rs !== zero && imm === 0) this.buf.emitC(OP["c.jr"], 0, rs, 0, 0);
    else this.i(OP.jalr, rd, rs, imm);
  }

  mv(rd: Reg, rs: Reg): void {
    if (this.c && rd !== zero && rs !== zero) this.buf.emitC(OP["c.mv"], rd, 0, rs, 0);
    else this.i(OP.addi, rd, rs, 0);
  }

  add(rd: Reg, rs1: Reg, rs2: Reg): void {
    if (this.c && rd !== zero && rd === rs1 && rs2 !== zero) this.buf.emitC(OP["c.add"], rd, 0, rs2, 0);
    else this.r(OP.add, rd, rs1, rs2);
  }

  addi(rd: Reg, rs: Reg, imm: number): void {
    const c = this.c;
    if (c && rd === sp && rs === sp && imm !== 0 && fitsI10(imm) && (imm & 0xf) === 0) this.buf.emitC(OP["c.addi16sp"], sp, sp, 0, imm);
    else if (c && isCReg(rd) && rs === sp && imm !== 0 && fitsU10(imm) && (imm & 3) === 0) this.buf.emitC(OP["c.addi4spn"], rd, sp, 0, imm);
    else if (c && rd !== zero && rd === rs && imm !== 0 && fitsI6(imm)) this.buf.emitC(OP["c.addi"], rd, rd, 0, imm);
    else this.i(OP.addi, rd, rs, imm);
  }

  li(rd: Reg, imm: number): void {
    if (this.c && rd !== zero && fitsI6(imm)) this.buf.emitC(OP["c.li"], rd, 0, 0, imm);
    else this.i(OP.addi, rd, zero, imm);
  }

  /** rd = imm20 << 12; `imm20` as hi20() returns it (any sign; only its low 20 bits are encoded). */
  lui(rd: Reg, imm20: number): void {
    if (this.c && rd !== zero && rd !== sp && imm20 !== 0 && fitsI6(imm20)) this.buf.emitC(OP["c.lui"], rd, 0, 0, imm20);
    else this.buf.emitU(OP.lui, rd, imm20);
  }

  slli(rd: Reg, rs: Reg, sh: number): void {
    if (this.c && rd !== zero && rd === rs && sh !== 0 && sh >>> 0 < 64) this.buf.emitC(OP["c.slli"], rd, rd, 0, sh);
    else this.i(OP.slli, rd, rs, sh);
  }

  srli(rd: Reg, rs: Reg, sh: number): void {
    if (this.c && isCReg(rd) && rd === rs && sh !== 0 && sh >>> 0 < 64) this.buf.emitC(OP["c.srli"], rd, rd, 0, sh);
    else this.i(OP.srli, rd, rs, sh);
  }

  srai(rd: Reg, rs: Reg, sh: number): void {
    if (this.c && isCReg(rd) && rd === rs && sh !== 0 && sh >>> 0 < 64) this.buf.emitC(OP["c.srai"], rd, rd, 0, sh);
    else this.i(OP.srai, rd, rs, sh);
  }

  andi(rd: Reg, rs: Reg, imm: number): void {
    if (this.c && isCReg(rd) && rd === rs && fitsI6(imm)) this.buf.emitC(OP["c.andi"], rd, rd, 0, imm);
    else this.i(OP.andi, rd, rs, imm);
  }

  /** sub/or/and/xor/subw: the CA-format ops compress when rd == rs1 and both are RVC registers. */
  private ca(op4: number, opc: number, rd: Reg, rs1: Reg, rs2: Reg): void {
    if (this.c && isCReg(rd) && rd === rs1 && isCReg(rs2)) this.buf.emitC(opc, rd, rd, rs2, 0);
    else this.r(op4, rd, rs1, rs2);
  }
  sub(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.ca(OP.sub, OP["c.sub"], rd, rs1, rs2);
  }
  or(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.ca(OP.or, OP["c.or"], rd, rs1, rs2);
  }
  and(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.ca(OP.and, OP["c.and"], rd, rs1, rs2);
  }
  xor(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.ca(OP.xor, OP["c.xor"], rd, rs1, rs2);
  }
  subw(rd: Reg, rs1: Reg, rs2: Reg): void {
    this.ca(OP.subw, OP["c.subw"], rd, rs1, rs2);
  }

  addiw(rd: Reg, rs: Reg, imm: number): void {
    if (this.c && rd !== zero && rd === rs && fitsI6(imm)) this.buf.emitC(OP["c.addiw"], rd, rd, 0, imm);
    else this.i(OP.addiw, rd, rs, imm);
  }

  lw(rd: Reg, off: number, rs1: Reg): void {
    if (this.c && rs1 === sp && rd !== zero && fitsU8(off) && (off & 3) === 0) this.buf.emitC(OP["c.lwsp"], rd, sp, 0, off);
    else if (this.c && isCReg(rd) && isCReg(rs1) && fitsU7(off) && (off & 3) === 0) this.buf.emitC(OP["c.lw"], rd, rs1, 0, off);
    else this.i(OP.lw, rd, rs1, off);
  }

  sw(rs1: Reg, off: number, rs2: Reg): void {
    if (this.c && rs1 === sp && fitsU8(off) && (off & 3) === 0) this.buf.emitC(OP["c.swsp"], 0, sp, rs2, off);
    else if (this.c && isCReg(rs1) && isCReg(rs2) && fitsU7(off) && (off & 3) === 0) this.buf.emitC(OP["c.sw"], 0, rs1, rs2, off);
    else this.s(OP.sw, rs1, off, rs2);
  }

  ld(rd: Reg, off: number, rs1: Reg): void {
    if (this.c && rs1 === sp && rd !== zero && fitsU9(off) && (off & 7) === 0) this.buf.emitC(OP["c.ldsp"], rd, sp, 0, off);
    else if (this.c && isCReg(rd) && isCReg(rs1) && fitsU8(off) && (off & 7) === 0) this.buf.emitC(OP["c.ld"], rd, rs1, 0, off);
    else this.i(OP.ld, rd, rs1, off);
  }

  sd(rs1: Reg, off: number, rs2: Reg): void {
    if (this.c && rs1 === sp && fitsU9(off) && (off & 7) === 0) this.buf.emitC(OP["c.sdsp"], 0, sp, rs2, off);
    else if (this.c && isCReg(rs1) && isCReg(rs2) && fitsU8(off) && (off & 7) === 0) this.buf.emitC(OP["c.sd"], 0, rs1, rs2, off);
    else this.s(OP.sd, rs1, off, rs2);
  }

  // ---- idioms --------------------------------------------------------------------------------------------------

  /** rd = (rs1 << 3) + rs2 (sh3add with Zba). */
  sh3add(rd: Reg, rs1: Reg, rs2: Reg): void {
    if (this.isa.zba) return this.r(OP.sh3add, rd, rs1, rs2);
    this.slli(rd, rs1, 3);
    this.add(rd, rd, rs2);
  }

  /** rd = zero-extended low 32 bits of rs: add.uw with Zba, else a shift pair. */
  zextw(rd: Reg, rs: Reg): void {
    if (this.isa.zba) return this.r(OP["add.uw"], rd, rs, zero);
    this.slli(rd, rs, 32);
    this.srli(rd, rd, 32);
  }

  /** rd = sign-extended low 32 bits of rs (addiw rd, rs, 0; c.addiw when rd == rs). */
  sextw(rd: Reg, rs: Reg): void {
    this.addiw(rd, rs, 0);
  }

  zexth(rd: Reg, rs: Reg): void {
    if (this.isa.zbb) return this.r(OP["zext.h"], rd, rs, 0);
    this.slli(rd, rs, 48);
    this.srli(rd, rd, 48);
  }

  sextb(rd: Reg, rs: Reg): void {
    if (this.isa.zbb) return this.r(OP["sext.b"], rd, rs, 0);
    this.slli(rd, rs, 56);
    this.srai(rd, rd, 56);
  }

  sexth(rd: Reg, rs: Reg): void {
    if (this.isa.zbb) return this.r(OP["sext.h"], rd, rs, 0);
    this.slli(rd, rs, 48);
    this.srai(rd, rd, 48);
  }

  /**
   * rd = val, for any integer |val| < 2^53: the kernel's emit_imm. A 32-bit value is `lui`+`addiw` (addiw, not addi,
   * so that e.g. 0x7ffff800 wraps and sign-extends correctly) or a single `li`; a wider one goes to imm64.
   */
  imm(rd: Reg, val: number): void {
    if ((val | 0) !== val) return this.imm64(rd, val | 0, Math.floor(val / 4294967296) | 0);
    const upper = hi20(val);
    const lower = lo12(val);
    if (upper === 0) return this.li(rd, lower);
    this.lui(rd, upper);
    this.addiw(rd, rd, lower);
  }

  /**
   * rd = the 64-bit value hi:lo (two int32 halves), as emit_imm(rd, (s64)val). A value wider than 32 bits is built
   * from the top: emit_imm splits off the low 12 bits (`lower`, sign-extended) and the trailing zeros of the rest
   * (`upper` = (val + 2^11) >> 12, so that adding the signed `lower` back comes out right), loads what remains the
   * same way, then shifts it back and adds `lower`. Here the steps are taken from the bottom in 32-bit halves (no
   * floating point, no recursion), recorded, and emitted from the top.
   */
  imm64(rd: Reg, lo: number, hi: number): void {
    let n = 0;
    while (hi !== lo >> 31) {
      STEP_LOWER[n] = (lo << 20) >> 20;
      // upper = (val + 2^11) >> 12, arithmetic, over 64 bits
      const sum = (lo >>> 0) + 2048; // exact: < 2^33
      const h = (hi + (sum > 0xffffffff ? 1 : 0)) | 0;
      let ul = ((sum >>> 0) >>> 12) | (h << 20);
      let uh = h >> 12;
      // its trailing zeros go into the shift (upper is not 0: val does not fit 32 bits)
      const tz = ul !== 0 ? 31 - Math.clz32(ul & -ul) : 32 + 31 - Math.clz32(uh & -uh);
      if (tz >= 32) {
        ul = uh >> (tz - 32);
        uh >>= 31;
      } else if (tz > 0) {
        ul = (ul >>> tz) | (uh << (32 - tz));
        uh >>= tz;
      }
      STEP_SHIFT[n++] = tz + 12;
      lo = ul;
      hi = uh;
    }
    this.imm(rd, lo);
    while (n > 0) {
      n--;
      this.slli(rd, rd, STEP_SHIFT[n]!);
      if (STEP_LOWER[n] !== 0) this.addi(rd, rd, STEP_LOWER[n]!);
    }
  }

  /**
   * rd = byte-swapped low `bits` bits of rd (bits 16, 32 or 64), zero-extended: rev8 (+ srli) with Zbb, else the
   * kernel's byte loop through t1/t2 — move one byte at a time from the bottom of rd to the bottom of t2.
   */
  bswap(rd: Reg, bits: number): void {
    if (this.isa.zbb) {
      this.r(OP.rev8, rd, rd, 0);
      if (64 - bits !== 0) this.srli(rd, rd, 64 - bits);
      return;
    }
    const shifts = bits === 16 ? 1 : bits === 32 ? 3 : 7;
    this.li(T2, 0);
    for (let k = 0; k < shifts; k++) {
      this.andi(T1, rd, 0xff); // t1 = rd & 0xff
      this.add(T2, T2, T1); //    t2 += t1
      this.slli(T2, T2, 8); //    t2 <<= 8
      this.srli(rd, rd, 8); //    rd >>= 8
    }
    this.andi(T1, rd, 0xff);
    this.add(T2, T2, T1);
    this.mv(rd, T2);
  }
}
