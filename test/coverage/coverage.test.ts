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
import { tempProject } from "../suite/support.js";

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

  it("refuses a spec with errors as an input error (exit 2), at its file:line:col", async () => {
    const io = memoryIo({ cwd: tempProject({ "specs/a/bad.bpf": "; bad\n; run: r9=1 => r0=1\nexit\n" }) });
    expect(await main(["coverage"], io)).toBe(2);
    expect(io.stderr).toMatch(/^rvjit: specs\/a\/bad\.bpf:2:8: r9 cannot be set[^\n]*\n$/);
  });

  it("--json gives the same counts as the text (--list)", async () => {
    const args = ["coverage", "specs/atomic", "--config", "rv64ima,rv64imac"];
    const text = memoryIo();
    const json = memoryIo();
    expect(await main([...args, "--list"], text)).toBe(0);
    expect(await main([...args, "--json"], json)).toBe(0);
    const j = JSON.parse(json.stdout) as CoverageJson;
    expect(j.rv.map((r) => r.config)).toEqual(["rv64ima", "rv64imac"]);
    expect(j.bpf.missing).toContain("0x06 jmp32 gotol");
    const fromText = countsOfText(text.stdout);
    expect(fromText).toEqual(countsOfJson(j));
    // Not vacuous: forms, instructions and branch forms were counted.
    expect(fromText.forms["0xdb atomic dw cmpxchg"]).toBeGreaterThan(0);
    expect(Object.values(fromText.rv.rv64imac!.used).filter((n) => n > 0).length).toBeGreaterThan(10);
    expect(Object.keys(fromText.branches).length).toBeGreaterThan(0);
  });
});

/** The parts of `rvjit coverage --json` these tests read. */
interface CoverageJson {
  specs: number;
  compiled: number;
  rejected: string[];
  bpf: { supported: string[]; missing: string[]; forms: Record<string, number> };
  rv: { config: string; vocabulary: string[]; missing: string[]; used: Record<string, number>; branches: Record<string, number> }[];
}

interface Counts {
  specs: number;
  compiled: number;
  refused: number;
  /** Supported eBPF forms in the specs, of how many. */
  inCorpus: [number, number];
  /** Specs per supported form. */
  forms: Record<string, number>;
  /** Per configuration: instructions used, of how many, and the specs using each instruction. */
  rv: Record<string, { inUse: [number, number]; used: Record<string, number> }>;
  /** Branch form -> configuration -> specs using it. */
  branches: Record<string, Record<string, number>>;
}

/** The counts `rvjit coverage --list` prints, read back from its text. */
function countsOfText(text: string): Counts {
  const lines = text.split("\n");
  const head = /^(\d+) specs?: (\d+) compiled, (\d+) refused by the verifier$/.exec(lines[0]!);
  const bpf = lines.map((l) => /^eBPF instruction forms: (\d+) of the (\d+) the JIT compiles/.exec(l)).find(Boolean);
  expect(head, lines[0]).toBeTruthy();
  expect(bpf).toBeTruthy();
  const [specs, compiled, refused] = head!.slice(1).map(Number) as [number, number, number];
  const out: Counts = { specs, compiled, refused, inCorpus: [Number(bpf![1]), Number(bpf![2])], forms: {}, rv: {}, branches: {} };
  let part: "bpf" | "rv" | "branches" = "bpf";
  let config = "";
  for (const l of lines) {
    let m: RegExpExecArray | null;
    if (l.startsWith("RV64 instructions")) part = "rv";
    else if (l.startsWith("Branch and jump forms")) part = "branches";
    else if (part === "bpf" && (m = /^ {4}(0x[0-9a-f]{2} [^,]+?) +(\d+)$/.exec(l))) out.forms[m[1]!] = Number(m[2]);
    else if (part === "rv" && (m = /^ {2}(\S+) +(\d+) of (\d+); missing:/.exec(l))) {
      config = m[1]!;
      out.rv[config] = { inUse: [Number(m[2]), Number(m[3])], used: {} };
    }
    else if (part === "rv" && (m = /^ {4}(\S+) +(\d+)$/.exec(l))) out.rv[config]!.used[m[1]!] = Number(m[2]);
    else if (part === "branches" && (m = /^ {2}(.+?) {2,}(\S+ \d+(?:, \S+ \d+)*)$/.exec(l))) {
      out.branches[m[1]!] = Object.fromEntries(m[2]!.split(", ").map((p) => p.split(" ")).map(([c, n]) => [c!, Number(n)]));
    }
  }
  return out;
}

/** The same counts from `rvjit coverage --json`. */
function countsOfJson(j: CoverageJson): Counts {
  const branchForms = [...new Set(j.rv.flatMap((r) => Object.keys(r.branches)))];
  return {
    specs: j.specs,
    compiled: j.compiled,
    refused: j.rejected.length,
    inCorpus: [j.bpf.supported.length - j.bpf.missing.length, j.bpf.supported.length],
    forms: Object.fromEntries(j.bpf.supported.map((f) => [f, j.bpf.forms[f] ?? 0])),
    rv: Object.fromEntries(j.rv.map((r) => [r.config, {
      inUse: [r.vocabulary.length - r.missing.length, r.vocabulary.length],
      used: Object.fromEntries(r.vocabulary.map((m) => [m, r.used[m] ?? 0])),
    }])),
    branches: Object.fromEntries(branchForms.map((f) => [f, Object.fromEntries(j.rv.map((r) => [r.config, r.branches[f] ?? 0]))])),
  };
}
