/**
 * @fileoverview How golden differences are shown (suite/ui/diff-view.ts): hunk headers naming the nearest eBPF
 * instruction, word highlighting only with colour, capped diffs that name the command printing the rest, stale and
 * new sections; and when colour is on (--color, NO_COLOR, FORCE_COLOR, CI, TERM=dumb, a terminal).
 */
import { describe, expect, it } from "vitest";
import { colorEnabled, makeColors, parseColorMode } from "../../suite/ui/color.js";
import { renderSectionDiff, renderTextDiff } from "../../suite/ui/diff-view.js";

const isContextLine = (l: string) => l.startsWith("\t; ");
const before = ["; f (function 0)", "<prologue>:", "\taddi\tsp,sp,-16", "\t; r0 = 1", "\tli\ta5,1", "\t; r0 += r1", "\tadd\ta5,a5,a0", "\t; exit", "\tj\t<epilogue>"].join("\n");
const after = before.replace("add\ta5,a5,a0", "add\ta5,a5,a1");

describe("golden diffs", () => {
  it("names the nearest eBPF instruction above the change in the hunk header", () => {
    const text = renderTextDiff(before, after, { colors: makeColors(false), isContextLine, moreCommand: "x", indent: "" });
    expect(text.split("\n")[0]).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@ ; r0 \+= r1$/);
    expect(text).toContain("-\tadd\ta5,a5,a0\n+\tadd\ta5,a5,a1\n");
  });

  it("highlights the changed word of a changed line pair when colour is on, and only then", () => {
    const colored = renderTextDiff(before, after, { colors: makeColors(true), isContextLine, moreCommand: "x" });
    // The register that changed is in inverse video on both sides; the rest of the line is not.
    expect(colored).toContain("\x1b[7ma0");
    expect(colored).toContain("\x1b[7ma1");
    expect(colored).not.toContain("\x1b[7madd");
    const plain = renderTextDiff(before, after, { colors: makeColors(false), isContextLine, moreCommand: "x" });
    expect(plain).not.toContain("\x1b[");
  });

  it("caps long diffs and names the command that prints the rest", () => {
    const many = Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n");
    const changed = many.replace(/line (\d+)/g, "LINE $1");
    const text = renderTextDiff(many, changed, { colors: makeColors(false), isContextLine, maxLines: 10, moreCommand: "rvjit diff s" });
    expect(text.split("\n").filter((l) => /^ {2}[-+]/.test(l))).toHaveLength(10);
    expect(text).toContain("... 90 more changed lines; see `rvjit diff s`");
  });

  it("shows a stale section as a note and a new section as additions", () => {
    const c = makeColors(false);
    expect(renderSectionDiff({ key: "rv64ima", kind: "stale", expected: "x" }, { colors: c, isContextLine, moreCommand: "m" })).toContain("stale section rv64ima");
    expect(renderSectionDiff({ key: "rv64ima @ after:lower", kind: "missing", actual: "\nbody" }, { colors: c, isContextLine, moreCommand: "m" }))
      .toBe("  new section rv64ima @ after:lower (not in the golden):\n    +=== rv64ima @ after:lower ===\n    +body\n");
  });
});

describe("colour decision", () => {
  it.each([
    ["always", {}, false, true],
    ["never", { FORCE_COLOR: "1" }, true, false],
    ["auto", {}, true, true],
    ["auto", {}, false, false],
    ["auto", { NO_COLOR: "1" }, true, false],
    ["auto", { NO_COLOR: "" }, true, true],
    ["auto", { FORCE_COLOR: "1" }, false, true],
    ["auto", { FORCE_COLOR: "0" }, true, false],
    ["auto", { CI: "true" }, false, false],
    ["auto", { TERM: "dumb" }, true, false],
  ] as const)("--color=%s with %j, tty=%s -> %s", (mode, env, tty, want) => {
    expect(colorEnabled(parseColorMode(mode), env, tty)).toBe(want);
  });
});
