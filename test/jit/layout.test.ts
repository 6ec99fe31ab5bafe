/**
 * @fileoverview The pass loop and everything whose bytes depend on the layout: the three conditional-branch forms,
 * jumps, calls (helpers shrinking to jal once the image has an address), tail calls, function placement, the pass
 * counts, and the 32-pass limit. Expected forms and pass counts were worked out by hand from the kernel's loop
 * (reference §2.1-§2.4): offsets start at 64 bytes per slot, a pass repeats until the size is stable, the first
 * stable size is allocated and one more stable pass ends the loop; the final pass counts too.
 */
import { describe, expect, it } from "vitest";
import * as b from "../../compiler/bpf/build.js";
import { insn } from "../../compiler/bpf/insn.js";
import { BPF_ALU64, BPF_JEQ } from "../../compiler/bpf/opcodes.js";
import { decode } from "../../compiler/riscv/decode.js";
import { jitRaw } from "../../compiler/pipeline.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import type { Insn } from "../../compiler/bpf/insn.js";
import { compile } from "./helpers.js";

/**
 * The instructions of one slot, decoded, with their absolute targets named relative to the function: for programs
 * too large to list in full. Targets are "epilogue", "slot N" or a byte offset.
 */
function slotCode(insns: readonly Insn[], slot: number): string[] {
  const f = jitRaw(insns, 0, { isa: parseIsa("rv64imac") }).funcs[0]!;
  const xs = f.insns.filter((x) => x.bpf === slot);
  const where = (off: number): string => (off === f.epilogueStart ? "epilogue" : f.lineMap.indexOf(off) >= 0 ? `slot ${f.lineMap.indexOf(off)}` : `+${off}`);
  const out: string[] = [];
  for (let k = 0; k < xs.length; k++) {
    const d = decode(xs[k]!.word)!;
    if (d.m === "auipc") {
      const lo = decode(xs[k + 1]!.word)!;
      out.push(`auipc+${lo.m} ${where(xs[k]!.offset + d.imm * 4096 + lo.imm)}`);
      k++;
    } else if (d.m === "jal" || d.m.startsWith("b")) out.push(`${d.m} ${where(xs[k]!.offset + d.imm)}`);
    else out.push(d.m);
  }
  return out;
}

const { R0, R1, R2 } = b;
/** bswap64 of r1 without Zbb: 80 bytes of code per slot with C, more than the loop's initial 64-byte estimate. */
const bswaps = (n: number) => Array.from({ length: n }, () => b.endian(BPF_ALU64, 0, R1, 64));

describe("conditional branch forms", () => {
  it("within 4 KiB: one b<cc> (51 bswaps: 4084 bytes), 4 passes", () => {
    const c = compile([b.jmpReg(BPF_JEQ, R1, R2, 51), ...bswaps(51), b.exit()]);
    expect(c.slots[0]).toEqual(["beq a0,a1,<epilogue>"]);
    expect(c.out.funcs[0]!.passes).toBe(4);
  });

  it("beyond 4 KiB: inverted branch over a jal; the estimate was short, so one more pass (5)", () => {
    const c = compile([b.jmpReg(BPF_JEQ, R1, R2, 52), ...bswaps(52), b.exit()]);
    expect(c.slots[0]).toEqual(["bne a0,a1,.Lbpf1", "jal zero,<epilogue>"]);
    expect(c.out.funcs[0]!.passes).toBe(5);
  });

  it("beyond 1 MiB: inverted branch over auipc+jalr through t1", () => {
    expect(slotCode([b.jmpReg(BPF_JEQ, R1, R2, 13200), ...bswaps(13200), b.exit()], 0)).toEqual(["bne slot 1", "auipc+jalr epilogue"]);
  });
});

describe("jumps", () => {
  it("gotol over 1 MiB forwards and back: auipc+jalr both ways", () => {
    const n = 13200;
    const prog = [b.gotol(n + 1), ...bswaps(n), b.gotol(-n - 2), b.exit()];
    expect(slotCode(prog, 0)).toEqual(["auipc+jalr epilogue"]);
    expect(slotCode(prog, n + 1)).toEqual(["auipc+jalr slot 0"]);
  });

  it("a jump over less than 1 MiB is a single jal", () => {
    expect(slotCode([b.gotol(100), ...bswaps(100), b.exit()], 0)).toEqual(["jal epilogue"]);
  });

  it("an exit 1 MiB before the end reaches the epilogue with auipc+jalr", () => {
    expect(slotCode([b.jmpImm(BPF_JEQ, R1, 0, 1), b.exit(), ...bswaps(13200), b.exit()], 1)).toEqual(["auipc+jalr epilogue"]);
  });
});

describe("calls", () => {
  it("a helper 2 GiB away: auipc+jalr ra, then R0 = a0", () => {
    const c = compile([b.callHelper(1), b.exit()]);
    expect(c.slots[0]).toEqual(["auipc t1,%pcrel_hi(bpf_map_lookup_elem)", "jalr ra,%pcrel_lo(bpf_map_lookup_elem)(t1)", "c.mv a5,a0"]);
    expect(c.out.funcs[0]!.passes).toBe(4);
  });

  it("a helper within 1 MiB shrinks to jal once the image is allocated: one more pass (5)", () => {
    const image = 0xffff_ffff_0100_0000n;
    const c = compile([b.callHelper(1), b.exit()], { imageAddr: image, helperAddr: (id) => image + 0x1000n * BigInt(id) });
    const f = c.out.funcs[0]!;
    const call = f.insns.find((x) => x.bpf === 0)!;
    const d = decode(call.word)!;
    expect([d.m, d.rd, f.addr + BigInt(call.offset + d.imm)]).toEqual(["jal", 1, image + 0x1000n]);
    expect(f.passes).toBe(5);
  });

  it("a helper at address 0 keeps the zero offset (the kernel only computes offsets for non-null targets)", () => {
    const c = compile([b.callHelper(1), b.exit()], { helperAddr: () => 0n });
    expect(c.slots[0]).toEqual(["auipc t1,%pcrel_hi(.Lbpf0)", "jalr ra,%pcrel_lo(.Lbpf0)(t1)", "c.mv a5,a0"]);
  });

  it("kfunc arguments of 4 bytes are sign-extended first, per the kfunc's model", () => {
    const c = compile([b.callKfunc(7), b.exit()], { kfuncArgSizes: () => [8, 4] });
    expect(c.slots[0]!.slice(0, 1)).toEqual(["c.addiw a1,0"]);
  });
});

describe("tail calls", () => {
  const tail = [b.mov64Imm(R0, 0), b.callHelper(12), b.mov64Imm(R0, 1), b.exit()];

  it("checks index, counter and slot, then pops the frame and enters the target 12 bytes in", () => {
    const c = compile(tail);
    expect(c.slots[1]).toEqual([
      "c.slli a2,0x20", "c.srli a2,0x20", // index = (u32)index
      "lwu t1,36(a1)", "bgeu a2,t1,.Lbpf2", // index >= array->map.max_entries
      "c.addi a6,-1", "blt a6,zero,.Lbpf2", // --tcc < 0
      "slli t2,a2,0x3", "c.add t2,a1", "ld t2,264(t2)", "beq t2,zero,.Lbpf2", // !array->ptrs[index]
      "ld t3,48(t2)", // prog->bpf_func
      "c.ldsp s0,8(sp)", "c.addi16sp sp,16", "jalr zero,12(t3)",
    ]);
  });

  it("with Zba the index scaling is sh3add", () => {
    expect(compile(tail, { isa: "rv64imac_zba_zbb" }).slots[1]).toContain("sh3add t2,a2,a1");
  });

  it("with calls, TCC lives in s6: saved, copied from a6 in the prologue, decremented from s6", () => {
    const c = compile([b.mov64Imm(R0, 0), b.callHelper(1), b.callHelper(12), b.exit()]);
    expect(c.prologue.slice(3)).toEqual(["c.addi16sp sp,-32", "c.sdsp ra,24(sp)", "c.sdsp s0,16(sp)", "c.sdsp s6,8(sp)", "c.addi4spn s0,sp,32", "c.mv s6,a6"]);
    expect(c.slots[2]).toContain("addi a6,s6,-1");
    expect(c.out.funcs[0]!.passes).toBe(4);
  });

  it("a tail call before the first call: the first prologue is sized without s6, which costs a pass (5)", () => {
    const c = compile([b.mov64Imm(R0, 0), b.callHelper(12), b.callHelper(1), b.exit()]);
    expect(c.prologue).toContain("c.sdsp s6,8(sp)");
    expect(c.out.funcs[0]!.passes).toBe(5);
  });

  it("a tail call at insn 0 is emitted as Linux 6.12 emits it (exits measured from offset[0]) and flagged", () => {
    const c = compile([b.callHelper(12), b.exit()]);
    expect(c.out.warnings.join("\n")).toMatch(/tail call at insn 0: its "out" branches land 18 bytes past the sequence/);
  });
});

describe("functions and the pass limit", () => {
  it("places each function after the previous one's allocation (size + 24 bytes, rounded up to 64)", () => {
    // bpf_jit_binary_pack_alloc: round_up(size + 8 (header) + 16 (random hole), 64); images follow each other.
    const c = compile([b.mov64Imm(R0, 1), b.callPseudo(1), b.exit(), b.mov64Imm(R0, 2), b.exit()]);
    const [main, f1] = c.out.funcs;
    const next = main!.addr + BigInt(Math.ceil((main!.allocSize + 24) / 64) * 64);
    expect(f1!.addr).toBe(next);
    // The call in main lands on f1's first instruction (resolved in the extra pass).
    const call = main!.insns.filter((x) => x.bpf === 1);
    const hi = decode(call[0]!.word)!;
    const lo = decode(call[1]!.word)!;
    expect(main!.addr + BigInt(call[0]!.offset + hi.imm * 4096 + lo.imm)).toBe(f1!.addr);
  });

  it("fails loudly when the size has not converged within the pass limit", () => {
    // This program needs 5 sizing-and-final passes (4 sizing); with a limit of 3 it cannot converge.
    expect(() => compile([b.jmpReg(BPF_JEQ, R1, R2, 52), ...bswaps(52), b.exit()], { maxPasses: 3 })).toThrow(/image did not converge in <3 passes!/);
  });

  it("records a PROBE_MEM load in the exception table: clear rd, resume at the next instruction", () => {
    const c = compile([insn(0x39 /* LDX | PROBE_MEM | DW */, R0, R1, 8, 0), b.exit()]);
    const f = c.out.funcs[0]!;
    const load = f.insns.find((x) => x.bpf === 0)!;
    expect(f.extable).toEqual([{ insn: load.offset, fixup: load.offset + load.size, reg: 15 /* a5 */ }]);
  });

  it("a PROBE_MEM load beyond a 12-bit offset: the entry is the load, not the address arithmetic before it", () => {
    const c = compile([insn(0x39 /* LDX | PROBE_MEM | DW */, R0, R1, 0x12340, 0), b.exit()]);
    const f = c.out.funcs[0]!;
    const ops = f.insns.filter((x) => x.bpf === 0);
    expect(ops.length).toBeGreaterThan(1); // t1 = off (lui+addiw), t1 += r1, then the load
    const load = ops[ops.length - 1]!;
    expect(decode(load.word)!.m).toMatch(/^c?\.?ld$/);
    expect(f.extable).toEqual([{ insn: load.offset, fixup: load.offset + load.size, reg: 15 /* a5 */ }]);
  });
});
