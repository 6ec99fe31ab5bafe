/**
 * @fileoverview Atomic golden writes: a child `rvjit update` (fixtures/crash-update.ts) is killed with SIGKILL halfway
 * through writing a golden; every golden is then either wholly new or untouched, and the next update sweeps away the
 * temporary file the crash left.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { repoRoot } from "../support/tools.js";
import { memoryIo } from "../support/io.js";
import { fakeEngine, fakeSpec, read, tempProject } from "./support.js";

const specs = {
  "specs/a/one.bpf": fakeSpec("one", "; run: => r0=1\nr0 = 1\nexit"),
  "specs/a/two.bpf": fakeSpec("two", "; run: => r0=2\nr0 = 2\nexit"),
  "specs/a/three.bpf": fakeSpec("three", "; run: => r0=3\nr0 = 3\nexit"),
};
const goldens = ["goldens/a/one.golden", "goldens/a/three.golden", "goldens/a/two.golden"]; // update's order

describe("a crash in the middle of an update", () => {
  it("leaves every golden whole: the ones written are new, the rest untouched", async () => {
    const root = tempProject(specs);
    expect(await main(["update"], memoryIo({ cwd: root, engine: fakeEngine() }))).toBe(0);
    const old = goldens.map((g) => read(root, g));

    const child = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot, "test/suite/fixtures/crash-update.ts"), root], { cwd: repoRoot, encoding: "utf8" });
    expect(child.signal, child.stderr).toBe("SIGKILL");
    expect(child.stdout).not.toContain("not killed");

    const now = goldens.map((g) => read(root, g));
    expect(now[0]).not.toBe(old[0]);
    expect(now[0]).toContain("insn_NEW");
    expect(now[0]).toBe(old[0]!.replace(/insn_0/g, "insn_NEW"));
    expect(now[1]).toBe(old[1]); // killed halfway through writing this one
    expect(now[2]).toBe(old[2]);
    // The half-written temporary file is left out of goldens/, and the next update sweeps it away.
    const tmp = join(root, ".rvjit/tmp");
    expect(readdirSync(tmp)).toHaveLength(1);
    const again = memoryIo({ cwd: root, engine: fakeEngine({ tweak: (_c, l) => l.replace("insn_0", "insn_NEW") }) });
    expect(await main(["update"], again)).toBe(0);
    expect(again.stdout).toContain("2 goldens updated, 1 unchanged");
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
  });
});
