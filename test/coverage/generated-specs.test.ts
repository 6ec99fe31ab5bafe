/**
 * @fileoverview The generated spec families: the files under specs/ are what scripts/gen-specs.ts writes (so a
 * generator change cannot land without its specs), and the generators' model of eBPF semantics, the independent
 * source of their expected values, agrees with values worked out by hand from RFC 9669 and the kernel.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aluSpecs, emitImmLength } from "../../scripts/gen-alu-specs.js";
import { atomicSpecs } from "../../scripts/gen-atomic-specs.js";
import { branchSpecs } from "../../scripts/gen-branch-specs.js";
import { callSpecs } from "../../scripts/gen-calls-specs.js";
import { jmpSpecs } from "../../scripts/gen-jmp-specs.js";
import { alu, GENERATED_MARK, renderSpec, taken, u64 } from "../../scripts/gen-lib.js";
import { memSpecs } from "../../scripts/gen-mem-specs.js";
import { assemble } from "../../compiler/bpf/asm.js";
import { jitRaw } from "../../compiler/pipeline.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { allSpecs } from "../../suite/project.js";

const root = join(import.meta.dirname, "..", "..");

describe("generated specs", () => {
  const families = { "gen-alu-specs.ts": aluSpecs, "gen-jmp-specs.ts": jmpSpecs, "gen-mem-specs.ts": memSpecs, "gen-atomic-specs.ts": atomicSpecs, "gen-calls-specs.ts": callSpecs, "gen-branch-specs.ts": branchSpecs };
  const generated = Object.entries(families).flatMap(([gen, f]) => f().map((s) => ({ path: `specs/${s.path}`, text: renderSpec(s, gen) })));

  it("are on disk exactly as the generators write them (run `npx tsx scripts/gen-specs.ts`)", () => {
    const stale = generated.filter((g) => {
      try {
        return readFileSync(join(root, g.path), "utf8") !== g.text;
      } catch {
        return true;
      }
    });
    expect(stale.map((g) => g.path)).toEqual([]);
  });

  it("and no generated file is left that no generator writes", () => {
    const wanted = new Set(generated.map((g) => g.path));
    const orphans = allSpecs({ root }).filter((p) => !wanted.has(p) && readFileSync(join(root, p), "utf8").includes(GENERATED_MARK));
    expect(orphans).toEqual([]);
  });
});

describe("the generators' model", () => {
  const MIN64 = 0x8000_0000_0000_0000n;
  it("divides as the verifier's rewrites make the JIT divide: x/0 = 0, x%0 = x, INT_MIN s/ -1 = INT_MIN, x s% -1 = 0", () => {
    expect(alu("div", true, 7n, 0n)).toBe(0n);
    expect(alu("mod", true, 7n, 0n)).toBe(7n);
    expect(alu("mod", false, 0x1_0000_0007n, 0n)).toBe(7n);
    expect(alu("sdiv", true, MIN64, u64(-1n))).toBe(MIN64);
    expect(alu("sdiv", false, 0x8000_0000n, u64(-1n))).toBe(0x8000_0000n);
    expect(alu("smod", true, u64(-7n), u64(-1n))).toBe(0n);
    expect(alu("sdiv", true, u64(-7n), 2n)).toBe(u64(-3n));
    expect(alu("smod", true, u64(-7n), 2n)).toBe(u64(-1n));
    expect(alu("smod", true, 7n, u64(-2n))).toBe(1n);
  });

  it("shifts by the amount masked to 63 or 31, and 32-bit results are zero-extended", () => {
    expect(alu("lsh", true, 1n, 65n)).toBe(2n);
    expect(alu("lsh", false, 1n, 33n)).toBe(2n);
    expect(alu("arsh", false, 0x8000_0000n, 31n)).toBe(0xffff_ffffn);
    expect(alu("arsh", true, MIN64, 63n)).toBe(u64(-1n));
    expect(alu("add", false, 0xffff_ffffn, 1n)).toBe(0n);
    expect(alu("sub", false, 0n, 1n)).toBe(0xffff_ffffn);
  });

  it("compares signed, unsigned and 32-bit as the conditions say", () => {
    expect(taken(">", true, u64(-1n), 1n)).toBe(true);
    expect(taken("s>", true, u64(-1n), 1n)).toBe(false);
    expect(taken("==", false, 0x1_0000_0005n, 5n)).toBe(true);
    expect(taken("s<", false, 0x8000_0000n, 0n)).toBe(true);
    expect(taken("&", true, 0xf0n, 0x0fn)).toBe(false);
  });

  it("counts emit_imm's instructions as the kernel's rule does (reference §2.5)", () => {
    expect(emitImmLength(31n)).toBe(1);
    expect(emitImmLength(0x7fff_f800n)).toBe(2); // lui 0x80000 + addiw -2048
    expect(emitImmLength(0x8000_0000n)).toBe(2); // li 1, slli 31
    expect(emitImmLength(0x7fff_7ff7_ff7f_f7ffn)).toBe(8); // RV_MAX_COUNT_IMM
    expect(emitImmLength(u64(-1n))).toBe(1);
  });

  it("agrees with the JIT on the length of every LD_IMM64 the ld-imm64 specs load (their descriptions name it)", () => {
    const values = aluSpecs().filter((s) => s.path.startsWith("ld-imm64/imm-")).map((s) => BigInt(`0x${/imm-([0-9a-f]+)\.bpf$/.exec(s.path)![1]}`));
    expect(values.length).toBeGreaterThan(20);
    const lengths = values.map((v) => {
      const out = jitRaw(assemble(`r0 = 0x${v.toString(16)} ll\nexit\n`, "t.s").insns, 0, { isa: parseIsa("rv64ima") });
      return out.funcs[0]!.insns.filter((x) => x.bpf === 0).length;
    });
    expect(lengths).toEqual(values.map(emitImmLength));
    expect(new Set(lengths)).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8]));
  });
});
