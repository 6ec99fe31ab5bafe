/**
 * @fileoverview The read-only and scaffolding verbs: `rvjit diff`, `show`, `new`, `report` (Markdown and patch),
 * and every verb's --help.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo } from "../support/io.js";
import { ADD, allChanged, cli, fakeEngine, FAILS, fingerprint, projectWithGoldens, read, SUB, tempProject } from "./support.js";

describe("the other verbs", () => {
  it("diff prints whole diffs and writes nothing", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    const before = fingerprint(root);
    const r = await cli(root, ["diff", "add"], { engine: allChanged() });
    expect(r.code).toBe(1);
    // The same change in every configuration is shown once, under all their names.
    expect(r.out).toContain("rv64ima, rv64imac, rv64imac_zba_zbb differ:");
    expect(r.out.match(/\+ {2}insn_Y a5,a0/g)).toHaveLength(1);
    expect(fingerprint(root)).toEqual(before);
    expect((await cli(root, ["diff", "add"])).out).toContain("same  specs/a/add.bpf");
  });

  it("show prints the generated golden, or one pass with --dump-after", async () => {
    const root = tempProject({ "specs/a/add.bpf": ADD });
    const r = await cli(root, ["show", "add", "--config", "rv64imac"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("=== rv64imac === 7 insns, 21 bytes, from 3 eBPF insns\n; bpf[0] r0 = r1");
    expect(r.out).not.toContain("=== rv64ima ===");
    const p = await cli(root, ["show", "add", "--dump-after=lower", "--config", "rv64ima"]);
    expect(p.out).toBe("=== rv64ima @ after:lower ===\nlower: 3 insns\n\n");
    expect((await cli(root, ["show", "add", "--dump-after=lowr"])).err).toContain("unknown pass 'lowr' (did you mean 'lower'?)");
  });

  it("new scaffolds a spec that parses, and never overwrites", async () => {
    const root = tempProject({});
    const r = await cli(root, ["new", "alu/mul"]);
    expect(r.code).toBe(0);
    expect(read(root, "specs/alu/mul.bpf").split("\n")[0]).toBe("; alu/mul: <what this spec tests, in one line>");
    const c = await cli(root, ["check", "mul", "--no-pending"]);
    expect(c.out).toContain("no golden yet");
    expect((await cli(root, ["new", "specs/alu/mul.bpf"])).err).toContain("specs/alu/mul.bpf exists already");
  });

  it("report --markdown summarises changes per configuration and failures", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD, "specs/a/sub.bpf": SUB });
    writeFileSync(join(root, "specs/a/fails.bpf"), FAILS);
    const grow = fakeEngine({ tweak: (c, l) => (c === "rv64imac" ? l.replace("insn_1", "insn_W") : l) });
    const r = await cli(root, ["report", "--markdown"], { engine: grow });
    expect(r.code).toBe(0);
    expect(r.out).toContain("## rvjit: 2 of 3 goldens would change, 1 spec failing");
    expect(r.out).toContain("| `specs/a/add.bpf` | changed | same size | same size | same size |");
    expect(r.out).toContain("- rv64ima, fail: `specs/a/fails.bpf:2:16: run 1: r0 is 1, expected 2`");
  });

  it("report --patch is a patch git can apply", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    const r = await cli(root, ["report", "--patch"], { engine: allChanged() });
    expect(r.out).toMatch(/^--- a\/goldens\/a\/add\.golden\n\+\+\+ b\/goldens\/a\/add\.golden\n@@ /);
    expect(r.out).toContain("+  insn_Y a5,a0");
  });

  it("prints help for every verb", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    try {
      for (const verb of ["check", "update", "review", "accept", "reject", "pending", "diff", "show", "new", "prune", "report"]) {
        info.mockClear();
        expect(await main([verb, "--help"], memoryIo())).toBe(0);
        const text = info.mock.calls.map((c) => String(c[0])).join("\n");
        expect(text, verb).toContain(`$ rvjit ${verb}`);
        expect(text, verb).toMatch(/Options:/);
      }
    } finally {
      info.mockRestore();
    }
  });
});
