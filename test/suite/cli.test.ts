import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main.js";
import type { Engine } from "../../suite/engine.js";
import type { SuiteIo } from "../../suite/ui/context.js";
import { fakeEngine, fakeSpec, fingerprint, memIo, read, tempProject } from "./support.js";

async function cli(root: string, args: string[], o: { engine?: Engine; env?: Record<string, string>; extra?: Partial<SuiteIo> } = {}) {
  const io = memIo(root, o.env ?? {}, { engine: o.engine ?? fakeEngine(), ...o.extra });
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

const ADD = fakeSpec("add two numbers", "; run: r1=1 r2=2 => r0=3\nr0 = r1\nr0 += r2\nexit");
const SUB = fakeSpec("move a constant", "; run: => r0=7\nr0 = 7\nexit");
const FAILS = fakeSpec("wrong expectation", "; run: r1=1 => r0=2\nr0 = r1\nexit");
/** rv64imac_zba_zbb's output differs from the others' (its section is not collapsed). */
const onlyZbb = (from: string, to: string) => fakeEngine({ tweak: (c, l) => (c === "rv64imac_zba_zbb" ? l.replace(from, to) : l) });
/** Every configuration's output changes, for programs of three instructions or more. */
const allChanged = () => fakeEngine({ tweak: (_c, l) => l.replace("insn_2", "insn_Y") });

async function projectWithGoldens(files: Record<string, string>, engine = fakeEngine()): Promise<string> {
  const root = tempProject(files);
  const r = await cli(root, ["update"], { engine });
  expect(r.code).toBe(0);
  return root;
}

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

describe("CI never writes", () => {
  it.each([["true"], ["1"], ["yes"]])("with CI=%s no verb changes any file (unless forced)", async (ci) => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD, "specs/a/sub.bpf": SUB });
    writeFileSync(join(root, "specs/a/new.bpf"), fakeSpec("no golden yet", "; run: => r0=1\nr0 = 1\nexit"));
    writeFileSync(join(root, "goldens/a/gone.golden"), "# orphan\n");
    writeFileSync(join(root, "goldens/a/sub.golden.new"), "# pending\n");
    const engine = allChanged();
    const before = fingerprint(root);
    const env = { CI: ci };
    for (const args of [["check"], ["check", "add"], ["update"], ["update", "add"], ["accept", "--all"], ["reject", "--all"], ["prune"], ["prune", "--check"],
      ["review"], ["new", "a/more"], ["diff", "add"], ["show", "add"], ["report", "--markdown"], ["pending"]]) {
      await cli(root, args, { engine, env, extra: { prompt: async () => "a" } });
      expect(fingerprint(root), `rvjit ${args.join(" ")}`).toEqual(before);
    }
    const refused = await cli(root, ["update"], { engine, env });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("update refused: CI is set");
    expect((await cli(root, ["update", "--force", "add"], { engine, env })).code).toBe(0);
    expect(fingerprint(root)).not.toEqual(before);
  });

  it("fails on a pending golden that was committed", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    writeFileSync(join(root, "goldens/a/add.golden.new"), read(root, "goldens/a/add.golden"));
    expect((await cli(root, ["check"], { env: { CI: "1" } })).code).toBe(0); // not committed: a local leftover
    execFileSync("git", ["init", "-q"], { cwd: root });
    execFileSync("git", ["add", "-f", "goldens/a/add.golden.new"], { cwd: root });
    const r = await cli(root, ["check"], { env: { CI: "1" } });
    expect(r.code).toBe(1);
    expect(r.out).toContain("goldens/a/add.golden.new: a pending golden is committed");
    expect((await cli(root, ["check"])).code).toBe(0); // locally it is simply withdrawn
    expect(existsSync(join(root, "goldens/a/add.golden.new"))).toBe(false);
  });

  it.each([["false"], ["0"], [""]])("CI=%j is not CI: check proposes pending goldens", async (ci) => {
    const root = tempProject({ "specs/a/add.bpf": ADD });
    await cli(root, ["check"], { env: { CI: ci } });
    expect(existsSync(join(root, "goldens/a/add.golden.new"))).toBe(true);
  });
});

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

describe("pending goldens: pending, accept, reject, review", () => {
  async function withPending() {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD, "specs/a/sub.bpf": SUB });
    const engine = allChanged();
    expect((await cli(root, ["check"], { engine })).code).toBe(1);
    return { root, engine };
  }

  it("lists pending goldens with the sections that changed", async () => {
    const { root, engine } = await withPending();
    const r = await cli(root, ["pending"], { engine });
    expect(r.out).toContain("goldens/a/add.golden.new  (specs/a/add.bpf)  changed: rv64ima, rv64imac, rv64imac_zba_zbb");
    expect(r.out).not.toContain("sub.golden.new");
    const json = JSON.parse((await cli(root, ["pending", "--json"], { engine })).out);
    expect(json.map((p: { pending: string }) => p.pending)).toEqual(["goldens/a/add.golden.new"]);
  });

  it("accepts a pending golden after re-running its spec", async () => {
    const { root, engine } = await withPending();
    const pending = read(root, "goldens/a/add.golden.new");
    const r = await cli(root, ["accept", "add"], { engine });
    expect(r.code).toBe(0);
    expect(read(root, "goldens/a/add.golden")).toBe(pending);
    expect(existsSync(join(root, "goldens/a/add.golden.new"))).toBe(false);
  });

  it("refuses a pending golden that is out of date or whose behaviour now fails", async () => {
    const { root } = await withPending();
    const before = fingerprint(root);
    const stale = await cli(root, ["accept", "--all"], { engine: fakeEngine() });
    expect(stale.code).toBe(1);
    expect(stale.out).toContain("it is out of date");
    const failing = await cli(root, ["accept", "--all"], { engine: fakeEngine({ skewR0: { rv64ima: 1n }, tweak: (_c, l) => l.replace("insn_1", "insn_Y") }) });
    expect(failing.out).toContain("its behaviour fails now");
    expect(fingerprint(root)).toEqual(before);
  });

  it("rejects pending goldens by spec or by path", async () => {
    const { root, engine } = await withPending();
    const golden = read(root, "goldens/a/add.golden");
    expect((await cli(root, ["reject", "goldens/a/add.golden.new"], { engine })).code).toBe(0);
    expect(existsSync(join(root, "goldens/a/add.golden.new"))).toBe(false);
    expect(read(root, "goldens/a/add.golden")).toBe(golden);
    expect((await cli(root, ["reject", "add"], { engine })).out).toContain("nothing pending for 'add'");
  });

  it("review without a terminal names the non-interactive commands", async () => {
    const { root, engine } = await withPending();
    const r = await cli(root, ["review"], { engine });
    expect(r.code).toBe(2);
    expect(r.err).toContain("review needs an interactive terminal");
    expect(r.err).toMatch(/rvjit accept <spec\.\.\.> \| --all/);
  });

  it("review shows each diff and applies the answers", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD, "specs/a/sub.bpf": fakeSpec("sub", "; run: => r0=7\nr0 = 7\nr1 = 1\nexit") });
    const engine = allChanged();
    await cli(root, ["check"], { engine });
    const answers = ["d", "a", "r"];
    const questions: string[] = [];
    const r = await cli(root, ["review"], { engine, extra: { prompt: async (q) => (questions.push(q), answers.shift()!) } });
    expect(r.code).toBe(0);
    expect(questions).toHaveLength(3);
    expect(r.out).toContain("[1/2] goldens/a/add.golden");
    expect(r.out).toContain("+  insn_Y a5,a0");
    expect(r.out).toContain("1 accepted, 1 rejected, 0 skipped");
    expect(read(root, "goldens/a/add.golden")).toContain("insn_Y");
    expect(read(root, "goldens/a/sub.golden")).not.toContain("insn_Y");
    expect(existsSync(join(root, "goldens/a/sub.golden.new"))).toBe(false);
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
        expect(await main([verb, "--help"], memIo(process.cwd()))).toBe(0);
        const text = info.mock.calls.map((c) => String(c[0])).join("\n");
        expect(text, verb).toContain(`$ rvjit ${verb}`);
        expect(text, verb).toMatch(/Options:/);
      }
    } finally {
      info.mockRestore();
    }
  });
});
