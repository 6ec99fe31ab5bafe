/**
 * @fileoverview Runs one parsed spec through an engine under each selected configuration and classifies the result:
 * pass, fail (behaviour), xfail (failed as the spec says it would), xpass (marked xfail but passed), unsupported,
 * or error (an internal error in the engine). Builds the golden sections of each configuration. Never throws for
 * anything a spec or the engine does, except a SpecError, which stops the spec.
 */
import { judge } from "./behaviour.js";
import type { ConfigName } from "./config.js";
import { NotSupported, type Compiled, type Engine, type EngineResult } from "./engine.js";
import { checkBody, type Section } from "./golden/format.js";
import { renderRuns } from "./golden/results.js";
import { didYouMean, formatPos, SpecError } from "./spec/errors.js";
import type { Spec } from "./spec/model.js";

export type ConfigStatus = "pass" | "fail" | "xfail" | "xpass" | "unsupported" | "error";

export interface ConfigRun {
  config: ConfigName;
  status: ConfigStatus;
  /** One line each: behaviour failures, the unsupported feature, the internal error, the xfail reason. */
  messages: string[];
  /** Generated sections (main first, then passes); absent when nothing could be generated. */
  sections?: Section[];
  summary?: Compiled["summary"];
}

/** Statuses that count as "behaviour as the spec says". */
export const OK_STATUSES: readonly ConfigStatus[] = ["pass", "xfail"];

export function summaryLine(s: Compiled["summary"]): string {
  return `${s.rvInsns} insns, ${s.bytes} bytes, from ${s.bpfInsns} eBPF insns`;
}

function sectionsOf(spec: Spec, config: ConfigName, r: EngineResult, listing: boolean): Section[] {
  if (r.kind === "rejected") return [{ config, summary: "rejected by the verifier", body: `rejected by the verifier: ${r.message}` }];
  const runs = renderRuns(spec.runs, r.runs);
  const code = listing ? r.listing : `(listing not kept: '; golden: summary'; \`rvjit show ${spec.path}\` prints it)`;
  const main: Section = { config, summary: summaryLine(r.summary), body: runs ? `${code}\n\n${runs}` : code };
  return [main, ...r.passes.map((p) => ({ config, pass: p.pass, summary: "", body: p.text }))];
}

/** Checks `; dump-after:` names against the engine's passes (a SpecError at the unknown name). */
export function checkPasses(spec: Spec, engine: Engine): void {
  for (const p of spec.dumpAfter) {
    if (!engine.passes.includes(p.pass)) {
      throw new SpecError(p.pos, `unknown pass '${p.pass}'${didYouMean(p.pass, engine.passes)} (passes: ${engine.passes.join(", ")})`);
    }
  }
}

/** `fullListing`: include the listing even where the spec says `; golden: summary` (rvjit show). */
export function runConfig(spec: Spec, config: ConfigName, engine: Engine, extraPasses: readonly string[] = [], fullListing = false): ConfigRun {
  const listing = fullListing || spec.golden === "full";
  const xfail = spec.xfail.get(config);
  const dumpAfter = [...new Set([...spec.dumpAfter.map((p) => p.pass), ...extraPasses])];
  const failed = (status: ConfigStatus, messages: string[], sections?: Section[]): ConfigRun => {
    if (!xfail) return { config, status, messages, ...(sections ? { sections } : {}) };
    const placeholder: Section = { config, summary: "xfail", body: `(xfail: ${xfail.reason})` };
    return { config, status: "xfail", messages: [`${formatPos(xfail.pos)}: expected failure (${xfail.reason}): ${messages[0] ?? ""}`], sections: [placeholder] };
  };
  let r: EngineResult;
  try {
    r = engine.evaluate({ spec, config, dumpAfter, listing });
  } catch (e) {
    if (e instanceof SpecError) throw e;
    if (e instanceof NotSupported) return failed("unsupported", [`${formatPos(e.at ?? spec.programs[0]!.pos)}: ${e.message}`]);
    const err = e instanceof Error ? e : new Error(String(e));
    return failed("error", [`${spec.path}: internal error: ${err.stack ?? err.message}`]);
  }
  let sections: Section[];
  try {
    sections = sectionsOf(spec, config, r, listing);
    sections.forEach(checkBody);
  } catch (e) {
    return failed("error", [`${spec.path}: internal error: ${(e as Error).message}`]);
  }
  const failures = judge(spec, r);
  const summary = r.kind === "compiled" ? { summary: r.summary } : {};
  if (failures.length) {
    const f = failed("fail", failures, sections);
    return f.status === "xfail" ? f : { ...f, ...summary };
  }
  if (xfail) {
    return { config, status: "xpass", messages: [`${formatPos(xfail.pos)}: marked xfail (${xfail.reason}) but ${config} passes: remove the xfail`], sections, ...summary };
  }
  return { config, status: "pass", messages: [], sections, ...summary };
}
