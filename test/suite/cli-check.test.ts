/**
 * @fileoverview `rvjit check` on a project with the fake engine: exit codes, what it reports and where, the pending
 * goldens it proposes, diffs, orphans, merge conflicts, colour.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ADD, allChanged, cli, FAILS, fakeSpec, fingerprint, onlyZbb, projectWithGoldens, read, SUB, tempProject } from "./support.js";

describe("rvjit check", () => {
  it("exits 0 when every spec behaves and matches its golden, and writes nothing", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD, "specs/a/sub.bpf": SUB });
    const before = fingerprint(root);
    const r = await cli(root, ["check"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2 specs \(6 configuration runs\): 2 ok in /);
    expect(fingerprint(root)).toEqual(before);
  });

  it("exits 1 on a missing golden and proposes it as a pending golden", async () => {
    const root = tempProject({ "specs/a/add.bpf": ADD });
    const r = await cli(root, ["check"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("no golden yet (goldens/a/add.golden)");
    expect(existsSync(join(root, "goldens/a/add.golden.new"))).toBe(true);
    expect(existsSync(join(root, "goldens/a/add.golden"))).toBe(false);
  });

  it("exits 1 on failing behaviour, pointing at the expectation, and proposes no golden", async () => {
    const root = tempProject({ "specs/a/fails.bpf": FAILS });
    const r = await cli(root, ["check"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("rv64ima, rv64imac, rv64imac_zba_zbb: behaviour: specs/a/fails.bpf:2:16: run 1: r0 is 1, expected 2");
    expect(existsSync(join(root, "goldens/a/fails.golden.new"))).toBe(false);
  });

  it("exits 2 on a spec error, naming file:line:col", async () => {
    const root = tempProject({ "specs/a/bad.bpf": fakeSpec("bad", "; run: r9=1 => r0=1\nexit"), "specs/a/add.bpf": ADD });
    const r = await cli(root, ["check"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("specs/a/bad.bpf:2:8: r9 cannot be set");
  });

  it("exits 2 on an assembler error the engine reports, and on usage errors", async () => {
    const root = tempProject({ "specs/a/asm.bpf": fakeSpec("asm error", "r0 = 1\nbad\nexit") });
    expect((await cli(root, ["check"])).out).toContain("specs/a/asm.bpf:3:1: bad instruction");
    expect((await cli(root, ["check"])).code).toBe(2);
    expect((await cli(root, ["check", "--config", "rv64gc"])).code).toBe(2);
    expect((await cli(root, ["check", "nothing-like-this"])).err).toContain("no spec matches 'nothing-like-this'");
    expect((await cli(root, ["check", "--frobnicate"])).code).toBe(2);
  });

  it("reports 'not supported' as a failure, an expected failure when marked xfail, and never crashes the run", async () => {
    const root = tempProject({
      "specs/a/unsup.bpf": fakeSpec("uses a feature", "; run: => r0=0\nunsupported arena loads\nexit"),
      "specs/a/marked.bpf": fakeSpec("marked", "; run: => r0=0\n; xfail: not supported: arena loads\nunsupported arena loads\nexit"),
      "specs/a/crash.bpf": fakeSpec("crashes the JIT", "; run: => r0=0\ncrash\nexit"),
      "specs/a/sub.bpf": SUB,
    });
    const r = await cli(root, ["check", "--no-pending"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("not supported: specs/a/unsup.bpf:3:1: not supported: arena loads");
    expect(r.out).toContain("rv64ima, rv64imac, rv64imac_zba_zbb: internal error: specs/a/crash.bpf: internal error: Error: fake JIT crashed\n");
    expect(r.out).toContain("expected failure: specs/a/marked.bpf:3:3: expected failure (not supported: arena loads): specs/a/marked.bpf:4:1: not supported: arena loads");
    // The spec after the crashing one still ran, and a marked spec gets a golden (of placeholders).
    expect(r.out).toContain("FAIL  specs/a/sub.bpf\n  golden: no golden yet");
    expect((await cli(root, ["update", "marked", "sub"])).code).toBe(0);
    const marked = await cli(root, ["check", "marked", "sub"]);
    expect(marked.code).toBe(0);
    expect(marked.out).toContain("xfail specs/a/marked.bpf\n");
  });

  it("reports engine output that would corrupt a golden as an internal error of that configuration", async () => {
    const root = tempProject({ "specs/a/add.bpf": ADD, "specs/a/sub.bpf": SUB });
    const r = await cli(root, ["check", "--no-pending"], { engine: onlyZbb("insn_1", "insn_1\n=== rv64ima ===") });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/rv64imac_zba_zbb: internal error: specs\/a\/add\.bpf: internal error: section rv64imac_zba_zbb: text unfit for a golden \(line 5: /);
    expect(r.out).toContain("2 specs (6 configuration runs): 0 ok, 2 failing behaviour");
  });

  it("fails an xfail that passes (unexpected pass), naming the line to remove", async () => {
    const root = tempProject({ "specs/a/x.bpf": fakeSpec("now fixed", "; run: => r0=7\n; xfail rv64ima: used to fail\nr0 = 7\nexit") });
    const r = await cli(root, ["check"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("rv64ima: unexpected pass: specs/a/x.bpf:3:3: marked xfail (used to fail) but rv64ima passes: remove the xfail");
  });

  it("still fails a collapsed section when only its own configuration's output changes", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    expect(read(root, "goldens/a/add.golden")).toContain("=== rv64imac_zba_zbb === 7 insns, 21 bytes, from 3 eBPF insns\n(same as rv64ima)\n");
    const engine = onlyZbb("insn_1", "insn_Z");
    const r = await cli(root, ["check", "--no-pending"], { engine });
    expect(r.code).toBe(1);
    expect(r.out).toContain("rv64imac_zba_zbb differs:");
    expect(r.out).not.toMatch(/rv64ima differs|rv64imac differs/);
    expect(r.out).toContain("-  insn_1 a5,a0\n");
    expect(r.out).toContain("+  insn_Z a5,a0\n");
    // Checked on its own, too; and the unchanged configurations still pass on their own.
    expect((await cli(root, ["check", "--config", "rv64imac_zba_zbb"], { engine })).code).toBe(1);
    expect((await cli(root, ["check", "--config", "rv64ima,rv64imac"], { engine })).code).toBe(0);
  });

  it("names the nearest eBPF instruction above each hunk and caps long diffs", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    const r = await cli(root, ["check", "--no-pending"], { engine: allChanged() });
    expect(r.out).toMatch(/@@ -\d+,\d+ \+\d+,\d+ @@ ; bpf\[2\] exit\n/);
    const capped = await cli(root, ["check", "--no-pending", "--max-diff-lines", "1"], { engine: allChanged() });
    expect(capped.out).toContain("... 1 more changed line; see `rvjit diff specs/a/add.bpf`");
  });

  it("reports goldens whose spec is gone on a full run only", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD, "specs/a/sub.bpf": SUB });
    writeFileSync(join(root, "goldens/a/gone.golden"), read(root, "goldens/a/sub.golden"));
    const full = await cli(root, ["check"]);
    expect(full.code).toBe(1);
    expect(full.out).toContain("goldens/a/gone.golden: its spec is gone (`rvjit prune` removes it)");
    expect((await cli(root, ["check", "specs/a"])).code).toBe(0);
  });

  it("detects merge-conflict markers, and update regenerates the golden", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    const clean = read(root, "goldens/a/add.golden");
    writeFileSync(join(root, "goldens/a/add.golden"), clean.replace("(same as rv64ima)\n", "<<<<<<< ours\n(same as rv64ima)\n=======\n(same as rv64imac)\n>>>>>>> theirs\n"));
    const r = await cli(root, ["check", "--no-pending"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/goldens\/a\/add\.golden:\d+: merge-conflict markers: run `rvjit update specs\/a\/add\.bpf` to regenerate it/);
    const u = await cli(root, ["update", "--conflicted"]);
    expect(u.code).toBe(0);
    expect(u.out).toContain("1 golden updated, 0 unchanged\n(1 conflicted of 1 selected)");
    expect(read(root, "goldens/a/add.golden")).toBe(clean);
  });

  it("uses colour only when asked or on a terminal, and honours NO_COLOR and FORCE_COLOR", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    const engine = allChanged();
    const has = async (args: string[], env: Record<string, string> = {}, tty = false) =>
      /\x1b\[/.test((await cli(root, [...args, "--no-pending"], { engine, env, extra: { isTTY: tty } })).out);
    expect(await has(["check", "--color=always"])).toBe(true);
    expect(await has(["check", "--color=never"], { FORCE_COLOR: "1" })).toBe(false);
    expect(await has(["check"])).toBe(false);
    expect(await has(["check"], {}, true)).toBe(true);
    expect(await has(["check"], { NO_COLOR: "1" }, true)).toBe(false);
    expect(await has(["check"], { FORCE_COLOR: "1" })).toBe(true);
    expect(await has(["check"], { CI: "true" })).toBe(false);
    expect(await has(["check", "--no-color"], {}, true)).toBe(false);
    expect((await cli(root, ["check", "--color=sometimes"])).code).toBe(2);
  });
});
