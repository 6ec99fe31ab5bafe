/**
 * @fileoverview The suite does not depend on the command line: no module under suite/ imports one under cli/
 * (statically or dynamically). What both need lives in suite/io.ts, which cli/io.ts re-exports.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/tools.js";

/** Relative module specifiers of `source`: `from "x"`, `import "x"`, `import("x")`, `export ... from "x"`. */
function relativeImports(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
}

describe("layering", () => {
  it("finds the imports it looks for", () => {
    const src = `import a from "./a.js";\nimport type { B } from '../b.js';\nexport { c } from "./c.js";\nimport "./d.js";\nawait import("../../e.js");\nimport x from "node:fs";`;
    expect(relativeImports(src)).toEqual(["./a.js", "../b.js", "./c.js", "./d.js", "../../e.js"]);
  });

  it("no module under suite/ imports one under cli/", () => {
    const suite = join(repoRoot, "suite");
    const files = readdirSync(suite, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(30);
    const offending: string[] = [];
    for (const f of files) {
      for (const spec of relativeImports(readFileSync(join(suite, f), "utf8"))) {
        const target = relative(repoRoot, resolve(dirname(join(suite, f)), spec)).split(sep).join("/");
        if (target.startsWith("cli/")) offending.push(`suite/${f} imports ${target}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
