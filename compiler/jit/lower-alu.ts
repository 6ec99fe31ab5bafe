/**
 * @fileoverview Lowering of ALU and ALU64 instructions (bpf_jit_emit_insn's arithmetic cases). Each routine returns
 * whether the result is a 32-bit value still to be zero-extended: the caller applies that single "finish ALU32"
 * step (zext.w of rd, unless the verifier inserted explicit zero-extensions) instead of every case repeating it.
 *
 * 32-bit operations use the RV64 `*w` instruction where one exists and otherwise the 64-bit one (add, and, or,
 * xor, immediate left shift): the low 32 bits are the same and the finish step clears the rest.
 */
import type { Insn } from "../bpf/insn.js";
import * as fromOpcodes from "../bpf/opcodes.js";
import type { Reg } from "../riscv/regs.js";
import * as fromRegs from "../riscv/regs.js";
import * as fromKernelAbi from "../kernel-abi.js";
import * as fromBpfRegs from "./bpf-regs.js";
import * as fromCode from "./code.js";
import * as fromImm from "./imm.js";
import type { Asm } from "./emit.js";
import type { LowerCtx } from "./lower-ctx.js";
import * as fromOps from "./ops.js";

// Imported values as module-local constants: this module runs for every instruction, and V8 folds a module's own
// constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_DIV, BPF_END, BPF_LSH, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_TO_BE, BPF_TO_LE, BPF_X, BPF_XOR, bpfClass, bpfOp, bpfSrc } = fromOpcodes;
const { X } = fromRegs;
const { PER_CPU_OFFSET_ADDR, THREAD_INFO_CPU_OFF } = fromKernelAbi;
const { T1, T2 } = fromBpfRegs;
const { VK } = fromCode;
const { fitsI12 } = fromImm;
const { OP } = fromOps;

/** Internal MOV64 forms (kernel insn_is_mov_percpu_addr / insn_is_cast_user). */
const BPF_ADDR_PERCPU = -1;
const BPF_ADDR_SPACE_CAST = 1;

/** Register-register operations without a compressed form: [64-bit op, 32-bit op, signed 64, signed 32]. */
const PLAIN_RR_ROWS: ReadonlyArray<readonly [number, readonly [number, number, number?, number?]]> = [
  [BPF_MUL, [OP.mul, OP.mulw]],
  [BPF_DIV, [OP.divu, OP.divuw, OP.div, OP.divw]], // off != 0: sdiv (cpu v4)
  [BPF_MOD, [OP.remu, OP.remuw, OP.rem, OP.remw]], // off != 0: smod
  [BPF_LSH, [OP.sll, OP.sllw]],
  [BPF_RSH, [OP.srl, OP.srlw]],
  [BPF_ARSH, [OP.sra, OP.sraw]],
];
/** The same rows by op >> 4 (an array index rather than a hash lookup per instruction). */
const PLAIN_RR: ReadonlyArray<readonly [number, number, number?, number?] | undefined> = (() => {
  const t = new Array<readonly [number, number, number?, number?] | undefined>(16).fill(undefined);
  for (const [op, row] of PLAIN_RR_ROWS) t[op >> 4] = row;
  return t;
})();

/**
 * The ALU/ALU64 instructions the lowering pass has no other route for: END, NEG and MOV of a register (every other
 * operation goes straight to lowerRegOp, lowerImmOp or its own routine below: compiler/passes/lower.ts); anything
 * else is refused. Returns true if the 32-bit finish step applies.
 */
export function lowerAlu(c: LowerCtx, x: Insn): boolean {
  const op = bpfOp(x.code);
  const is64 = bpfClass(x.code) === BPF_ALU64;
  const rd = c.reg(x.dst);
  if (op === BPF_END) return lowerEnd(c, x, rd);
  if (op === BPF_NEG) {
    if (bpfSrc(x.code) === BPF_X) c.unknownOpcode();
    c.a.sub(rd, X.zero, rd); // dst = -dst
    return !is64;
  }
  if (op === BPF_MOV && bpfSrc(x.code) === BPF_X) return lowerMovX(c, x, rd, is64);
  c.unknownOpcode();
}

/** dst = dst OP src (not MOV, NEG or END, which lowerAlu handles; an operation without a case is refused). */
export function lowerRegOp(c: LowerCtx, x: Insn, op: number, rd: Reg, rs: Reg, is64: boolean): boolean {
  const a = c.a;
  switch (op) {
    case BPF_ADD:
      a.add(rd, rd, rs);
      return !is64;
    case BPF_SUB:
      if (is64) a.sub(rd, rd, rs);
      else a.subw(rd, rd, rs);
      return !is64;
    case BPF_AND:
      a.and(rd, rd, rs);
      return !is64;
    case BPF_OR:
      a.or(rd, rd, rs);
      return !is64;
    case BPF_XOR:
      a.xor(rd, rd, rs);
      return !is64;
  }
  const row = PLAIN_RR[op >> 4];
  if (!row) c.unknownOpcode();
  needsM(c, op);
  const signed = x.off !== 0 && row[2] !== undefined;
  a.r(signed ? (is64 ? row[2]! : row[3]!) : is64 ? row[0] : row[1], rd, rd, rs);
  return !is64;
}

/** dst = dst OP imm for the operations with an immediate that have no routine of their own: MUL, DIV and MOD,
 * always through t1 (the lowering pass sends the others to addImm ... arshImm below: compiler/passes/lower.ts); any
 * other operation is refused. */
export function lowerImmOp(c: LowerCtx, x: Insn, op: number, rd: Reg, is64: boolean): boolean {
  if (op !== BPF_MUL && op !== BPF_DIV && op !== BPF_MOD) c.unknownOpcode();
  const row = PLAIN_RR[op >> 4]!;
  needsM(c, op);
  const a = c.a;
  a.imm(T1, x.imm);
  const signed = x.off !== 0 && row[2] !== undefined;
  a.r(signed ? (is64 ? row[2]! : row[3]!) : is64 ? row[0] : row[1], rd, rd, T1);
  return !is64;
}

// The operations with an immediate, one routine each (the 32-bit finish step is the caller's, as everywhere here).

/** rd += imm. */
export function addImm(a: Asm, rd: Reg, imm: number): void {
  if (fitsI12(imm)) a.addi(rd, rd, imm);
  else {
    a.imm(T1, imm);
    a.add(rd, rd, T1);
  }
}

/** rd -= imm: an addi of -imm when that fits. */
export function subImm(a: Asm, rd: Reg, imm: number): void {
  if (fitsI12(-imm)) a.addi(rd, rd, -imm);
  else {
    a.imm(T1, imm);
    a.sub(rd, rd, T1);
  }
}

/** rd &= imm. */
export function andImm(a: Asm, rd: Reg, imm: number): void {
  if (fitsI12(imm)) a.andi(rd, rd, imm);
  else {
    a.imm(T1, imm);
    a.and(rd, rd, T1);
  }
}

/** rd |= imm. */
export function orImm(a: Asm, rd: Reg, imm: number): void {
  if (fitsI12(imm)) a.i(OP.ori, rd, rd, imm);
  else {
    a.imm(T1, imm);
    a.or(rd, rd, T1);
  }
}

/** rd ^= imm. */
export function xorImm(a: Asm, rd: Reg, imm: number): void {
  if (fitsI12(imm)) a.i(OP.xori, rd, rd, imm);
  else {
    a.imm(T1, imm);
    a.xor(rd, rd, T1);
  }
}

/** rd >>= imm, logical: srliw for 32 bits. */
export function rshImm(a: Asm, rd: Reg, imm: number, is64: boolean): void {
  if (is64) a.srli(rd, rd, imm);
  else a.i(OP.srliw, rd, rd, imm);
}

/** rd >>= imm, arithmetic: sraiw for 32 bits. */
export function arshImm(a: Asm, rd: Reg, imm: number, is64: boolean): void {
  if (is64) a.srai(rd, rd, imm);
  else a.i(OP.sraiw, rd, rd, imm);
}

function needsM(c: LowerCtx, op: number): void {
  if (!c.opts.hasM && (op === BPF_MUL || op === BPF_DIV || op === BPF_MOD)) c.fail("multiplication and division need the M extension");
}

/** dst = src, and its variants: sign-extending moves (off 8/16/32), the verifier's zext (imm 1), arena casts. */
function lowerMovX(c: LowerCtx, x: Insn, rd: Reg, is64: boolean): boolean {
  const a = c.a;
  const rs = c.reg(x.src);
  if (x.code === (BPF_ALU64 | BPF_MOV | BPF_X) && x.off === BPF_ADDR_SPACE_CAST && x.imm === 1 << 16) {
    // dst = (u32)src ? user_vm_start_hi | (u32)src : 0  (arena pointer to user address; NULL stays NULL)
    a.mv(T1, rs);
    a.zextw(T1, T1);
    a.imm64(rd, 0, Number(BigInt.asIntN(32, c.opts.arenaUserStart >> 32n)));
    a.b(OP.beq, T1, X.zero, 8); // skip the or when (u32)src == 0
    a.or(T1, rd, T1);
    a.mv(rd, T1);
    return false;
  }
  if (x.code === (BPF_ALU64 | BPF_MOV | BPF_X) && x.off === BPF_ADDR_PERCPU) {
    // dst = src + __per_cpu_offset[smp_processor_id()]
    if (rd !== rs) a.mv(rd, rs);
    a.lw(T1, THREAD_INFO_CPU_OFF, X.tp);
    a.buf.emitVar(VK.Addr, 0, T2, 0, -1, PER_CPU_OFFSET_ADDR);
    a.sh3add(T1, T1, T2);
    a.ld(T1, 0, T1);
    a.add(rd, rd, T1);
    return false; // the sequence is the whole instruction, as in the kernel (no zero-extension, whatever imm holds)
  }
  if (x.imm === 1) {
    a.zextw(rd, rd); // the verifier's explicit zero-extension
    return false;
  }
  switch (x.off) {
    case 0:
      a.mv(rd, rs);
      break;
    case 8:
      a.sextb(rd, rs);
      break;
    case 16:
      a.sexth(rd, rs);
      break;
    case 32:
      a.sextw(rd, rs);
      break;
  }
  return !is64;
}

/** Byte order: to-LE is a truncation on a little-endian machine; to-BE and the v4 bswap swap bytes. */
function lowerEnd(c: LowerCtx, x: Insn, rd: Reg): boolean {
  const a = c.a;
  if (x.code === (BPF_ALU | BPF_END | BPF_TO_LE)) {
    if (x.imm === 16) a.zexth(rd, rd);
    else if (x.imm === 32 && !c.opts.verifierZext) a.zextw(rd, rd);
    return false;
  }
  if (x.code === (BPF_ALU | BPF_END | BPF_TO_BE) || x.code === (BPF_ALU64 | BPF_END | BPF_TO_LE)) {
    a.bswap(rd, x.imm);
    return false;
  }
  c.unknownOpcode();
}
