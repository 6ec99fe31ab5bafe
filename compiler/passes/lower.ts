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
import * as fromLowerJmp from "../jit/lower-jmp.js";
import * as fromLowerMem from "../jit/lower-mem.js";
import type { Consumed, RegMapped, SeenRegs } from "./map-registers.js";
import type { JitFunc } from "./split-functions.js";

// Imported values the loop uses as module-local constants: it runs for every instruction, and V8 folds a module's
// own constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { BPF_ALU, BPF_ALU64, BPF_JMP, BPF_JMP32, bpfClass } = fromOpcodes;
const { lowerAlu } = fromLowerAlu;
const { lowerJmp } = fromLowerJmp;
const { lowerMem } = fromLowerMem;

export interface LoweredFunc {
  fn: JitFunc;
  seen: SeenRegs;
  body: CodeBuf;
}

export interface Lowered {
  mapped: RegMapped;
  funcs: readonly LoweredFunc[];
}

export function lower(m: RegMapped, opts: LowerOptions, isa: EmitIsa): Lowered {
  return { mapped: m, funcs: m.split.funcs.map((fn, k) => lowerFunction(fn, m.seen[k]!, m.consumed[k]!, opts, isa)) };
}

function lowerFunction(fn: JitFunc, seen: SeenRegs, consumed: Consumed, opts: LowerOptions, isa: EmitIsa): LoweredFunc {
  const body = new CodeBuf(fn.insns.length * 2 + 8, fn.insns.length); // most instructions take one or two ops; it grows
  const a = new Asm(body, isa);
  lowerUnits(new LowerCtx(a, fn, opts, (seen.final & SEEN_CALL) !== 0, consumed), body, a);
  return { fn, seen, body };
}

/** The loop over the function's units, on its own: V8 then optimizes it whole (with the code after it, which a loop
 * optimized on entry, on-stack, has never seen run, and deoptimizes on at every call). */
function lowerUnits(c: LowerCtx, body: CodeBuf, a: Asm): void {
  const insns = c.fn.insns;
  const consumed = c.consumed;
  const verifierZext = c.opts.verifierZext;
  for (let i = 0; i < insns.length; ) {
    const x = insns[i]!;
    const len = i + 1 < insns.length && consumed[i + 1] !== 0 ? 2 : 1;
    body.beginUnit(i);
    c.i = i;
    c.x = x;
    const cls = bpfClass(x.code);
    if (cls === BPF_ALU || cls === BPF_ALU64) {
      const finish = lowerAlu(c, x);
      if (finish && !verifierZext) a.zextw(c.reg(x.dst), c.reg(x.dst)); // finish ALU32: clear the upper half
    } else if (cls === BPF_JMP || cls === BPF_JMP32) {
      lowerJmp(c, x);
    } else {
      lowerMem(c, x);
    }
    body.endUnit(i + len - 1);
    i += len;
  }
}
