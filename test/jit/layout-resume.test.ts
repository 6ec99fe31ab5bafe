/**
 * @fileoverview The segmented layout's shortcuts (resuming a pass where the previous one first changed anything, and
 * stopping where the rest is the previous pass moved by a constant) against the kernel's offset table walked in
 * full (FullLayout), through the whole pass loop as fixup-branches runs it: first-pass frame, the allocation that
 * lets helper calls shrink, convergence, and the final frozen pass. Programs with many forward branches (the
 * kernel's wave of passes), exits in the middle, helper calls and tail calls.
 */
import { describe, expect, it } from "vitest";
import { generateProgram } from "../../bench/jit.bench.js";
import * as b from "../../compiler/bpf/build.js";
import { insn, type Insn } from "../../compiler/bpf/insn.js";
import { BPF_ADD, BPF_ALU, BPF_JEQ, BPF_JNE, BPF_MOV, BPF_W, BPF_X } from "../../compiler/bpf/opcodes.js";
import { VK } from "../../compiler/jit/code.js";
import { FullLayout, type Layout, type PassResult, SegmentedLayout } from "../../compiler/jit/layout.js";
import { IMAGE_ADDR } from "../../compiler/kernel-abi.js";
import { passFrame } from "../../compiler/passes/fixup-branches.js";
import { BPF_TAIL_CALL_OP } from "../../compiler/passes/map-registers.js";
import { framedProgram } from "./helpers.js";

/**
 * generateProgram's output with every `every`-th plain instruction replaced, in turn, by a helper call, an exit, a
 * tail call, a backward branch (up to ~3,000 instructions back), and a 4-byte load followed by the verifier's
 * zero-extension with an earlier branch to that zero-extension (whose offset-table entry no unit ever records).
 */
function withCallsAndExits(n: number, seed: number, branches: number, every: number): Insn[] {
  const prog = generateProgram(n, seed, branches);
  const out = prog.slice();
  const zext = insn(BPF_ALU | BPF_MOV | BPF_X, 1, 1, 0, 1);
  const plain = (k: number): boolean => {
    const cls = out[k]!.code & 7;
    return (cls === 4 || cls === 7 || cls === 1 || cls === 3) && out[k - 1]!.code !== 0x18 && out[k]!.code !== 0x18;
  };
  let m = 0;
  for (let k = 80; k < prog.length - 3; k += every) {
    if (!plain(k)) continue;
    switch (m++ % 5) {
      case 0:
        out[k] = b.callHelper(1);
        break;
      case 1:
        out[k] = b.exit();
        break;
      case 2:
        out[k] = { ...b.callHelper(0), code: BPF_TAIL_CALL_OP };
        break;
      case 3: {
        let t = k - 1 - ((m * 7919) % Math.min(k - 1, 3000));
        while (out[t - 1]?.code === 0x18) t--;
        out[k] = b.jmpImm(BPF_JNE, 1, 3, t - k - 1);
        break;
      }
      case 4:
        if (!plain(k + 1) || !plain(k - 40)) break;
        out[k] = b.ldxMem(BPF_W, 1, 10, -4);
        out[k + 1] = zext;
        out[k - 40] = b.jmpImm(BPF_JEQ, 2, 5, 40); // to the zero-extension at k + 1
        break;
    }
  }
  return out;
}

function expectSame(p: string, full: Layout | PassResult, seg: Layout | PassResult, nv: number): void {
  for (let v = 0; v < nv; v++) {
    if (full.at[v] !== seg.at[v] || full.hw[v] !== seg.hw[v] || full.rvoff[v] !== seg.rvoff[v]) {
      expect({ pass: p, v, at: seg.at[v], hw: seg.hw[v], rvoff: seg.rvoff[v] }).toEqual({ pass: p, v, at: full.at[v], hw: full.hw[v], rvoff: full.rvoff[v] });
    }
  }
}

/** Runs the pass loop on both layouts; returns the number of sizing passes and of var items the shortcuts skipped. */
function converge(insns: readonly Insn[]): { passes: number; skipped: number } {
  const f = framedProgram(insns, { c: true, zba: true, zbb: true }, 512).funcs[0]!;
  const nslots = insns.length;
  const full = new FullLayout(f.body, nslots);
  const seg = new SegmentedLayout(f.body, nslots);
  const nv = f.body.nv;
  let prev = 32 * nslots;
  let skipped = 0;
  for (let pass = 1; pass <= 32; pass++) {
    const frame = passFrame(pass === 1 ? f.first : f.steady);
    const size = full.pass(frame, true);
    expect(seg.pass(frame, true), `pass ${pass} size`).toBe(size);
    skipped += nv - seg.sized;
    expect([seg.prologueLen, seg.epilogueOffset]).toEqual([full.prologueLen, full.epilogueOffset]);
    expectSame(String(pass), full, seg, nv);
    for (let k = 0; k < nslots; k++) if (full.offsetAt(k) !== seg.offsetAt(k)) expect(`pass ${pass} offset[${k}] = ${seg.offsetAt(k)}`).toBe(`pass ${pass} offset[${k}] = ${full.offsetAt(k)}`);
    if (size === prev) {
      if (full.allocated) {
        const a = full.finalPass(frame);
        const c = seg.finalPass(frame);
        expect(c.size).toBe(a.size);
        expectSame("final", a.result, c.result, nv);
        return { passes: pass, skipped };
      }
      for (const l of [full, seg]) {
        l.allocated = true; // as fixup-branches' allocate(): helper calls now know how far they reach
        for (let v = 0; v < nv; v++) if (f.body.vk[v] === VK.CallFixed) l.delta[v] = Number(BigInt.asIntN(64, f.body.vaddr[v]! - IMAGE_ADDR));
      }
    }
    prev = size;
  }
  throw new Error("did not converge");
}

describe("the segmented layout's shortcuts size every pass as the full offset table does", () => {
  it("20,000 instructions, 4,000 branches (a long wave of passes)", () => {
    const r = converge(generateProgram(20_000, 5, 4_000));
    expect(r.passes).toBeGreaterThan(6);
    expect(r.skipped).toBeGreaterThan(0);
  });

  it("with helper calls, exits, tail calls, backward branches and branches to a folded zero-extension among them", () => {
    const r = converge(withCallsAndExits(20_000, 6, 4_000, 97));
    expect(r.passes).toBeGreaterThan(6);
    expect(r.skipped).toBeGreaterThan(0);
  });

  it("backward branches across the wave (loops up to ~3,000 instructions long, one every ~60 instructions)", () => {
    const prog = generateProgram(20_000, 8, 4_000);
    for (let k = 200; k < prog.length - 3; k += 61) {
      const cls = prog[k]!.code & 7;
      if ((cls !== 4 && cls !== 7) || prog[k - 1]!.code === 0x18) continue;
      let t = k - 1 - ((k * 7919) % Math.min(k - 1, 3000));
      while (prog[t - 1]?.code === 0x18) t--;
      prog[k] = b.jmpImm(BPF_JNE, 1, 3, t - k - 1);
    }
    const r = converge(prog);
    expect(r.passes).toBeGreaterThan(6);
    expect(r.skipped).toBeGreaterThan(0);
  });

  it("every branch jumped over by a short branch just before it (which reads the entry the branch's resizing moves)", () => {
    const prog = generateProgram(20_000, 9, 3_000);
    for (let k = 1; k < prog.length - 1; k++) {
      const isBranch = (prog[k]!.code & 7) === 5 && prog[k]!.code !== 0x95;
      const cls = prog[k - 1]!.code & 7;
      if (isBranch && (cls === 4 || cls === 7) && (k < 2 || prog[k - 2]!.code !== 0x18)) prog[k - 1] = b.jmpImm(BPF_JEQ, 1, 3, 1);
    }
    const r = converge(prog);
    expect(r.passes).toBeGreaterThan(6);
    expect(r.skipped).toBeGreaterThan(0);
  });

  it("a branch whose only reader ahead of it is the branch jumping over it", () => {
    // Pass 1 sizes the long branch pessimistically; pass 2 shrinks it, moving the entry the short branch before it
    // reads; pass 3 must size that short branch again although nothing else reaches past the change.
    const filler = (n: number) => Array.from({ length: n }, (_, k) => b.alu64Imm(BPF_ADD, 1 + (k % 5), k));
    const prog = [...filler(10), b.jmpImm(BPF_JEQ, 1, 3, 1), b.jmpImm(BPF_JNE, 2, 4, 300), ...filler(300), b.exit()];
    expect(converge(prog).passes).toBeGreaterThan(2);
  });

  it("a few long branches only", () => {
    const r = converge(generateProgram(8_000, 7, 300, 2));
    expect(r.passes).toBeGreaterThan(2);
  });
});
