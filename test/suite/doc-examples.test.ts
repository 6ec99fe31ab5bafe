/**
 * @fileoverview The examples of docs/spec-format.md are true: every spec example runs on the real engine and behaves
 * as it says on every configuration, and the golden example is what `rvjit update` writes for the first spec
 * example (each line of it, placeholders `<...>` standing for any lines).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { realEngine } from "../../suite/engines/real.js";
import { runSpec } from "../../suite/session.js";
import { tempProject } from "./support.js";

const doc = readFileSync(join(__dirname, "..", "..", "docs", "spec-format.md"), "utf8");
const blocks = [...doc.matchAll(/^```\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
const specs = blocks.filter((b) => /^; \S/.test(b));
const golden = blocks.find((b) => b.startsWith("# rvjit golden"));
const engine = realEngine();

/** Runs a spec text as `path` in a fresh project. */
function run(text: string, path = "specs/doc/example.bpf") {
  return runSpec(path, { project: { root: tempProject({ [path]: text }) }, engine });
}

describe("docs/spec-format.md", () => {
  it("has spec examples and a golden example", () => {
    expect(specs.length).toBeGreaterThanOrEqual(2);
    expect(golden).toBeDefined();
  });

  it.each(specs.map((s, i) => [i + 1, s.split("\n")[0]!, s] as const))("spec example %i (%s) behaves as it says", (_i, _desc, text) => {
    const o = run(text);
    expect(o.specError?.message).toBeUndefined();
    expect(o.runs.map((r) => [r.config, r.status, r.messages])).toEqual(o.runs.map((r) => [r.config, "pass", []]));
    expect(o.runs.length).toBe(3);
  });

  it("its golden example is what rvjit writes for the first spec example", () => {
    const path = /^# spec: (\S+)$/m.exec(golden!)![1]!;
    const actual = run(specs[0]!, path).newText!.split("\n");
    // every line of the example in order; a `<...>` line stands for any lines up to the next line of the example
    let at = 0;
    for (const line of golden!.replace(/\n$/, "").split("\n")) {
      if (/^<.*>$/.test(line)) continue;
      const found = actual.indexOf(line, at);
      expect(found, `golden example line ${JSON.stringify(line)} (after line ${at} of what rvjit writes):\n${actual.join("\n")}`).toBeGreaterThanOrEqual(at);
      at = found + 1;
    }
  });
});
