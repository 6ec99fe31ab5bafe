/**
 * @fileoverview docs/bpf-asm.md stays true: its example assembles, its error example is what the assembler says,
 * and its kfunc table is helper-names.ts's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AsmError, assemble } from "../../compiler/bpf/asm.js";
import { KFUNCS } from "../../compiler/bpf/helper-names.js";
import { printProgram } from "../../compiler/bpf/print.js";
import { repoRoot } from "../support/tools.js";

const doc = readFileSync(join(repoRoot, "docs", "bpf-asm.md"), "utf8");
const blocks = [...doc.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe("docs/bpf-asm.md", () => {
  it("has an example that assembles, with the functions and callback it describes", () => {
    const p = assemble(blocks[0]!, "bpf-asm.md", { maps: ["counters"] });
    expect(p.funcs.map((f) => [f.name, f.linkage, f.args, f.ret])).toEqual([
      ["main", "global", undefined, undefined],
      ["on_throw", "global", 1, "scalar"],
    ]);
    expect(p.exceptionCallback).toBe("on_throw");
    expect(p.kfuncs.get(1)).toBe("bpf_throw");
    expect(assemble(printProgram(p), "listing", { maps: ["counters"] }).insns).toEqual(p.insns);
  });

  it("shows the error the assembler gives", () => {
    const [msg, line, caret] = blocks.find((b) => b.startsWith("spec.s:"))!.trimEnd().split("\n");
    const text = `${"\n".repeat(11)}${line}`;
    try {
      assemble(text, "spec.s");
      throw new Error("no error");
    } catch (e) {
      expect(e).toBeInstanceOf(AsmError);
      expect((e as AsmError).message).toBe(msg);
      expect((e as AsmError).excerpt).toBe(`${line}\n${caret}`);
    }
  });

  it("lists the kfuncs rvjit models", () => {
    for (const [id, name] of KFUNCS) expect(doc).toMatch(new RegExp(`\\| [0-9, ]*\\b${id}\\b[0-9, ]* \\| [a-z_, ]*\\b${name}\\b`));
  });
});
