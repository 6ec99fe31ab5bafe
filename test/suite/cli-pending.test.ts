/**
 * @fileoverview Pending goldens from the command line: `rvjit pending` lists them, `accept` re-checks before it
 * writes, `reject` discards, `review` walks through them.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ADD, allChanged, cli, fakeEngine, fakeSpec, fingerprint, projectWithGoldens, read, SUB } from "./support.js";

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

  it("accept and reject want names or --all, and say which names have nothing pending", async () => {
    const { root, engine } = await withPending();
    const before = fingerprint(root);
    for (const verb of ["accept", "reject"]) {
      const r = await cli(root, [verb], { engine });
      expect(r.code, verb).toBe(2);
      expect(r.err, verb).toBe(`rvjit: name the specs whose pending goldens to ${verb}, or --all (see \`rvjit pending\`)\n`);
      const none = await cli(root, [verb, "sub"], { engine });
      expect([none.code, none.out], verb).toEqual([1, `nothing pending for 'sub'\n0 ${verb}ed\n`]);
    }
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
