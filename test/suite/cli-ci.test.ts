/**
 * @fileoverview Under CI (`CI` set and not false, 0 or empty) no verb writes unless --force, every verb that would
 * write says why it refuses, and a pending golden that was committed fails the check.
 */
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ADD, allChanged, cli, fakeSpec, fingerprint, projectWithGoldens, read, SUB, tempProject } from "./support.js";

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

  it("every verb that would write refuses with exit code 2, saying what to do instead", async () => {
    const root = await projectWithGoldens({ "specs/a/add.bpf": ADD });
    const env = { CI: "1" };
    for (const [verb, ...rest] of [["update"], ["accept", "--all"], ["reject", "add"], ["review"], ["prune"], ["new", "a/more"]] as const) {
      const r = await cli(root, [verb, ...rest], { env, extra: { prompt: async () => "q" } });
      expect(r.code, verb).toBe(2);
      expect(r.err, verb).toMatch(new RegExp(`^rvjit: ${verb} refused: CI is set, and CI never writes \\(.*--force.*\\)\n$`));
    }
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
