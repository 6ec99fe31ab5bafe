/**
 * @fileoverview The listing goldens embed (compiler/listing.ts with `fold`): runs of identical instructions with
 * identical code fold into one group with a count, and unfold as soon as one of them changes, so the golden stays
 * small and its diff local; bpf-to-bpf calls and func[] loads name their callee in the eBPF annotation.
 */
import { diffLines } from "diff";
import { describe, expect, it } from "vitest";
import { assemble } from "../../compiler/bpf/asm.js";
import { listProgram } from "../../compiler/listing.js";
import { verify } from "../../compiler/passes/verify.js";
import { jit } from "../../compiler/pipeline.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";

function listing(src: string, fold = true, isa = "rv64imac"): string {
  const v = verify(assemble(src, "t.s"), { entry: "scalars" });
  return listProgram(jit(v, { isa: parseIsa(isa), framePointer: true }), { fold });
}

const filler = (n: number, text = "r3 ^= 0x123"): string[] => Array.from({ length: n }, () => text);
const prog = (body: string[]): string => ["r0 = r1", "r3 = 0", ...body, "r0 += r3", "exit"].join("\n");

describe("folding identical instructions", () => {
  it("lists a run once, with its count, and the code once", () => {
    const text = listing(prog(filler(50)));
    const lines = text.split("\n");
    const at = lines.indexOf("\t; r3 ^= 291   (x50: each compiles to the code below)");
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe("\txor\ta2,a2,291");
    expect(lines[at + 2]).toBe("\t; r0 += r3");
    expect(text.match(/xor\ta2,a2,291/g)).toHaveLength(1);
    // unfolded, as `rvjit jit --listing` prints it: fifty groups
    expect(listing(prog(filler(50)), false).match(/\t; r3 \^= 291\n\txor\ta2,a2,291\n/g)).toHaveLength(50);
  });

  it("does not fold a single instruction, nor different ones", () => {
    const text = listing(prog(["r3 ^= 0x123", "r3 ^= 0x124", "r3 ^= 0x123"]));
    expect(text).not.toContain("(x");
    expect(text.match(/\t; r3 \^= 29[12]\n/g)).toHaveLength(3);
  });

  it("unfolds where one instruction of the run changes: the diff names just that one", () => {
    const before = listing(prog(filler(50)));
    const body = filler(50);
    body[20] = "r3 ^= 0x456";
    const after = listing(prog(body));
    expect(after).toContain("\t; r3 ^= 291   (x20: each compiles to the code below)\n\txor\ta2,a2,291\n\t; r3 ^= 1110\n\txor\ta2,a2,1110\n\t; r3 ^= 291   (x29: each compiles to the code below)\n\txor\ta2,a2,291\n");
    const parts = diffLines(before, after);
    const removed = parts.filter((p) => p.removed).map((p) => p.value).join("");
    const added = parts.filter((p) => p.added).map((p) => p.value).join("");
    expect(removed).toBe("\t; r3 ^= 291   (x50: each compiles to the code below)\n");
    expect(added).toBe("\t; r3 ^= 291   (x20: each compiles to the code below)\n\t; r3 ^= 1110\n\txor\ta2,a2,1110\n\t; r3 ^= 291   (x29: each compiles to the code below)\n\txor\ta2,a2,291\n");
    // and all of it in one place: the lines before and after the change are untouched
    expect(parts.filter((p) => p.added || p.removed).length).toBeLessThanOrEqual(3);
  });

  it("breaks a run at a jump target, which keeps its label", () => {
    const body = [...filler(10), "mid:", ...filler(10)];
    const text = listing(["r0 = r1", "r3 = 0", "if r0 == 7 goto mid", ...body, "r0 += r3", "exit"].join("\n"));
    expect(text).toContain("\t; r3 ^= 291   (x10: each compiles to the code below)\n\txor\ta2,a2,291\n.Lbpf13:\n\t; r3 ^= 291   (x10: each compiles to the code below)\n");
  });

  it("never folds the same eBPF instruction when its code differs (branches to different targets)", () => {
    // the same `if r0 == 7 goto +3` in three consecutive slots targets three different slots
    const src = ["r0 = r1", "if r0 == 7 goto +3", "if r0 == 7 goto +3", "if r0 == 7 goto +3", "r0 = 1", "r0 = 2", "r0 = 3", "exit"].join("\n");
    const text = listing(src);
    expect(text).not.toContain("(x");
    expect(text.match(/\t; if r0 == 7 goto \+3\n/g)).toHaveLength(3);
    expect(text).toContain("\tbeq\ta5,t1,.Lbpf5\n\t; if r0 == 7 goto +3\n\tli\tt1,7\n\tbeq\ta5,t1,.Lbpf6\n\t; if r0 == 7 goto +3\n\tli\tt1,7\n\tbeq\ta5,t1,<epilogue>\n");
  });

  it("folds the same way with and without compressed code, each with its own code", () => {
    const ima = listing(prog(filler(5, "r3 += 1")), true, "rv64ima");
    const imac = listing(prog(filler(5, "r3 += 1")), true, "rv64imac");
    expect(ima).toContain("\t; r3 += 1   (x5: each compiles to the code below)\n\tadd\ta2,a2,1\n");
    expect(imac).toContain("\t; r3 += 1   (x5: each compiles to the code below)\n\tadd\ta2,a2,1\n");
  });
});

describe("callees by name", () => {
  const src = ["r1 = func[cb] ll", "call double", "exit", "double:", "r0 = 2", "r0 += r0", "exit", "cb:", "r0 = 0", "exit"].join("\n");

  it("calls and func[] loads name the function, not its offset", () => {
    const text = listing(src, false);
    expect(text).toContain("\t; call double\n");
    expect(text).toContain("\t; r1 = func[cb] ll\n");
    expect(text).not.toMatch(/pc[+-]\d/);
  });

  it("other functions' calls too (the target slot is relative to each function's slice)", () => {
    const text = listing(["call f1", "exit", "f1:", "call f2", "exit", "f2:", "call f3", "exit", "f3:", "r0 = 3", "exit"].join("\n"));
    expect(text.match(/\t; call f\d\n/g)).toEqual(["\t; call f1\n", "\t; call f2\n", "\t; call f3\n"]);
  });
});
