/**
 * @fileoverview The pull-request summary (`rvjit report --markdown`): what changed and what fails, in Markdown for
 * $GITHUB_STEP_SUMMARY or a PR comment. Sizes come from the section summaries ("N insns, M bytes"), before (the
 * golden) and after (generated now), so a reviewer sees "rv64imac -8 bytes" without opening a file.
 * Also a `git apply`-able patch of every proposed golden change (`--patch`).
 */
import { createTwoFilesPatch } from "diff";
import { CONFIGS } from "./config.js";
import { parseGolden, resolveSections } from "./golden/format.js";
import type { SpecOutcome } from "./session.js";
import { verdict } from "./ui/outcome-view.js";
import { tally } from "./ui/summary.js";
import { plural } from "./plural.js";

interface Size {
  insns: number;
  bytes: number;
}

const SIZE_RE = /^(\d+) insns, (\d+) bytes\b/;

function sizesOf(text: string | undefined): Map<string, Size> {
  const out = new Map<string, Size>();
  if (text === undefined) return out;
  for (const s of resolveSections(parseGolden(text)).bodies.values()) {
    const m = SIZE_RE.exec(s.summary);
    if (s.pass === undefined && m) out.set(s.config, { insns: Number(m[1]), bytes: Number(m[2]) });
  }
  return out;
}

function afterSizes(o: SpecOutcome): Map<string, Size> {
  const out = new Map<string, Size>();
  for (const r of o.runs) if (r.summary) out.set(r.config, { insns: r.summary.rvInsns, bytes: r.summary.bytes });
  return out;
}

const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `\u2212${-n}` : "0");
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function markdownReport(outcomes: readonly SpecOutcome[]): string {
  const t = tally(outcomes);
  const changed = outcomes.filter((o) => o.newText !== undefined && o.golden.kind !== "match");
  const failing = outcomes.filter((o) => verdict(o) === "error" || !o.behaviourOk);
  const out: string[] = [];
  out.push(`## rvjit: ${changed.length} of ${plural(t.specs, "golden")} would change, ${plural(failing.length, "spec")} failing\n`);
  out.push(`${t.ok} ok, ${t.xfail} xfail, ${t.behaviour} failing behaviour, ${plural(t.golden, "golden")} differ, ${plural(t.errors, "spec error")} (${t.configs} configuration runs).\n`);
  if (changed.length) {
    const totals = new Map<string, { before: Size; after: Size }>();
    const rows: string[] = [];
    for (const o of changed) {
      const before = sizesOf(o.goldenText);
      const after = afterSizes(o);
      const cells = CONFIGS.map((c) => {
        const a = before.get(c);
        const b = after.get(c);
        if (!b) return a ? "not run" : "";
        if (!a) return `new: ${b.insns} insns, ${b.bytes} B`;
        const tot = totals.get(c) ?? { before: { insns: 0, bytes: 0 }, after: { insns: 0, bytes: 0 } };
        tot.before.insns += a.insns; tot.before.bytes += a.bytes; tot.after.insns += b.insns; tot.after.bytes += b.bytes;
        totals.set(c, tot);
        return a.insns === b.insns && a.bytes === b.bytes ? "same size" : `${signed(b.insns - a.insns)} insns, ${signed(b.bytes - a.bytes)} B`;
      });
      const state = o.golden.kind === "mismatch" ? "changed" : o.golden.kind;
      rows.push(`| ${code(o.path)} | ${state} | ${cells.join(" | ")} |`);
    }
    out.push("### Size by configuration (changed specs that have a golden)\n");
    out.push("| configuration | insns before | insns after | \u0394 | bytes before | bytes after | \u0394 |", "|---|---:|---:|---:|---:|---:|---:|");
    for (const c of CONFIGS) {
      const x = totals.get(c);
      if (x) out.push(`| ${c} | ${x.before.insns} | ${x.after.insns} | ${signed(x.after.insns - x.before.insns)} | ${x.before.bytes} | ${x.after.bytes} | ${signed(x.after.bytes - x.before.bytes)} |`);
    }
    out.push("", "### Changed goldens\n", `| spec | golden | ${CONFIGS.join(" | ")} |`, `|---|---|${CONFIGS.map(() => "---").join("|")}|`, ...rows, "");
  }
  if (failing.length) {
    out.push("### Failures\n");
    for (const o of failing) {
      if (o.specError) out.push(`- ${code(o.specError.message)}`);
      for (const r of o.runs) {
        if (r.status === "pass" || r.status === "xfail") continue;
        for (const m of r.messages) out.push(`- ${r.config}, ${r.status}: ${code(m.split("\n")[0]!)}`);
      }
    }
    out.push("");
  }
  return out.join("\n") + "\n";
}

/** A unified diff of every golden that would be written (git apply-able from the project root). */
export function goldenPatch(outcomes: readonly SpecOutcome[]): string {
  return outcomes
    .filter((o) => o.newText !== undefined && o.newText !== o.goldenText)
    .map((o) => createTwoFilesPatch(o.goldenText === undefined ? "/dev/null" : `a/${o.goldenPath}`, `b/${o.goldenPath}`, o.goldenText ?? "", o.newText!, undefined, undefined, { context: 3 }))
    .map((p) => p.replace(/^=+\n/, ""))
    .join("");
}
