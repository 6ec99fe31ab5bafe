/**
 * @fileoverview The annotated listing (compiler/listing.ts): frame description, eBPF groups, symbolic targets and
 * callees, no absolute addresses, optional encodings, and diffs that stay local when one instruction changes.
 */
import { diffLines } from "diff";
import { describe, expect, it } from "vitest";
import * as b from "../../compiler/bpf/build.js";
import type { Insn } from "../../compiler/bpf/insn.js";
import { BPF_ADD, BPF_JEQ } from "../../compiler/bpf/opcodes.js";
import { listProgram } from "../../compiler/listing.js";
import { jitRaw } from "../../compiler/pipeline.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";

const { R0, R1, R6 } = b;
const listing = (insns: readonly Insn[], encodings = false, depth = 16): string =>
  listProgram(jitRaw(insns, depth, { isa: parseIsa("rv64imac") }), { encodings });

const prog = (k: number): Insn[] => [
  b.mov64Imm(R6, 1),
  b.jmpImm(BPF_JEQ, R1, 0, 3),
  b.alu64Imm(BPF_ADD, R6, k), // the instruction the diff test changes
  b.callHelper(1),
  b.exit(),
  b.mov64Reg(R0, R6),
  b.exit(),
];

describe("the annotated listing", () => {
  const text = listing(prog(2));

  it("describes the frame relative to s0: saved registers, BPF stack and R10", () => {
    expect(text).toContain("; main (function 0)");
    expect(text).toContain(";   s0-8\tra saved");
    expect(text).toContain(";   s0-16\ts0 saved (caller's s0)");
    expect(text).toContain(";   s0-24\ts1 saved");
    expect(text).toMatch(/;   s0-\d+ \.\. s0-\d+\tBPF stack, 16 bytes; R10 = s5 = s0-\d+/);
  });

  it("puts each eBPF instruction above its code, and names targets and callees symbolically", () => {
    const lines = text.split("\n");
    const at = lines.indexOf("\t; if r1 == 0 goto +3");
    expect(lines[at + 1]).toBe("\tbeqz\ta0,.Lbpf5");
    expect(text).toContain(".Lbpf5:\n\t; r0 = r6\n");
    expect(text).toContain("\t; call bpf_map_lookup_elem\n\tauipc\tt1,%pcrel_hi(bpf_map_lookup_elem)\n\tjalr\t%pcrel_lo(bpf_map_lookup_elem)(t1)\n");
    expect(text).toContain("\tj\t<epilogue>");
  });

  it("contains no absolute address or offset", () => {
    expect(text).not.toMatch(/0xffffffff|\b[0-9a-f]{8,}\b/);
  });

  it("shows encodings only when asked", () => {
    expect(text).not.toContain("02100813");
    expect(listing(prog(2), true)).toContain("\t02100813  li\ta6,33");
  });

  it("changing one instruction changes only the lines of that instruction", () => {
    const a = listing(prog(2)).split("\n");
    const c = listing(prog(3)).split("\n");
    expect(c.length).toBe(a.length);
    const changed = a.flatMap((l, i) => (l !== c[i] ? [`${l} -> ${c[i]}`] : []));
    expect(changed).toEqual(["\t; r6 += 2 -> \t; r6 += 3", "\tadd\ts1,s1,2 -> \tadd\ts1,s1,3"]);
  });

  it("even when the new instruction's code has another size, and every later offset moves", () => {
    const parts = diffLines(listing(prog(2)), listing(prog(4000))).filter((p) => p.added || p.removed);
    expect(parts.map((p) => `${p.added ? "+" : "-"}${p.value}`)).toEqual([
      "-\t; r6 += 2\n\tadd\ts1,s1,2\n",
      "+\t; r6 += 4000\n\tlui\tt1,0x1\n\taddw\tt1,t1,-96\n\tadd\ts1,s1,t1\n",
    ]);
  });
});
