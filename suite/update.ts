/**
 * @fileoverview Regenerating goldens: what `rvjit update`, scripts/update-goldens.ts and `vitest -u` share.
 * A golden is written only for a spec whose behaviour is as specified on every configuration it ran (pass, or xfail
 * as marked); a spec with errors or failing behaviour is refused and left as it is. Only the selected specs'
 * goldens (and their pending files) are touched. Every write is atomic (suite/files.ts).
 */
import { readText, Writer } from "./files.js";
import { goldenPathOf, type Project } from "./project.js";
import type { SpecOutcome } from "./session.js";
import type { Colors } from "./ui/color.js";
import { renderOutcome } from "./ui/outcome-view.js";
import { plural } from "./plural.js";

export interface UpdateContext {
  project: Project;
  colors: Colors;
  writer(force?: boolean): Writer;
}

export interface UpdateResult {
  written: string[];
  refused: string[];
  /** What to print, and the exit code: 0 all updated or unchanged, 1 some refused, 2 spec errors. */
  text: string;
  code: number;
}

const CONFLICT = /^(<<<<<<< |=======$|>>>>>>> )/m;

/** The specs among `paths` whose golden has merge-conflict markers. */
export function conflictedSpecs(root: string, paths: readonly string[]): string[] {
  return paths.filter((p) => CONFLICT.test(readText(root, goldenPathOf(p)) ?? ""));
}

/** Updates one spec's golden if allowed; returns why not otherwise. */
export function updateOne(o: SpecOutcome, w: Writer): { wrote: boolean; refusal?: string } {
  if (o.specError) return { wrote: false, refusal: "the spec has errors" };
  if (!o.behaviourOk || o.newText === undefined) return { wrote: false, refusal: "its behaviour fails, and a golden is never written for failing behaviour" };
  const changed = o.goldenText !== o.newText;
  if (changed) w.write(o.goldenPath, o.newText);
  if (readText(w.root, o.pendingPath) !== undefined) w.remove(o.pendingPath);
  return { wrote: changed };
}

/** Writes the goldens of `outcomes` that may be written; says what it did and refused. */
export function applyUpdates(ctx: UpdateContext, outcomes: readonly SpecOutcome[], isContextLine: (l: string) => boolean, force = false): UpdateResult {
  const c = ctx.colors;
  const w = ctx.writer(force);
  w.sweepTemporaries();
  const out: string[] = [];
  const written: string[] = [];
  const refused: string[] = [];
  let errors = 0;
  for (const o of outcomes) {
    const r = updateOne(o, w);
    if (r.wrote) {
      written.push(o.goldenPath);
      out.push(`${c.green("updated")} ${o.goldenPath}${o.widened ? " (all configurations: the old golden could not be merged into)" : ""}\n`);
    }
    if (r.refusal) {
      if (o.specError) errors++;
      refused.push(o.path);
      out.push(`${c.red("refused")} ${o.path}: ${r.refusal}\n`);
      out.push(renderOutcome(o, { colors: c, isContextLine, diffs: false }).replace(/^[^\n]*\n/, ""));
    }
  }
  const unchanged = outcomes.length - written.length - refused.length;
  out.push(`${plural(written.length, "golden")} updated, ${unchanged} unchanged${refused.length ? c.red(`, ${refused.length} refused`) : ""}\n`);
  return { written, refused, text: out.join(""), code: errors ? 2 : refused.length ? 1 : 0 };
}
