/**
 * @fileoverview Lowering of loads, stores, 64-bit immediates and atomics (bpf_jit_emit_insn's LD/LDX/ST/STX cases).
 * An offset that does not fit 12 bits is added to the base in t1 (t2 for ST, whose value is in t1).
 *
 * PROBE_MEM* modes are the verifier's rewrites of loads that may fault (BTF pointers, arena memory): they get an
 * exception-table entry, and arena accesses add the arena base (s7) first.
 */
import type { Insn } from "../bpf/insn.js";
import * as fromInsn from "../bpf/insn.js";
import * as fromOpcodes from "../bpf/opcodes.js";
import type { Reg } from "../riscv/regs.js";
import * as fromRegs from "../riscv/regs.js";
import * as fromBpfRegs from "./bpf-regs.js";
import * as fromCode from "./code.js";
import * as fromImm from "./imm.js";
import type { LowerCtx } from "./lower-ctx.js";
import * as fromOps from "./ops.js";

// Imported values as module-local constants: this module runs for every instruction, and V8 folds a module's own
// constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { LD_IMM64 } = fromInsn;
const { BPF_ADD, BPF_AND, BPF_ATOMIC, BPF_CMPXCHG, BPF_DW, BPF_FETCH, BPF_LDX, BPF_LOAD_ACQ, BPF_MEM, BPF_MEMSX, BPF_OR, BPF_PSEUDO_FUNC, BPF_ST, BPF_STORE_REL, BPF_STX, BPF_W, BPF_XCHG, BPF_XOR, bpfClass, bpfMode, bpfSize } = fromOpcodes;
const { X } = fromRegs;
const { ARENA, T1, T2, T3 } = fromBpfRegs;
const { VK } = fromCode;
const { fitsI12 } = fromImm;
const { OP } = fromOps;

/** The verifier's internal load/store modes. */
export const BPF_PROBE_MEM = 0x20;
export const BPF_PROBE_MEMSX = 0x40;
export const BPF_PROBE_MEM32 = 0xa0;
/** BPF_ST | BPF_NOSPEC: speculation barrier, nothing to emit on RISC-V. */
export const BPF_NOSPEC = 0xc0;

/** Narrow loads [zero-extending, sign-extending] and stores, by size >> 3 (BPF_W, BPF_H, BPF_B = 0, 1, 2). */
const LOAD: readonly (readonly [number, number])[] = [[OP.lwu, OP.lw], [OP.lhu, OP.lh], [OP.lbu, OP.lb]];
const STORE: readonly number[] = [OP.sw, OP.sh, OP.sb];

export function lowerMem(c: LowerCtx, x: Insn): void {
  const code = x.code;
  const cls = bpfClass(code);
  const mode = bpfMode(code);
  const size = bpfSize(code);
  if (code === LD_IMM64) return ldImm64(c, x);
  if (cls === BPF_LDX) {
    const narrow = size !== BPF_DW;
    if (mode !== BPF_MEM && mode !== BPF_PROBE_MEM && mode !== BPF_PROBE_MEM32 && !((mode === BPF_MEMSX || mode === BPF_PROBE_MEMSX) && narrow)) c.unknownOpcode();
    let rs = c.reg(x.src);
    if (mode === BPF_PROBE_MEM32) rs = arenaAddr(c, T2, rs);
    const rd = c.reg(x.dst);
    const from = c.a.buf.hw;
    load(c, rd, x.off, rs, size, mode === BPF_MEMSX || mode === BPF_PROBE_MEMSX); // dst = *(size *)(src + off)
    if (mode !== BPF_MEM && mode !== BPF_MEMSX) c.a.buf.markFault(rd, from);
    return;
  }
  if (cls === BPF_ST) {
    if (code === (BPF_ST | BPF_NOSPEC)) return;
    if (mode !== BPF_MEM && mode !== BPF_PROBE_MEM32) c.unknownOpcode();
    let rd = c.reg(x.dst);
    if (mode === BPF_PROBE_MEM32) rd = arenaAddr(c, T3, rd);
    const from = c.a.buf.hw;
    storeImm(c, rd, x.off, x.imm, size); // *(size *)(dst + off) = imm
    if (mode === BPF_PROBE_MEM32) c.a.buf.markFault(0, from);
    return;
  }
  if (cls === BPF_STX && (mode === BPF_MEM || mode === BPF_PROBE_MEM32)) {
    let rd = c.reg(x.dst);
    if (mode === BPF_PROBE_MEM32) rd = arenaAddr(c, T2, rd);
    const from = c.a.buf.hw;
    store(c, rd, x.off, c.reg(x.src), size); // *(size *)(dst + off) = src
    if (mode === BPF_PROBE_MEM32) c.a.buf.markFault(0, from);
    return;
  }
  if (cls === BPF_STX && mode === BPF_ATOMIC) return atomic(c, x, size);
  c.unknownOpcode();
}

/** dst = imm64; a function's address (callbacks) is always auipc+addi so that it can be filled in later. */
function ldImm64(c: LowerCtx, x: Insn): void {
  const rd = c.reg(x.dst);
  if (x.src === BPF_PSEUDO_FUNC) {
    c.a.buf.emitVar(VK.Addr, 0, rd, 0, c.fn.callee.get(c.i)!);
    return;
  }
  const hi = c.next!.imm;
  c.a.imm64(rd, x.imm, hi);
}

function arenaAddr(c: LowerCtx, tmp: Reg, base: Reg): Reg {
  if (c.opts.arenaKernStart === 0n) c.fail("arena access (PROBE_MEM32) in a program without an arena");
  c.a.add(tmp, base, ARENA);
  return tmp;
}

/** tmp = base + off, for an offset beyond 12 bits: the access then goes through 0(tmp) (emit_imm + emit_add). */
function farBase(c: LowerCtx, off: number, base: Reg, tmp: Reg): Reg {
  c.a.imm(tmp, off);
  c.a.add(tmp, tmp, base);
  return tmp;
}

/** LDX | MEM: dst = *(size *)(src + off). */
export function lowerLoad(c: LowerCtx, x: Insn): void {
  load(c, c.reg(x.dst), x.off, c.reg(x.src), bpfSize(x.code), false);
}

/** STX | MEM: *(size *)(dst + off) = src. */
export function lowerStore(c: LowerCtx, x: Insn): void {
  store(c, c.reg(x.dst), x.off, c.reg(x.src), bpfSize(x.code));
}

/** rd = *(size *)(rs + off), sign- or zero-extended. */
function load(c: LowerCtx, rd: Reg, off: number, rs: Reg, size: number, signed: boolean): void {
  const a = c.a;
  if (!fitsI12(off)) {
    rs = farBase(c, off, rs, T1);
    off = 0;
  }
  if (size === BPF_DW) a.ld(rd, off, rs);
  else a.i(LOAD[size >> 3]![signed ? 1 : 0], rd, rs, off);
}

/** *(size *)(rd + off) = rs. */
function store(c: LowerCtx, rd: Reg, off: number, rs: Reg, size: number): void {
  if (!fitsI12(off)) {
    rd = farBase(c, off, rd, T1);
    off = 0;
  }
  storeTo(c, rd, off, rs, size);
}

/** *(size *)(rd + off) = imm, through t1 (and t2 for a large offset). */
function storeImm(c: LowerCtx, rd: Reg, off: number, imm: number, size: number): void {
  const a = c.a;
  a.imm(T1, imm);
  if (!fitsI12(off)) {
    rd = farBase(c, off, rd, T2);
    off = 0;
  }
  storeTo(c, rd, off, T1, size);
}

function storeTo(c: LowerCtx, base: Reg, off: number, value: Reg, size: number): void {
  if (size === BPF_W) c.a.sw(base, off, value);
  else if (size === BPF_DW) c.a.sd(base, off, value);
  else c.a.s(STORE[size >> 3]!, base, off, value);
}

/** The AMO for each BPF read-modify-write op: [32-bit, 64-bit]. */
const AMO: ReadonlyMap<number, readonly [number, number]> = new Map([
  [BPF_ADD, [OP["amoadd.w"], OP["amoadd.d"]]],
  [BPF_AND, [OP["amoand.w"], OP["amoand.d"]]],
  [BPF_OR, [OP["amoor.w"], OP["amoor.d"]]],
  [BPF_XOR, [OP["amoxor.w"], OP["amoxor.d"]]],
]);

/**
 * Atomics. Read-modify-write ops are single AMOs: without BPF_FETCH they discard the old value (rd = zero) and are
 * unordered; with it, and for XCHG, they are fully ordered (aq+rl) and return the old value in src (zero-extended
 * for 32 bits: amo*.w sign-extends). CMPXCHG is an LR/SC loop, or amocas with Zacas.
 */
function atomic(c: LowerCtx, x: Insn, size: number): void {
  const a = c.a;
  const imm = x.imm;
  const is64 = size === BPF_DW;
  const rs = c.reg(x.src);
  let rd = c.reg(x.dst);
  if (imm === BPF_LOAD_ACQ || imm === BPF_STORE_REL) {
    if (!c.opts.acqRel) c.fail("load-acquire/store-release are not in Linux 6.12 (enable them with loadAcqStoreRel, `--load-acq-store-rel`)");
    if (imm === BPF_LOAD_ACQ) {
      load(c, c.reg(x.dst), x.off, rs, size, false); // dst = load_acquire(src + off)
      a.fence(0b0010, 0b0011); // fence r, rw
    } else {
      a.fence(0b0011, 0b0001); // fence rw, w: store_release(dst + off, src)
      store(c, rd, x.off, rs, size);
    }
    return;
  }
  if (size !== BPF_W && size !== BPF_DW) c.unknownOpcode();
  if (!c.opts.hasA) c.fail("atomic instructions need the A extension");
  if (x.off !== 0) {
    if (fitsI12(x.off)) a.addi(T1, rd, x.off);
    else farBase(c, x.off, rd, T1);
    rd = T1;
  }
  const fetch = (imm & BPF_FETCH) !== 0;
  const rmw = AMO.get(imm & ~BPF_FETCH);
  if (rmw) {
    const amo = rmw[is64 ? 1 : 0];
    if (!fetch) a.amo(amo, X.zero, rs, rd, false, false); // lock *(dst + off) op= src
    else a.amo(amo, rs, rs, rd, true, true); // src = atomic_fetch_op(dst + off, src)
    if (fetch && !is64) a.zextw(rs, rs);
    return;
  }
  if (imm === BPF_XCHG) {
    a.amo(is64 ? OP["amoswap.d"] : OP["amoswap.w"], rs, rs, rd, true, true); // src = xchg(dst + off, src)
    if (!is64) a.zextw(rs, rs);
    return;
  }
  if (imm === BPF_CMPXCHG) return cmpxchg(c, rd, rs, is64);
  c.fail(`bpf-jit: invalid atomic RMW opcode ${(imm >>> 0).toString(16).padStart(2, "0")}`);
}

/** r0 = atomic_cmpxchg(addr, r0, src): returns the old value; stores src only if it equalled r0. */
function cmpxchg(c: LowerCtx, addr: Reg, rs: Reg, is64: boolean): void {
  const a = c.a;
  const r0 = c.reg(0);
  if (c.opts.zacas) {
    a.amo(is64 ? OP["amocas.d"] : OP["amocas.w"], r0, rs, addr, true, true);
    if (!is64) a.zextw(r0, r0);
    return;
  }
  if (is64) a.mv(T2, r0); // t2 = expected
  else a.addiw(T2, r0, 0); //   (sign-extended, as lr.w returns it)
  a.buf.emit(is64 ? OP["lr.d"] : OP["lr.w"], r0, addr, 0, 0); //  1: r0 = *addr (reserved)
  a.b(OP.bne, T2, r0, 16); //                                        goto 2 if r0 != expected
  a.amo(is64 ? OP["sc.d"] : OP["sc.w"], T3, rs, addr, false, true); // t3 = store-conditional(addr, src), release
  a.b(OP.bne, T3, X.zero, -12); //                                   goto 1 if the reservation was lost
  a.fence(0b0011, 0b0011); // fence rw, rw (skipped when the values differ)
  //                                                                    2:
  // Linux leaves the zero-extension of a 32-bit result to the BPF_ZEXT_REG its verifier inserts after this
  // instruction; for a verified program whose verifier did not, emit it here (never for raw programs).
  if (!is64 && c.opts.zextCmpxchg32) a.zextw(r0, r0);
}
