/**
 * @fileoverview The interactive review of pending goldens: for each one, its diff section by section, then a key:
 *   a accept   r reject   s skip   d whole diff (uncapped)   A/R/S the same for this and every one after   q quit
 * Accepting re-runs the spec (suite/pending.ts), so a stale or failing proposal is refused even here.
 * The prompt is injected: the CLI reads single keys from the terminal, tests script the answers.
 */
import type { Engine } from "./engine.js";
import type { Writer } from "./files.js";
import { acceptPending, describePending } from "./pending.js";
import type { Project } from "./project.js";
import type { Colors } from "./ui/color.js";
import { renderSectionDiffs } from "./ui/diff-view.js";

export type Prompt = (question: string, keys: readonly string[]) => Promise<string>;

export interface ReviewTally {
  accepted: number;
  rejected: number;
  skipped: number;
  refused: number;
}

export interface ReviewDeps {
  project: Project;
  engine: Engine;
  writer: Writer;
  colors: Colors;
  prompt: Prompt;
  out(text: string): void;
}

const KEYS = ["a", "r", "s", "d", "A", "R", "S", "q"] as const;
const QUESTION = "accept (a), reject (r), skip (s), whole diff (d), all remaining: A/R/S, quit (q)? ";

export async function review(pendings: readonly string[], d: ReviewDeps): Promise<ReviewTally> {
  const t: ReviewTally = { accepted: 0, rejected: 0, skipped: 0, refused: 0 };
  const c = d.colors;
  let sticky: "a" | "r" | "s" | undefined;
  for (let i = 0; i < pendings.length; i++) {
    const p = pendings[i]!;
    const info = describePending(d.project, p);
    d.out(`\n${c.bold(`[${i + 1}/${pendings.length}] ${info.golden}`)}  ${c.dim(info.specExists ? info.spec : `${info.spec} (gone)`)}${info.newGolden ? c.green("  new golden") : ""}\n`);
    const show = (maxLines?: number) => {
      d.out(renderSectionDiffs(info.diffs, { colors: c, isContextLine: (l) => d.engine.isContextLine(l), moreCommand: "d", ...(maxLines ? { maxLines } : {}) }));
    };
    show(60);
    let key: string | undefined = sticky;
    while (!key) {
      const k = await d.prompt(QUESTION, KEYS);
      if (k === "d") show();
      else key = k;
    }
    if (key === "q") {
      t.skipped += pendings.length - i;
      break;
    }
    if (key === "A" || key === "R" || key === "S") sticky = key.toLowerCase() as "a" | "r" | "s";
    const action = sticky ?? key;
    if (action === "a") {
      const r = acceptPending(d.project, d.engine, p, d.writer);
      if (r.accepted) {
        t.accepted++;
        d.out(`${c.green("accepted")} ${info.golden}\n`);
      } else {
        t.refused++;
        d.out(`${c.red("refused")}: ${r.reason}\n`);
      }
    } else if (action === "r") {
      d.writer.remove(p);
      t.rejected++;
      d.out(`${c.yellow("rejected")} ${p}\n`);
    } else {
      t.skipped++;
    }
  }
  return t;
}
