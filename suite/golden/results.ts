/**
 * @fileoverview The observed-results part of a golden section: informational (the spec's expectations are the truth),
 * but it makes a change in instructions executed or stack used visible in review. One line per run case:
 *
 *   runs:
 *     run 1: return r0=3 ret=3; 9 insns, stack 16
 *     run 2 (wrap): throw 42 unwound main <- sub; r0=43 ret=43; 31 insns, stack 96
 */
import { caseLabel } from "../behaviour.js";
import type { Observed } from "../engine.js";
import type { RunCase } from "../spec/model.js";
import { showU64 } from "../spec/values.js";

function outcome(o: Observed): string {
  const regs = `r0=${showU64(o.r0)} ret=${showU64(o.ret)}`;
  switch (o.outcome) {
    case "return":
      return `return ${regs}`;
    case "throw":
      return `throw ${showU64(o.cookie ?? 0n)}${o.frames?.length ? ` unwound ${o.frames.join(" <- ")}` : ""}; ${regs}`;
    default:
      return `${o.outcome}${o.report ? `: ${o.report.split("\n")[0]}` : ""}`;
  }
}

export function renderRuns(cases: readonly RunCase[], observed: readonly Observed[]): string {
  if (cases.length === 0) return "";
  const lines = cases.map((rc, i) => {
    const o = observed[i];
    if (!o) return `  ${caseLabel(rc)}: not run`;
    return `  ${caseLabel(rc)}: ${outcome(o)}; ${o.steps} insns, stack ${o.stackUsed}`;
  });
  return ["runs:", ...lines].join("\n");
}
