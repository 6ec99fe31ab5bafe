/**
 * @fileoverview Lowering of every eBPF instruction to RV64 ops (the kernel's bpf_jit_emit_insn, unit by unit).
 * Requires: functions (split-functions) and their final seen flags (map-registers).
 * Provides: per function a CodeBuf: fixed ops in emission order, and var items for everything whose bytes depend on
 *   the layout (branches, jumps, calls, PC-relative addresses, the tail call's exits and inline epilogue).
 * Does not: decide branch forms or offsets (fixup-branches.ts), emit the prologue/epilogue (prologue-epilogue.ts).
 *
 * One "finish ALU32" step zero-extends the result of every 32-bit ALU instruction that needs it (unless the
 * verifier inserted explicit zero-extensions); the per-class routines live in compiler/jit/lower-*.ts.
 */
import * as fromOpcodes from "../bpf/opcodes.js";
import { SEEN_CALL } from "../jit/bpf-regs.js";
import { CodeBuf } from "../jit/code.js";
import { Asm, type EmitIsa } from "../jit/emit.js";
import * as fromLowerAlu from "../jit/lower-alu.js";
import { LowerCtx, type LowerOptions } from "../jit/lower-ctx.js";
import { type Arrays, FRESH } from "../jit/scratch.js";
import * as fromLowerJmp from "../jit/lower-jmp.js";
import * as fromLowerMem from "../jit/lower-mem.js";
import type { Consumed, RegMapped, SeenRegs } from "./map-registers.js";
import type { JitFunc } from "./split-functions.js";

// Imported values the loop uses as module-local constants: it runs for every instruction, and V8 folds a module's
// own constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_END, BPF_JMP, BPF_JMP32, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MOV, BPF_NEG, BPF_OR, BPF_RSH, BPF_STX, BPF_SUB, BPF_X, BPF_XOR } = fromOpcodes;
const { addImm, andImm, arshImm, lowerAlu, lowerImmOp, lowerRegOp, orImm, rshImm, subImm, xorImm } = fromLowerAlu;
const { condImm, condReg, isCondOp, lowerJmp } = fromLowerJmp;
const { lowerLoad, lowerMem, lowerStore } = fromLowerMem;

export interface LoweredFunc {
  fn: JitFunc;
  seen: SeenRegs;
  body: CodeBuf;
}

export interface Lowered {
  mapped: RegMapped;
  funcs: readonly LoweredFunc[];
}

/** `scratch`: where the code buffers' working arrays come from (scratch.ts; fresh ones by default). */
export function lower(m: RegMapped, opts: LowerOptions, isa: EmitIsa, scratch: Arrays = FRESH): Lowered {
  return { mapped: m, funcs: m.split.funcs.map((fn, k) => lowerFunction(fn, m.seen[k]!, m.consumed[k]!, opts, isa, scratch)) };
}

function lowerFunction(fn: JitFunc, seen: SeenRegs, consumed: Consumed, opts: LowerOptions, isa: EmitIsa, scratch: Arrays): LoweredFunc {
  const body = new CodeBuf(fn.insns.length * 2 + 8, fn.insns.length, scratch); // most instructions take one or two ops; it grows
  const a = new Asm(body, isa);
  lowerUnits(new LowerCtx(a, fn, opts, (seen.final & SEEN_CALL) !== 0, consumed), body, a);
  return { fn, seen, body };
}

/**
 * Where each opcode goes. The common forms go straight to their routine: one decision on the whole opcode, as the
 * kernel's `switch (code)` makes it, instead of a chain of them on its class, source and operation (on a program
 * that mixes instructions, each decision of the chain is a branch the CPU mispredicts). An operation with an
 * immediate has a route of its own, its routine small enough to be compiled into the loop (one routine for all of
 * them, switching on the operation, was a second decision and too large for that: 0.96x the lowering time on the
 * bench's mix). Everything else (MOV, NEG and END of a register, calls, exits, atomics, 64-bit immediates, invalid
 * jump and memory opcodes) goes through its class's routine; an invalid ALU operation goes to ALU_REG or ALU_IMM,
 * whose routine refuses it.
 */
const ALU_REG = 1; // dst = dst OP src
const ALU_IMM = 2; // dst = dst OP imm: MUL, DIV, MOD (and the invalid operations, refused there)
const COND_REG = 3; // if (dst COND src) goto
const COND_IMM = 4; // if (dst COND imm) goto
const LOAD = 5; // dst = *(src + off)
const STORE = 6; // *(dst + off) = src
const ALU = 7;
const JMP = 8;
const MEM = 9;
const MOV_K = 10; // dst = imm
const ADD_K = 11;
const SUB_K = 12;
const AND_K = 13;
const OR_K = 14;
const XOR_K = 15;
const LSH_K = 16;
const RSH_K = 17;
const ARSH_K = 18;
/** The operations with an immediate that have a route of their own. */
const K_ROUTES: ReadonlyMap<number, number> = new Map([
  [BPF_MOV, MOV_K], [BPF_ADD, ADD_K], [BPF_SUB, SUB_K], [BPF_AND, AND_K], [BPF_OR, OR_K], [BPF_XOR, XOR_K],
  [BPF_LSH, LSH_K], [BPF_RSH, RSH_K], [BPF_ARSH, ARSH_K],
]);
const ROUTE = Uint8Array.from({ length: 256 }, (_, code) => {
  const cls = code & 0x07;
  const op = code & 0xf0;
  const reg = (code & BPF_X) !== 0;
  if (cls === BPF_ALU || cls === BPF_ALU64) {
    if (op === BPF_NEG || op === BPF_END || (reg && op === BPF_MOV)) return ALU;
    return reg ? ALU_REG : (K_ROUTES.get(op) ?? ALU_IMM);
  }
  if (cls === BPF_JMP || cls === BPF_JMP32) return isCondOp(op) ? (reg ? COND_REG : COND_IMM) : JMP;
  if (code === (BPF_LDX | BPF_MEM | (code & 0x18))) return LOAD;
  if (code === (BPF_STX | BPF_MEM | (code & 0x18))) return STORE;
  return MEM;
});

/** The loop over the function's units, on its own: V8 then optimizes it whole (with the code after it, which a loop
 * optimized on entry, on-stack, has never seen run, and deoptimizes on at every call). */
function lowerUnits(c: LowerCtx, body: CodeBuf, a: Asm): void {
  const insns = c.fn.insns;
  const consumed = c.consumed;
  const verifierZext = c.opts.verifierZext;
  const route = ROUTE;
  for (let i = 0; i < insns.length; ) {
    const x = insns[i]!;
    const len = i + 1 < insns.length && consumed[i + 1] !== 0 ? 2 : 1;
    c.i = i;
    const code = x.code;
    let finish = false; // a 32-bit ALU result still to be zero-extended (the kernel's "finish ALU32" step)
    const alu32 = (code & 0x07) === BPF_ALU; // read by the ALU routes only
    switch (route[code]) {
      case MOV_K: // dst = imm, sign-extended to 64 bits
        a.imm(c.reg(x.dst), x.imm);
        finish = alu32;
        break;
      case ADD_K:
        addImm(a, c.reg(x.dst), x.imm);
        finish = alu32;
        break;
      case SUB_K:
        subImm(a, c.reg(x.dst), x.imm);
        finish = alu32;
        break;
      case AND_K:
        andImm(a, c.reg(x.dst), x.imm);
        finish = alu32;
        break;
      case OR_K:
        orImm(a, c.reg(x.dst), x.imm);
        finish = alu32;
        break;
      case XOR_K:
        xorImm(a, c.reg(x.dst), x.imm);
        finish = alu32;
        break;
      case LSH_K: // the 64-bit shift for both widths: the low 32 bits agree
        a.slli(c.reg(x.dst), c.reg(x.dst), x.imm);
        finish = alu32;
        break;
      case RSH_K:
        rshImm(a, c.reg(x.dst), x.imm, !alu32);
        finish = alu32;
        break;
      case ARSH_K:
        arshImm(a, c.reg(x.dst), x.imm, !alu32);
        finish = alu32;
        break;
      case ALU_REG:
        finish = lowerRegOp(c, x, code & 0xf0, c.reg(x.dst), c.reg(x.src), (code & 0x07) === BPF_ALU64);
        break;
      case ALU_IMM:
        finish = lowerImmOp(c, x, code & 0xf0, c.reg(x.dst), (code & 0x07) === BPF_ALU64);
        break;
      case COND_REG:
        condReg(c, x, code & 0xf0, (code & 0x07) === BPF_JMP);
        break;
      case COND_IMM:
        condImm(c, x, code & 0xf0, (code & 0x07) === BPF_JMP);
        break;
      case LOAD:
        lowerLoad(c, x);
        break;
      case STORE:
        lowerStore(c, x);
        break;
      case ALU:
        finish = lowerAlu(c, x);
        break;
      case JMP:
        lowerJmp(c, x);
        break;
      default:
        lowerMem(c, x);
    }
    if (finish && !verifierZext) a.zextw(c.reg(x.dst), c.reg(x.dst)); // finish ALU32: clear the upper half
    body.endUnit(i, i + len - 1);
    i += len;
  }
}
