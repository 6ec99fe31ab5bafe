/**
 * @fileoverview The judge (runtime/judge.ts): both engines agree on correct JIT output, and a fault injected into the
 * JIT's bytes is caught and located — at the branch that goes the other way, at the helper call whose arguments
 * differ, or (for a value the control flow never looks at) reported without a location.
 */
import { describe, expect, it } from "vitest";
import { assemble } from "../../compiler/bpf/asm.js";
import { verify, type Verified } from "../../compiler/passes/verify.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { mapAddress } from "../../runtime/kernel/layout.js";
import type { MapSpec } from "../../runtime/kernel/maps.js";
import { compileForKernel, judge, judgeCompiled, type JudgeOptions } from "../../runtime/judge.js";

const CONFIGS = ["rv64ima", "rv64imac", "rv64imac_zba_zbb"];

function program(src: string, maps: MapSpec[] = []): Verified {
  const a = assemble(src, "test.bpf", { maps: maps.map((m) => m.name) });
  return verify(a, { entry: "kernel", maps, mapAddress });
}

const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
};

const branchy = program(`
    r1 = *(u64 *)(r1 + 0)
    if r1 > 5 goto big
    r0 = 1
    exit
big:
    r0 = 2
    exit
`);

describe.each(CONFIGS)("the judge on %s", (config) => {
  const opts: JudgeOptions = { isa: parseIsa(config) };

  it("agrees on correct code: ALU, stack, branches, a map update", () => {
    const maps: MapSpec[] = [{ name: "m", type: "array", keySize: 4, valueSize: 8, maxEntries: 2 }];
    const v = program(`
    r6 = *(u64 *)(r1 + 0)
    r7 = r6
    r7 *= 3
    w8 = w7
    w8 >>= 1
    *(u64 *)(r10 - 16) = r8
    *(u32 *)(r10 - 4) = 1
    r1 = map[m] ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0
    call bpf_map_update_elem
    r0 = r7
    if r6 s< 0 goto neg
    r0 += r8
    exit
neg:
    r0 = -r0
    exit
`, maps);
    for (const x of [5n, -7n, 0x1_0000_0001n]) {
      const verdict = judge([v], { ctx: u64(x), maps }, opts);
      expect(verdict.problems).toEqual([]);
      expect(verdict.agree).toBe(true);
      const r7 = BigInt.asUintN(64, x * 3n);
      const r8 = (r7 & 0xffff_ffffn) >> 1n;
      expect(verdict.emu.r0).toBe(x < 0n ? BigInt.asUintN(64, -r7) : BigInt.asUintN(64, r7 + r8));
      expect(verdict.emu.mapsAfter[0]!.entries.length).toBeGreaterThan(0);
    }
  });

  it("locates a branch that goes the other way", () => {
    const outs = compileForKernel([branchy], opts);
    const f = outs[0]!.funcs[0]!;
    const branch = f.insns.filter((x) => x.bpf === 1).at(-1)!; // the branch itself, after the immediate in t1
    const at = branch.offset;
    const word = f.code[at]! | (f.code[at + 1]! << 8) | (f.code[at + 2]! << 16) | (f.code[at + 3]! << 24);
    const flipped = word ^ (1 << 12); // bltu <-> bgeu
    f.code.set([flipped & 0xff, (flipped >>> 8) & 0xff, (flipped >>> 16) & 0xff, flipped >>> 24], at);
    const verdict = judgeCompiled([branchy], outs, { ctx: u64(7n) }, opts);
    expect(verdict.agree).toBe(false);
    expect(verdict.problems).toContain("R0: JIT 0x1, interpreter 0x2");
    expect(verdict.divergence).toMatchObject({ insn: 1, text: "if r1 > 5 goto +2" });
    expect(verdict.divergence!.detail).toContain("the JIT went on to insn 2 (`r0 = 1`), the interpreter to insn 4 (`r0 = 2`)");
  });

  it("locates the helper call whose arguments differ", () => {
    const maps: MapSpec[] = [{ name: "m", type: "array", keySize: 4, valueSize: 8, maxEntries: 1 }];
    const v = program(`
    *(u32 *)(r10 - 4) = 0
    *(u64 *)(r10 - 16) = 9
    r1 = map[m] ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0
    call bpf_map_update_elem
    r0 = 0
    exit
`, maps);
    const outs = compileForKernel([v], opts);
    const f = outs[0]!.funcs[0]!;
    const slot = v.insns.findIndex((x) => x.code === 0xb7 && x.dst === 4); // r4 = 0 (BPF_ALU64 | BPF_MOV | BPF_K)
    const li = f.insns.find((x) => x.bpf === slot)!;
    if (li.size === 2) f.code[li.offset] ^= 1 << 2; // c.li a3,0 -> c.li a3,1: imm bit 0 is bit 2
    else f.code[li.offset + 2] ^= 1 << 4; // addi a3,zero,0 -> 1: imm bit 0 is bit 20
    const verdict = judgeCompiled([v], outs, { maps }, opts);
    expect(verdict.agree).toBe(false);
    expect(verdict.problems.join("\n")).toMatch(/call #1: JIT bpf_map_update_elem\(.*, 0x1\) = .*interpreter bpf_map_update_elem\(.*, 0x0\) = 0x0/);
    expect(verdict.divergence).toMatchObject({ text: "call bpf_map_update_elem" });
  });

  it("reports a value that differs without a place when the control flow never looks at it", () => {
    const outs = compileForKernel([branchy], opts);
    const f = outs[0]!.funcs[0]!;
    const li = f.insns.find((x) => x.bpf === 4)!; // r0 = 2
    if (li.size === 2) f.code[li.offset] ^= 1 << 2; // c.li a5,2 -> c.li a5,3
    else f.code[li.offset + 2] ^= 1 << 4;
    const verdict = judgeCompiled([branchy], outs, { ctx: u64(9n) }, opts);
    expect(verdict.problems).toEqual(["R0: JIT 0x3, interpreter 0x2", "returned value (a0 = (s32)R0): JIT 0x3, expected 0x2"]);
    expect(verdict.divergence).toBeUndefined();
  });

  it("fails a run that breaks the kernel's ABI even when the values agree", () => {
    const outs = compileForKernel([branchy], opts);
    const f = outs[0]!.funcs[0]!;
    // Make the epilogue restore s0 from the wrong slot: the frame pointer comes back wrong.
    const ld = f.insns.filter((x) => x.bpf === -1 && x.offset >= f.epilogueStart)[0]!;
    if (ld.size === 2) f.code[ld.offset] ^= 1 << 5; // c.ldsp s0,8(sp) -> offset 0 (bit 5 holds offset bit 3)
    else f.code[ld.offset + 2] ^= 1 << 7; // ld s0,8(sp) -> 0(sp) (offset bit 3 is bit 23)
    const verdict = judgeCompiled([branchy], outs, { ctx: u64(1n) }, opts);
    expect(verdict.agree).toBe(false);
    expect(verdict.problems[0]).toMatch(/abi-violation: registers not restored[\s\S]*s0/);
  });
});
