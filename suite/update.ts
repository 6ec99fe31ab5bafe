/**
 * @fileoverview Regenerating goldens: what `rvjit update`, scripts/update-goldens.ts and `vitest -u` share.
 * A golden is written only for a spec whose behaviour is as specified on every configuration it ran (pass, or xfail
 * as marked); a spec with errors or failing behaviour is refused and left as it is. Only the selected specs'
 * goldens (and their pending files) are touched. Every write is atomic (suite/files.ts).
 */
import type { ConfigName } from "./config.js";
import type { Engine } from "./engine.js";
import { readText, Writer } from "./files.js";
import { goldenPathOf, type Project } from "./project.js";
import { runSpec, type SpecOutcome } from "./session.js";
import type { Colors } from "./ui/color.js";
import { renderOutcome } from "./ui/outcome-view.js";

export interface UpdateOptions {
  configs?: readonly ConfigName[];
  /** Only specs whose golden has merge-conflict markers. */
  conflictedOnly?: boolean;
  force?: boolean;
  onProgress?(done: number, total: number, path: string): void;
}

export interface UpdateContext {
  project: Project;
  colors: Colors;
  writer(force?: boolean): Writer;
}

export interface UpdateResult {
  outcomes: SpecOutcome[];
  written: string[];
  refused: string[];
  /** What to print, and the exit code: 0 all updated or unchanged, 1 some refused, 2 spec errors. */
  text: string;
  code: number;
}

const CONFLICT = /^(<<<<<<< |=======$|>>>>>>> )/m;

/** Updates one spec's golden if allowed; returns why not otherwise. */
export function updateOne(o: SpecOutcome, w: Writer): { wrote: boolean; refusal?: string } {
  if (o.specError) return { wrote: false, refusal: "the spec has errors" };
  if (!o.behaviourOk || o.newText === undefined) return { wrote: false, refusal: "its behaviour fails, and a golden is never written for failing behaviour" };
  const changed = o.goldenText !== o.newText;
  if (changed) w.write(o.goldenPath, o.newText);
  if (readText(w.root, o.pendingPath) !== undefined) w.remove(o.pendingPath);
  return { wrote: changed };
}

export function updateGoldens(ctx: UpdateContext, engine: Engine, paths: readonly string[], opts: UpdateOptions): UpdateResult {
  const c = ctx.colors;
  const w = ctx.writer(opts.force);
  w.sweepTemporaries();
  const selected = opts.conflictedOnly ? paths.filter((p) => CONFLICT.test(readText(ctx.project.root, goldenPathOf(p)) ?? "")) : paths;
  const out: string[] = [];
  const written: string[] = [];
  const refused: string[] = [];
  const outcomes: SpecOutcome[] = [];
  let errors = 0;
  selected.forEach((p, i) => {
    const o = runSpec(p, { project: ctx.project, engine, ...(opts.configs ? { configs: opts.configs } : {}) });
    outcomes.push(o);
    opts.onProgress?.(i + 1, selected.length, p);
    const r = updateOne(o, w);
    if (r.wrote) {
      written.push(o.goldenPath);
      out.push(`${c.green("updated")} ${o.goldenPath}${o.widened ? " (all configurations: the old golden could not be merged into)" : ""}\n`);
    }
    if (r.refusal) {
      if (o.specError) errors++;
      refused.push(p);
      out.push(`${c.red("refused")} ${p}: ${r.refusal}\n`);
      out.push(renderOutcome(o, { colors: c, isContextLine: (l) => engine.isContextLine(l), diffs: false }).replace(/^[^\n]*\n/, ""));
    }
  });
  const unchanged = selected.length - written.length - refused.length;
  out.push(`${written.length} golden${written.length === 1 ? "" : "s"} updated, ${unchanged} unchanged${refused.length ? c.red(`, ${refused.length} refused`) : ""}` +
    `${opts.conflictedOnly ? ` (${selected.length} conflicted of ${paths.length} selected)` : ""}\n`);
  return { outcomes, written, refused, text: out.join(""), code: errors ? 2 : refused.length ? 1 : 0 };
}
