/**
 * @fileoverview Frames: the normal prologue/epilogue, the BPF-exception boundary and callback frames of the June 2026
 * RISC-V design (reference §5.6), and the newer instructions behind their switches. Expected code worked out by hand.
 */
import { describe, expect, it } from "vitest";
import * as b from "../../compiler/bpf/build.js";
import { insn } from "../../compiler/bpf/insn.js";
import { BPF_ATOMIC, BPF_CMPXCHG, BPF_DW, BPF_LOAD_ACQ, BPF_STORE_REL, BPF_STX, BPF_W } from "../../compiler/bpf/opcodes.js";
import type { JitInput } from "../../compiler/pipeline.js";
import { codeOf, compile, compileVerified } from "./helpers.js";

const { R0, R1, R2 } = b;
const KFUNC_BPF_THROW = 1;

/** main (exception boundary, stack 24) throws 7; its callback (stack 8) returns the cookie. */
function throwing(): JitInput {
  const insns = [b.mov64Imm(R1, 7), b.callKfunc(KFUNC_BPF_THROW), b.mov64Imm(R0, 0), b.exit(), b.mov64Reg(R0, R1), b.exit()];
  return {
    insns,
    subprogs: [
      { start: 0, end: 4, stackDepth: 24, isExceptionCb: false, isExceptionBoundary: true },
      { start: 4, end: 6, stackDepth: 8, isExceptionCb: true, isExceptionBoundary: false },
    ],
    exceptionCb: 1,
  };
}

const entry = ["addi zero,zero,0", "addi zero,zero,0", "addi a6,zero,33"];

describe("frames", () => {
  it("a leaf without stack saves only s0, at s0-8", () => {
    const c = compile([b.mov64Imm(R0, 0), b.exit()]);
    expect(c.prologue).toEqual([...entry, "c.addi16sp sp,-16", "c.sdsp s0,8(sp)", "c.addi4spn s0,sp,16"]);
    expect(c.out.funcs[0]!.frame.saved).toEqual([{ reg: 8, offset: -8 }]);
  });

  it("a BPF stack sets up s5 even when no instruction names R10 (mark_fp)", () => {
    const c = compile([b.mov64Imm(R0, 0), b.exit()], { stackDepth: 8 });
    expect(c.prologue.slice(3)).toEqual(["c.addi16sp sp,-32", "c.sdsp s0,24(sp)", "c.sdsp s5,16(sp)", "c.addi4spn s0,sp,32", "addi s5,sp,16"]);
  });
});

describe("BPF exceptions", () => {
  const saveAll = ["ra", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11"];

  it("the boundary saves ra, s0 and s1..s11 (ra and s0 first: a {fp, ra} record at s0-16) and still sets up s5", () => {
    const out = compileVerified(throwing(), { framePointer: true });
    const c = codeOf(out, 0);
    // 13 registers: 104 bytes rounded to 112, plus the BPF stack (24 rounded to 32)
    expect(c.prologue).toEqual([
      ...entry, "c.addi16sp sp,-144",
      ...saveAll.map((r, k) => `c.sdsp ${r},${136 - 8 * k}(sp)`),
      "c.addi4spn s0,sp,144", "addi s5,sp,32",
    ]);
    expect(c.epilogue).toEqual([...saveAll.map((r, k) => `c.ldsp ${r},${136 - 8 * k}(sp)`), "c.addi16sp sp,144", "addiw a0,a5,0", "c.jr ra"]);
    expect(out.funcs[0]!.frame.saved.slice(0, 2)).toEqual([{ reg: 1, offset: -8 }, { reg: 8, offset: -16 }]);
  });

  it("the callback adopts the boundary's frame from a2, stores nothing, and restores what the boundary saved", () => {
    const out = compileVerified(throwing(), { framePointer: true });
    const c = codeOf(out, 1);
    // Its own BPF stack (8 -> 16) is below the same 112-byte save area.
    expect(c.prologue).toEqual([...entry, "c.mv s0,a2", "addi sp,s0,-128", "addi s5,sp,16"]);
    expect(c.epilogue).toEqual([...saveAll.map((r, k) => `c.ldsp ${r},${120 - 8 * k}(sp)`), "c.addi16sp sp,128", "addiw a0,a5,0", "c.jr ra"]);
    // Same save area relative to s0, though the BPF stack depths differ.
    expect(out.funcs[1]!.frame.saved).toEqual(out.funcs[0]!.frame.saved);
    expect(out.exceptionCb).toBe(1);
    expect([out.funcs[0]!.isExceptionBoundary, out.funcs[1]!.isExceptionCb]).toEqual([true, true]);
  });

  it("without frame pointers a program that throws is refused with the kernel's message, at the call", () => {
    expect(() => compileVerified(throwing())).toThrow("JIT does not support calling kfunc bpf_throw#1 (insn 1)");
  });

  it("without frame pointers a declared callback in a program that never throws is compiled, not refused", () => {
    const quiet = throwing();
    const insns = quiet.insns.map((x, i) => (i === 1 ? b.mov64Imm(R0, 0) : x));
    const out = compileVerified({ ...quiet, insns });
    expect(out.funcs).toHaveLength(2);
    expect(out.funcs[1]!.isExceptionCb).toBe(true);
  });
});

describe("instructions newer than Linux 6.12, behind switches", () => {
  const cmpxchg64 = b.atomic(BPF_DW, BPF_CMPXCHG, R1, R2, -8);
  const cmpxchg32 = b.atomic(BPF_W, BPF_CMPXCHG, R1, R2, 0);

  it("cmpxchg is the LR/SC loop by default (Linux 6.12): retry on a lost reservation, fence only on success", () => {
    // On a mismatch the bne skips sc, bne and fence: it lands on the next instruction's code (.Lbpf1).
    expect(compile([cmpxchg64, b.mov64Imm(R0, 0), b.exit()]).slots[0]).toEqual([
      "addi t1,a0,-8", "c.mv t2,a5", "lr.d a5,(t1)", "bne t2,a5,.Lbpf1", "sc.d.rl t3,a1,(t1)", "bne t3,zero,.-12", "fence rw,rw",
    ]);
  });

  it("with Zacas it is one amocas (aq+rl); the 32-bit form zero-extends r0 after", () => {
    expect(compile([cmpxchg64, b.exit()], { isa: "rv64imac_zacas", zacas: true }).slots[0]).toEqual(["addi t1,a0,-8", "amocas.d.aqrl a5,a1,(t1)"]);
    expect(compile([cmpxchg32, b.exit()], { isa: "rv64imac_zacas", zacas: true }).slots[0]).toEqual(["amocas.w.aqrl a5,a1,(a0)", "c.slli a5,0x20", "c.srli a5,0x20"]);
  });

  it("zacas without Zacas in the ISA is an error", () => {
    expect(() => compile([cmpxchg64, b.exit()], { zacas: true })).toThrow(/needs an ISA with Zacas/);
  });

  const acq = insn(BPF_STX | BPF_ATOMIC | BPF_DW, R0, R1, 8, BPF_LOAD_ACQ);
  const rel = insn(BPF_STX | BPF_ATOMIC | BPF_W, R1, R2, 4, BPF_STORE_REL);

  it("load-acquire: the load then fence r,rw; store-release: fence rw,w then the store", () => {
    const c = compile([acq, rel, b.exit()], { loadAcqStoreRel: true });
    expect(c.slots[0]).toEqual(["c.ld a5,8(a0)", "fence r,rw"]);
    expect(c.slots[1]).toEqual(["fence rw,w", "c.sw a1,4(a0)"]);
  });

  it("are refused by default, naming the switch", () => {
    expect(() => compile([acq, b.exit()])).toThrow(/load-acquire\/store-release are not in Linux 6.12/);
  });
});
