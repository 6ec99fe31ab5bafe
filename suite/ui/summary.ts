/**
 * @fileoverview The closing line of a run, and the exit code that goes with it:
 *   0 every spec behaves as specified and matches its golden; 1 something failed; 2 a spec (or the command) is wrong.
 */
import type { SpecOutcome } from "../session.js";
import type { Colors } from "./color.js";
import { verdict } from "./outcome-view.js";
import { plural } from "../plural.js";

export interface Tally {
  specs: number;
  ok: number;
  xfail: number;
  behaviour: number;
  golden: number;
  /** Of `golden`: specs that have no golden yet. */
  missing: number;
  errors: number;
  configs: number;
}

export function tally(outcomes: readonly SpecOutcome[]): Tally {
  const t: Tally = { specs: outcomes.length, ok: 0, xfail: 0, behaviour: 0, golden: 0, missing: 0, errors: 0, configs: 0 };
  for (const o of outcomes) {
    t.configs += o.runs.length;
    const v = verdict(o);
    if (v === "error") t.errors++;
    else if (!o.behaviourOk) t.behaviour++;
    else if (o.golden.kind !== "match") {
      t.golden++;
      if (o.golden.kind === "missing") t.missing++;
    }
    else if (v === "xfail") t.xfail++;
    else t.ok++;
  }
  return t;
}

export function exitCode(t: Tally, extraFailures = 0): number {
  if (t.errors) return 2;
  return t.behaviour || t.golden || extraFailures ? 1 : 0;
}

export function summaryText(t: Tally, seconds: number, c: Colors): string {
  const parts = [c.green(`${t.ok} ok`)];
  if (t.xfail) parts.push(c.yellow(`${t.xfail} xfail`));
  if (t.behaviour) parts.push(c.red(`${t.behaviour} failing behaviour`));
  if (t.golden) parts.push(c.red(`${plural(t.golden, "golden")} differ${t.missing ? ` (${t.missing} missing)` : ""}`));
  if (t.errors) parts.push(c.red(`${plural(t.errors, "spec error")}`));
  return `${plural(t.specs, "spec")} (${t.configs} configuration runs): ${parts.join(", ")} in ${seconds.toFixed(2)} s\n`;
}
