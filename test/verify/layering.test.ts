/**
 * @fileoverview Layering: the compiler (compiler/) stands on its own. The runtime may import the compiler (helper
 * prototypes, ALU semantics, the kernel ABI), never the other way round (docs/architecture.md).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot as ROOT } from "../support/tools.js";

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []);
}

/** Every module specifier a file imports or re-exports, resolved against the repository root. */
function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/g)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith(".")).map((s) => relative(ROOT, resolve(join(file, ".."), s)));
}

describe("compiler/ does not import runtime/", () => {
  it("no module under compiler/ names one under runtime/", () => {
    const files = tsFiles(join(ROOT, "compiler"));
    expect(files.length).toBeGreaterThan(50);
    const bad = files.flatMap((f) => imports(f).filter((i) => i.startsWith("runtime/")).map((i) => `${relative(ROOT, f)} -> ${i}`));
    expect(bad).toEqual([]);
  });

  it("the import scan sees cross-directory imports (the runtime's of the compiler)", () => {
    const found = imports(join(ROOT, "runtime/kernel/helpers.ts"));
    expect(found).toContain("compiler/bpf/helper-protos.js");
  });
});
