/**
 * @fileoverview The golden file format and comparison (suite/golden): versioned header, collapsed identical sections,
 * parse-back, determinism, refusal of text that would corrupt the file, exact conflict markers; and compareGolden's
 * verdicts (match, changed, stale, missing, layout, missing or invalid file), with and without a --config filter.
 */
import { describe, expect, it } from "vitest";
import { compareGolden } from "../../suite/golden/compare.js";
import { parseGolden, renderGolden, resolveSections, type Section } from "../../suite/golden/format.js";

const header = { specPath: "specs/a/b.bpf", description: "a test", configs: ["rv64ima", "rv64imac", "rv64imac_zba_zbb"] as const };
const body = "; bpf[0] r0 = 1\n  li a5,1";
const sections: Section[] = [
  { config: "rv64ima", summary: "2 insns, 8 bytes, from 1 eBPF insns", body },
  { config: "rv64ima", pass: "lower", summary: "", body: "lowered" },
  { config: "rv64imac", summary: "2 insns, 4 bytes, from 1 eBPF insns", body },
  { config: "rv64imac", pass: "lower", summary: "", body: "lowered" },
  { config: "rv64imac_zba_zbb", summary: "2 insns, 4 bytes, from 1 eBPF insns", body: "; bpf[0] r0 = 1\n  c.li a5,1" },
  { config: "rv64imac_zba_zbb", pass: "lower", summary: "", body: "lowered" },
];
const cmp = (golden: string | undefined, actual: readonly Section[], canonical?: string) =>
  compareGolden({ golden, actual, specConfigs: header.configs, specPasses: ["lower"], ...(canonical ? { canonical } : {}) });

describe("golden format", () => {
  const text = renderGolden(header, sections);

  it("has a versioned header naming the spec, and no trailing blank line, CR or ANSI", () => {
    const lines = text.split("\n");
    expect(lines[0]).toBe("# rvjit golden v1: generated, do not edit. Regenerate: rvjit update specs/a/b.bpf");
    expect(lines.slice(1, 4)).toEqual(["# spec: specs/a/b.bpf", "# what: a test", "# configs: rv64ima rv64imac rv64imac_zba_zbb"]);
    expect(text.endsWith("\n") && !text.endsWith("\n\n")).toBe(true);
    expect(/[\r\x1b]/.test(text)).toBe(false);
  });

  it("collapses a body identical to an earlier one of the same pass, and only those", () => {
    expect(text).toContain("=== rv64imac === 2 insns, 4 bytes, from 1 eBPF insns\n(same as rv64ima)\n");
    expect(text).toContain("=== rv64imac @ after:lower ===\n(same as rv64ima @ after:lower)\n");
    expect(text).toContain("=== rv64imac_zba_zbb @ after:lower ===\n(same as rv64ima @ after:lower)\n");
    expect(text).toContain("=== rv64imac_zba_zbb === 2 insns, 4 bytes, from 1 eBPF insns\n; bpf[0] r0 = 1\n  c.li a5,1\n");
  });

  it("parses back to the same sections, resolving every '(same as ...)'", () => {
    const { bodies, problems } = resolveSections(parseGolden(text));
    expect(problems).toEqual([]);
    expect([...bodies.values()].map((b) => ({ config: b.config, pass: b.pass, summary: b.summary, body: b.resolved })))
      .toEqual(sections.map((s) => ({ config: s.config, pass: s.pass, summary: s.summary, body: s.body })));
  });

  it("is deterministic", () => {
    expect(renderGolden(header, sections)).toBe(text);
  });

  it("refuses engine text that would corrupt the file", () => {
    for (const bad of ["=== rv64ima ===", "=======", "x\x1b[31m", "a\r", "", "(same as rv64ima)", "ends\n"]) {
      expect(() => renderGolden(header, [{ config: "rv64ima", summary: "", body: bad }])).toThrow(/unfit for a golden/);
    }
  });

  it("detects git conflict markers only in their exact form", () => {
    const conflicted = text.replace("(same as rv64ima)\n", "<<<<<<< HEAD\n(same as rv64ima)\n=======\nx\n>>>>>>> branch\n");
    expect(parseGolden(conflicted).conflictLine).toBe(text.split("\n").indexOf("(same as rv64ima)") + 1);
    expect(cmp(conflicted, sections)).toEqual({ kind: "conflicted", line: parseGolden(conflicted).conflictLine });
    const lookalikes = text.replace(body, "; <<<<<<<< not a marker\n  ======== neither\n  >>>>>>>x nor this");
    expect(parseGolden(lookalikes).conflictLine).toBeUndefined();
  });
});

describe("compareGolden", () => {
  const golden = renderGolden(header, sections);

  it("matches the output it was written from", () => {
    expect(cmp(golden, sections, golden)).toEqual({ kind: "match" });
  });

  it("still fails a collapsed section when only its own configuration's output changes", () => {
    // rv64imac's section is "(same as rv64ima)": change rv64imac's output alone.
    const changed = sections.map((s) => (s.config === "rv64imac" && !s.pass ? { ...s, body: `${body}\n  nop` } : s));
    const r = cmp(golden, changed);
    expect(r.kind).toBe("mismatch");
    if (r.kind !== "mismatch") return;
    expect(r.sections).toEqual([{ key: "rv64imac", kind: "changed", expected: `2 insns, 4 bytes, from 1 eBPF insns\n${body}`, actual: `2 insns, 4 bytes, from 1 eBPF insns\n${body}\n  nop` }]);
  });

  it("fails a summary change even when the body is the same", () => {
    const changed = sections.map((s) => (s.config === "rv64imac_zba_zbb" && !s.pass ? { ...s, summary: "2 insns, 6 bytes, from 1 eBPF insns" } : s));
    const r = cmp(golden, changed);
    expect(r.kind === "mismatch" && r.sections.map((d) => d.key)).toEqual(["rv64imac_zba_zbb"]);
  });

  it("compares only the configurations that ran (a --config filter), without stale reports for the others", () => {
    expect(cmp(golden, sections.filter((s) => s.config === "rv64imac"))).toEqual({ kind: "match" });
  });

  it("reports sections of configurations and passes the spec no longer runs as stale", () => {
    const r = compareGolden({ golden, actual: sections.filter((s) => s.config !== "rv64imac_zba_zbb" && !s.pass), specConfigs: ["rv64ima", "rv64imac"], specPasses: [] });
    expect(r.kind === "mismatch" && r.sections.map((d) => `${d.kind} ${d.key}`)).toEqual([
      "stale rv64ima @ after:lower", "stale rv64imac @ after:lower", "stale rv64imac_zba_zbb", "stale rv64imac_zba_zbb @ after:lower",
    ]);
  });

  it("reports a new section as missing from the golden", () => {
    const r = cmp(golden, [...sections, { config: "rv64ima", pass: "xlated", summary: "", body: "x" }]);
    expect(r.kind === "mismatch" && r.sections.map((d) => `${d.kind} ${d.key}`)).toEqual(["missing rv64ima @ after:xlated"]);
  });

  it("fails a layout difference on a full comparison (e.g. an uncollapsed duplicate)", () => {
    const uncollapsed = golden.replace("(same as rv64ima)\n", `${body}\n`);
    expect(cmp(uncollapsed, sections)).toEqual({ kind: "match" });
    expect(cmp(uncollapsed, sections, golden)).toEqual({ kind: "mismatch", sections: [], layout: true });
  });

  it("calls a missing file missing, and a foreign or newer format invalid", () => {
    expect(cmp(undefined, sections)).toEqual({ kind: "missing" });
    expect(cmp("hello\n", sections).kind).toBe("invalid");
    expect(cmp(golden.replace("golden v1", "golden v2"), sections)).toEqual({ kind: "invalid", problems: ["written in golden format v2; this rvjit reads v1"] });
    expect(cmp(golden.replace("(same as rv64ima)", "(same as rv64xyz)"), sections).kind).toBe("invalid");
  });
});
