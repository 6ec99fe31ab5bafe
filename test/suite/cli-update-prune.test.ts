/**
 * @fileoverview The verbs that rewrite goldens: `rvjit update` (only passing behaviour, only the selection, only
 * the named configurations) and `rvjit prune` (only after a full, passing run).
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ADD, allChanged, cli, fakeEngine, fakeSpec, fingerprint, projectWithGoldens, read, SUB, tempProject } from "./support.js";

describe("rvjit update", () => {
  it("refuses a spec whose behaviour fails and leaves its golden byte for byte", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    const before = fingerprint(root);
    const broken = fakeEngine({ skewR0: { rv64imac: 1n }, tweak: (_c, l) => l.replace("insn_1", "insn_Q") });
    const r = await cli(root, ["update"], { engine: broken });
    expect(r.code).toBe(1);
    expect(r.out).toContain("refused specs/a/add.bpf: its behaviour fails, and a golden is never written for failing behaviour");
    expect(r.out).toContain("rv64imac: behaviour: specs/a/add.bpf:2:21: run 1: r0 is 4, expected 3");
    expect(fingerprint(root)).toEqual(before);
  });

  it("writes a placeholder, not the failing code, for a configuration marked xfail", async () => {
    const spec = fakeSpec("fails on rv64ima", "; run: r1=1 r2=2 => r0=3\n; xfail rv64ima: miscompiles for now\nr0 = r1\nr0 += r2\nexit");
    const root = await projectWithGoldens({ "specs/a/x.bpf": spec }, fakeEngine({ skewR0: { rv64ima: 5n } }));
    const g = read(root, "goldens/a/x.golden");
    expect(g).toContain("=== rv64ima === xfail\n(xfail: miscompiles for now)\n");
    expect(g).toContain("=== rv64imac === 7 insns, 21 bytes, from 3 eBPF insns\n; bpf[0] r0 = r1\n");
  });

  it("keeps only summaries and run results for a '; golden: summary' spec, which show still lists in full", async () => {
    const root = await projectWithGoldens({ "specs/a/big.bpf": ADD.replace("; run:", "; golden: summary\n; run:") });
    const g = read(root, "goldens/a/big.golden");
    expect(g).toContain("=== rv64ima === 7 insns, 28 bytes, from 3 eBPF insns\n(listing not kept: '; golden: summary'; `rvjit show specs/a/big.bpf` prints it)\n\nruns:\n");
    expect(g).not.toContain("insn_0");
    expect((await cli(root, ["show", "big"])).out).toContain("insn_0");
    expect((await cli(root, ["check"], { engine: allChanged() })).code).toBe(0); // listing changes are not compared
  });

  it("touches only the selected goldens", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD, "specs/b/sub.bpf": SUB });
    const subBefore = read(root, "goldens/b/sub.golden");
    const r = await cli(root, ["update", "specs/a/add.bpf"], { engine: fakeEngine({ tweak: (_c, l) => `${l}\n  extra` }) });
    expect(r.code).toBe(0);
    expect(read(root, "goldens/a/add.golden")).toContain("  extra");
    expect(read(root, "goldens/b/sub.golden")).toBe(subBefore);
  });

  it("with --config rewrites only that configuration's sections", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    const before = read(root, "goldens/a/add.golden");
    const r = await cli(root, ["update", "--config", "rv64imac_zba_zbb"], { engine: allChanged() });
    expect(r.code).toBe(0);
    const after = read(root, "goldens/a/add.golden");
    const section = (t: string, c: string) => t.split(/^(?==== )/m).find((s) => s.startsWith(`=== ${c} ===`));
    expect(section(after, "rv64ima")).toBe(section(before, "rv64ima"));
    expect(section(after, "rv64imac")).toBe(section(before, "rv64imac"));
    expect(section(after, "rv64imac_zba_zbb")).toContain("insn_Y");
  });

  it("removes the spec's own stale pending golden once updated", async () => {
    const root = tempProject({ "specs/a/add.bpf": ADD });
    await cli(root, ["check"]);
    expect(existsSync(join(root, "goldens/a/add.golden.new"))).toBe(true);
    await cli(root, ["update", "add"]);
    expect(existsSync(join(root, "goldens/a/add.golden.new"))).toBe(false);
  });
});

describe("rvjit prune", () => {
  it("refuses under a filter", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    writeFileSync(join(root, "goldens/a/gone.golden"), "# orphan\n");
    for (const args of [["prune", "add"], ["prune", "specs/a"], ["prune", "--config", "rv64ima"], ["prune", "--check", "add"]]) {
      const r = await cli(root, args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toContain("prune refused: it needs a full, unfiltered run");
    }
    expect(existsSync(join(root, "goldens/a/gone.golden"))).toBe(true);
  });

  it("refuses when the full run does not pass", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    writeFileSync(join(root, "goldens/a/gone.golden"), "# orphan\n");
    const r = await cli(root, ["prune"], { engine: allChanged() });
    expect(r.code).toBe(1);
    expect(r.out).toContain("prune refused: it runs only after a full, passing run");
    expect(existsSync(join(root, "goldens/a/gone.golden"))).toBe(true);
  });

  it("removes orphan goldens and pending files, and sections a spec no longer produces", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    writeFileSync(join(root, "goldens/a/gone.golden"), "# orphan\n");
    writeFileSync(join(root, "goldens/a/gone2.golden.new"), "# orphan\n");
    writeFileSync(join(root, "specs/a/add.bpf"), ADD.replace("; run:", "; configs: rv64ima rv64imac\n; run:"));
    const check = await cli(root, ["prune", "--check"]);
    expect(check.code).toBe(1);
    expect(check.out).toContain("would remove goldens/a/gone.golden (its spec is gone)");
    expect(check.out).toContain("would remove from goldens/a/add.golden: rv64imac_zba_zbb");
    expect(existsSync(join(root, "goldens/a/gone.golden"))).toBe(true);
    const r = await cli(root, ["prune"]);
    expect(r.code).toBe(0);
    expect(existsSync(join(root, "goldens/a/gone.golden"))).toBe(false);
    expect(existsSync(join(root, "goldens/a/gone2.golden.new"))).toBe(false);
    expect(read(root, "goldens/a/add.golden")).not.toContain("rv64imac_zba_zbb ===");
    expect((await cli(root, ["check"])).code).toBe(0);
    expect((await cli(root, ["prune", "--check"])).out).toContain("nothing to prune");
  });
});
