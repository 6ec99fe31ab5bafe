/**
 * @fileoverview bpf_throw(cookie), modelled on the kernel's (kernel/bpf/helpers.c: bpf_throw and
 * bpf_stack_walker; arch/riscv/kernel/stacktrace.c: the frame-pointer walk; reference §5.1, §5.6, §5.8, §5.9).
 *
 * Contract (entry point: kfuncAddress(KFUNC_BPF_THROW), called from JIT code with a0 = cookie):
 * 1. Walk the stack from the caller's frame: (pc, fp) starts as (ra, s0) — what bpf_throw's own frame record
 *    holds — and each step reads the frame record {fp, ra} at fp-16 / fp-8, with sp = the previous fp. A frame
 *    pointer must be 8-byte aligned and lie in [sp + 16, top of the stack] (the kernel's fp_is_valid).
 * 2. Frames before the first one in eBPF program text are skipped (the kernel's own frames); every eBPF frame is
 *    counted and recorded; a subprogram frame continues the walk; the first frame of a main program (function 0
 *    of any loaded program: the entry program, or one reached by tail call) is the exception boundary. A non-eBPF
 *    frame after eBPF frames, or a walk that leaves the stack, ends it without a boundary: a runtime error (the
 *    kernel WARNs and the program's behaviour is undefined).
 * 3. The boundary's program must have an exception callback (JitOutput.exceptionCb). bpf_throw calls it with
 *    a0 = cookie, a1 = the boundary frame's sp, a2 = its fp, a3 = a4 = 0, after clobbering s1-s11 (C code may),
 *    with sp below the walked frames (where bpf_throw's own frames are), and ra = a sentinel: the callback must
 *    leave through the boundary's frame (its epilogue restores the boundary's ra), never return here.
 *    s0 is bpf_throw's own frame pointer: the kernel is built with frame pointers (exceptions need them), so C code
 *    keeps s0 = its entry sp, here the thrower's sp, below every walked frame. The callback finds the boundary's
 *    frame only through a2; bpf_throw's frames are scrubbed and hold no frame record, so a callback that kept the
 *    s0 it was given restores garbage and fails, even for a throw made directly from the main program.
 */
import { X } from "../../compiler/riscv/regs.js";
import { GuestFault } from "./guest-memory.js";
import { callPoison, type Kernel, type Stop } from "./kernel.js";
import { CALLBACK_RETURN_SENTINEL, STACK_ADDR, STACK_TOP } from "./layout.js";

export interface WalkedFrame {
  /** Return address into the frame's function (for the thrower: the instruction after its call). */
  pc: bigint;
  fp: bigint;
  sp: bigint;
  prog: number;
  func: string;
  kind: "subprog" | "main";
}

/** What bpf_throw's own C frames take below the thrower's sp (bpf_throw, arch_bpf_stack_walk, walk_stackframe). */
export const BPF_THROW_FRAMES = 160;
/** The callee-saved registers bpf_throw's C code is assumed to clobber before calling the callback. */
const CLOBBERED_BY_THROW = [X.s1, X.s2, X.s3, X.s4, X.s5, X.s6, X.s7, X.s8, X.s9, X.s10, X.s11];

export function throwClobber(r: number): bigint {
  return 0xc10b_be00_0000_0000n | BigInt(r);
}

/** Runs bpf_throw: on success, the hart is at the exception callback's entry and the run continues. */
export function bpfThrow(k: Kernel): Stop | undefined {
  const m = k.m;
  const cookie = m.reg(X.a0);
  const throwSp = m.reg(X.sp);
  const frames: WalkedFrame[] = [];
  const fail = (why: string): Stop => {
    k.thrown = { cookie, frames };
    return { kind: "fault", what: "bpf_throw found no exception boundary", why: `bpf_throw(${k.hex(cookie)}): ${why}` };
  };

  let pc = m.reg(X.ra);
  let fp = m.reg(X.s0);
  let sp = throwSp;
  let boundary: WalkedFrame | undefined;
  for (let depth = 0; depth < 64 && !boundary; depth++) {
    const lf = k.funcAt(pc);
    if (!lf) {
      if (frames.length === 0) return fail(`its return address ${k.hex(pc)} is not in eBPF program text`);
      return fail(`the walk reached ${k.hex(pc)}, outside eBPF program text, before a main program's frame`);
    }
    const frame: WalkedFrame = { pc, fp, sp, prog: lf.prog, func: lf.f.name, kind: lf.index === 0 ? "main" : "subprog" };
    frames.push(frame);
    if (lf.index === 0) {
      boundary = frame;
      break;
    }
    if ((fp & 7n) !== 0n || fp < sp + 16n || fp > STACK_TOP) {
      return fail(`frame pointer ${k.hex(fp)} of ${lf.f.name} is not a valid frame on the stack (sp ${k.hex(sp)})`);
    }
    try {
      const next = m.mem.read(fp - 16n, 8);
      pc = m.mem.read(fp - 8n, 8);
      sp = fp;
      fp = next;
    } catch (e) {
      if (e instanceof GuestFault) return fail(`reading the frame record at ${k.hex(fp - 16n)}: ${e.message}`);
      throw e;
    }
  }
  if (!boundary) return fail("the walk did not reach a main program within 64 frames");

  const prog = k.programs[boundary.prog]!;
  const main = prog.funcs[0]!;
  if (prog.exceptionCb === undefined || main.isExceptionBoundary === false) {
    return fail(`the main program ${main.name} is not an exception boundary (it has no exception callback)`);
  }
  const cb = prog.funcs[prog.exceptionCb];
  if (!cb) return fail(`exception callback index ${prog.exceptionCb} is not a function of the program`);
  k.thrown = { cookie, frames };

  const newSp = (throwSp - BigInt(BPF_THROW_FRAMES)) & ~15n;
  if (newSp < STACK_ADDR) return { kind: "fault", what: "kernel stack overflow", why: `bpf_throw's frames below sp ${k.hex(throwSp)} overflow the kernel stack` };
  k.scrubStack(newSp, throwSp);
  const call = k.calls.length - 1;
  for (const r of [X.t0, X.t1, X.t2, X.a5, X.a6, X.a7, X.t3, X.t4, X.t5, X.t6]) m.setReg(r, callPoison(call, r));
  for (const r of CLOBBERED_BY_THROW) m.setReg(r, throwClobber(r));
  m.setReg(X.s0, throwSp); // bpf_throw's frame pointer (see the header)
  m.setReg(X.a0, cookie);
  m.setReg(X.a1, boundary.sp);
  m.setReg(X.a2, boundary.fp);
  m.setReg(X.a3, 0n);
  m.setReg(X.a4, 0n);
  m.setReg(X.sp, newSp);
  m.setReg(X.ra, CALLBACK_RETURN_SENTINEL);
  m.pc = cb.addr;
  return undefined;
}
