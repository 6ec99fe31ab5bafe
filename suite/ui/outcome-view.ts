/**
 * @fileoverview How one spec's outcome reads on the terminal: a status word and the spec path, then its behaviour
 * problems (each with its file:line:col) and its golden differences, section by section.
 */
import type { SpecOutcome } from "../session.js";
import type { Colors } from "./color.js";
import { renderSectionDiffs, renderTextDiff, type DiffViewOptions } from "./diff-view.js";

export type Verdict = "ok" | "xfail" | "fail" | "error";

/** ok: behaviour as specified and golden matches; error: the spec itself is wrong (exit code 2). */
export function verdict(o: SpecOutcome): Verdict {
  if (o.specError) return "error";
  if (!o.behaviourOk || o.golden.kind !== "match") return "fail";
  return o.runs.some((r) => r.status === "xfail") ? "xfail" : "ok";
}

export function goldenProblem(o: SpecOutcome): string | undefined {
  const g = o.golden;
  switch (g.kind) {
    case "match":
      return undefined;
    case "missing":
      return `no golden yet (${o.goldenPath})`;
    case "conflicted":
      return `${o.goldenPath}:${g.line}: merge-conflict markers: run \`rvjit update ${o.path}\` to regenerate it`;
    case "invalid":
      return `${o.goldenPath} is not a valid golden: ${g.problems.join("; ")}: run \`rvjit update ${o.path}\``;
    case "mismatch":
      return g.layout ? `${o.goldenPath} is laid out differently from what rvjit writes now` : `${o.goldenPath} differs`;
  }
}

export interface ViewOptions {
  colors: Colors;
  isContextLine: (l: string) => boolean;
  maxLines?: number;
  timeoutMs?: number;
  /** Show golden diffs (false: only name the sections that differ). */
  diffs: boolean;
}

export function renderOutcome(o: SpecOutcome, v: ViewOptions): string {
  const c = v.colors;
  const out: string[] = [];
  const word = { ok: c.green("ok   "), xfail: c.yellow("xfail"), fail: c.red("FAIL "), error: c.red("ERROR") }[verdict(o)];
  out.push(`${word} ${o.path}\n`);
  if (o.specError) {
    out.push(`  ${o.specError.message}\n`);
    return out.join("");
  }
  // The same message from several configurations is printed once, naming them all.
  const grouped = new Map<string, string[]>();
  for (const r of o.runs) {
    if (r.status === "pass") continue;
    const tag = { fail: c.red("behaviour"), xpass: c.red("unexpected pass"), xfail: c.yellow("expected failure"), unsupported: c.red("not supported"), error: c.red("internal error") }[r.status];
    for (const m of r.messages) {
      const key = `${tag}: ${m.replace(/\n/g, "\n    ")}`;
      grouped.set(key, [...(grouped.get(key) ?? []), r.config]);
    }
  }
  for (const [msg, configs] of grouped) out.push(`  ${configs.join(", ")}: ${msg}\n`);
  const problem = o.behaviourOk || o.golden.kind !== "missing" ? goldenProblem(o) : undefined;
  if (problem) out.push(`  ${c.yellow("golden")}: ${problem}\n`);
  if (o.golden.kind === "mismatch") {
    const d: DiffViewOptions = {
      colors: c,
      isContextLine: v.isContextLine,
      moreCommand: `rvjit diff ${o.path}`,
      indent: "    ",
      ...(v.maxLines !== undefined ? { maxLines: v.maxLines } : {}),
      ...(v.timeoutMs !== undefined ? { timeoutMs: v.timeoutMs } : {}),
    };
    if (v.diffs) out.push(renderSectionDiffs(o.golden.sections, d));
    else for (const s of o.golden.sections) out.push(`    ${s.key}: ${s.kind}\n`);
    if (o.golden.layout && o.goldenText !== undefined && o.newText !== undefined && v.diffs) {
      out.push(renderTextDiff(o.goldenText.replace(/\n$/, ""), o.newText.replace(/\n$/, ""), d));
    }
  }
  if (o.widened) out.push(`  (ran every configuration: the golden could not be merged into)\n`);
  return out.join("");
}
