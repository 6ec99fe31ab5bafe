/**
 * @fileoverview `rvjit coverage` over the bundled corpus: no eBPF instruction form the JIT compiles is missing from
 * the specs, every compressed form the corpus makes the JIT emit has its own spec in specs/rvc, and the long
 * programs reach every far branch and jump form. Plus the parts: form names, the JIT's refusals, branch-form
 * recognition, and the command itself.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { assemble } from "../../compiler/bpf/asm.js";
import { decode } from "../../compiler/riscv/decode.js";
import { rv } from "../../compiler/riscv/encode.js";
import { bpfForm, branchForms, computeCoverage, type Coverage, formSupport } from "../../suite/coverage.js";
import { allSpecs } from "../../suite/project.js";
import { parseSpec } from "../../suite/spec/parse.js";
import { memoryIo } from "../support/io.js";

const root = join(import.meta.dirname, "..", "..");
const specsUnder = (dir: string) =>
  allSpecs({ root }).filter((p) => p.startsWith(dir)).map((p) => parseSpec(readFileSync(join(root, p), "utf8"), p));

describe("the corpus", () => {
  let all: Coverage;
  beforeAll(() => {
    all = computeCoverage(specsUnder("specs/"));
  }, 120_000);

  it("contains every eBPF instruction form the JIT compiles", () => {
    expect(all.support.supported.length).toBeGreaterThan(150);
    expect(all.missingForms).toEqual([]);
  });

  it("assembles, and every spec the verifier refuses says it expects that", () => {
    expect(all.broken).toEqual([]);
    const expectRefusal = new Set(specsUnder("specs/").filter((s) => s.reject).map((s) => s.path));
    expect(all.rejected.filter((p) => !expectRefusal.has(p))).toEqual([]);
  });

  it("has a spec in specs/rvc for every compressed instruction the JIT emits for it", () => {
    const imac = all.rv.find((r) => r.config === "rv64imac")!;
    const compressed = [...imac.used.keys()].filter((m) => m.startsWith("c.")).sort();
    expect(compressed.length).toBeGreaterThan(15);
    const rvc = computeCoverage(specsUnder("specs/rvc/"), ["rv64imac"]).rv[0]!;
    expect(compressed.filter((m) => !rvc.used.has(m))).toEqual([]);
    // Without C there is none.
    expect([...all.rv.find((r) => r.config === "rv64ima")!.used.keys()].filter((m) => m.startsWith("c."))).toEqual([]);
  });

  it("makes the JIT choose every far branch and jump form", () => {
    const ima = all.rv.find((r) => r.config === "rv64ima")!;
    for (const f of ["bcc (B-type)", "bcc +8; jal", "bcc +12; auipc+jalr", "jal (jump)", "auipc+jalr (jump)", "auipc+jalr (call)", "auipc+addi (address)"]) {
      expect(ima.branches.get(f) ?? 0, f).toBeGreaterThan(0);
    }
  });
});

describe("instruction forms", () => {
  const form = (src: string) => bpfForm(assemble(`${src}\nexit\nf: exit\n`, "t.s").insns, 0);

  it("name the opcode byte and what else selects a different lowering", () => {
    expect(form("r0 += 1")).toBe("0x07 alu64 add k");
    expect(form("w0 s/= w1")).toBe("0x3c alu32 sdiv x");
    expect(form("r0 = (s16)r1")).toBe("0xbf alu64 movsx16");
    expect(form("r0 = be32 r0")).toBe("0xdc alu32 be32");
    expect(form("r0 = bswap64 r0")).toBe("0xd7 alu64 bswap64");
    expect(form("r1 = atomic_fetch_xor((u64 *)(r10 - 8), r1)")).toBe("0xdb atomic dw fetch_xor");
    expect(form("w0 = cmpxchg32_32(r10 - 8, w0, w1)")).toBe("0xc3 atomic w cmpxchg");
    expect(form("call bpf_tail_call")).toBe("0x85 jmp call tail_call");
    expect(form("call f")).toBe("0x85 jmp call bpf2bpf");
    expect(form("r1 = func[f] ll")).toBe("0x18 ld_imm64 func");
    expect(form("if w1 s<= 5 goto +0")).toBe("0xd6 jmp32 jsle k");
    expect(form("gotol +0")).toBe("0x06 jmp32 gotol");
  });

  it("are all distinct, and the JIT refuses only what Linux 6.12's RISC-V JIT has no case for", () => {
    const s = formSupport();
    const names = [...s.supported, ...s.refused.map((r) => r.form)];
    expect(new Set(names).size).toBe(names.length);
    const refused = s.refused.map((r) => r.form.replace(/^0x.. /, ""));
    expect(refused.filter((f) => !/^(ld_abs|ld_ind) |^jmp callx$|^atomic (b|h|w|dw) (load_acquire|store_release)$/.test(f))).toEqual([]);
    expect(refused.length).toBe(6 + 1 + 8);
  });
});

describe("branch forms", () => {
  const code = (...words: number[]) => words.map((w) => decode(w));
  const T1 = 6;
  it("recognise a branch over a jal or an auipc+jalr as one far form, and calls apart from jumps", () => {
    expect(branchForms(code(rv.beq!(10, 11, 16)))).toEqual(["bcc (B-type)"]);
    expect(branchForms(code(rv.bne!(10, 11, 8), rv.jal!(0, 4096)))).toEqual(["bcc +8; jal"]);
    expect(branchForms(code(rv.bne!(10, 11, 12), rv.auipc!(T1, 0x100), rv.jalr!(0, 0, T1)))).toEqual(["bcc +12; auipc+jalr"]);
    expect(branchForms(code(rv.auipc!(T1, 0x100), rv.jalr!(1, 16, T1), rv.jal!(0, -8)))).toEqual(["auipc+jalr (call)", "jal (jump)"]);
    expect(branchForms(code(rv.auipc!(10, 0), rv.addi!(10, 10, 24)))).toEqual(["auipc+addi (address)"]);
  });
});

describe("rvjit coverage", () => {
  it("prints the report for a selection, exit 0 (only the whole corpus is held to every form)", async () => {
    const io = memoryIo();
    expect(await main(["coverage", "specs/rvc"], io)).toBe(0);
    expect(io.stdout).toMatch(/^\d+ specs: \d+ compiled, 0 refused by the verifier/);
    expect(io.stdout).toContain("eBPF instruction forms:");
    expect(io.stdout).toMatch(/rv64imac +\d+ of \d+; missing:/);
    expect(io.stdout).toMatch(/  missing: [^]*0x06 jmp32 gotol/);
  });

  it("--json gives the same counts", async () => {
    const io = memoryIo();
    await main(["coverage", "specs/atomic", "--config", "rv64imac", "--json"], io);
    const j = JSON.parse(io.stdout);
    expect(j.rv.map((r: { config: string }) => r.config)).toEqual(["rv64imac"]);
    expect(j.bpf.forms["0xdb atomic dw cmpxchg"]).toBeGreaterThan(0);
    expect(j.bpf.missing).toContain("0x06 jmp32 gotol");
  });
});
