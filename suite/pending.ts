/**
 * @fileoverview Pending goldens (`<golden>.new`, proposed by `rvjit check`): listing, accepting and rejecting them.
 * Accepting never trusts the file alone: the spec is run again, and the pending golden is moved into place only if
 * the behaviour still passes and the tool still generates exactly that text (the code may have changed since it
 * was proposed; jest#9591).
 */
import { existsSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { Engine } from "./engine.js";
import { readText, type Writer } from "./files.js";
import type { SectionDiff } from "./golden/compare.js";
import { parseGolden, resolveSections } from "./golden/format.js";
import { goldenPathOf, pendingPathOf, PENDING_EXT, specPathOf, type Project } from "./project.js";
import { listPending } from "./orphans.js";
import { runSpec, type SpecOutcome } from "./session.js";

export interface PendingInfo {
  pending: string;
  golden: string;
  spec: string;
  specExists: boolean;
  /** Section keys that differ from the golden (added, removed or changed); all sections when there is no golden. */
  changed: string[];
  /** The differences, section by section (golden -> pending). */
  diffs: SectionDiff[];
  newGolden: boolean;
}

export function describePending(p: Project, pending: string): PendingInfo {
  const golden = pending.slice(0, -4);
  const spec = specPathOf(pending);
  const gText = readText(p.root, golden);
  const pSections = resolveSections(parseGolden(readText(p.root, pending) ?? "")).bodies;
  const gSections = gText === undefined ? new Map() : resolveSections(parseGolden(gText)).bodies;
  const keys = [...new Set([...gSections.keys(), ...pSections.keys()])];
  const diffs: SectionDiff[] = [];
  for (const key of keys) {
    const a = gSections.get(key);
    const b = pSections.get(key);
    const expected = a && `${a.summary}\n${a.resolved}`;
    const actual = b && `${b.summary}\n${b.resolved}`;
    if (expected === actual) continue;
    diffs.push(!a ? { key, kind: "missing", actual } : !b ? { key, kind: "stale", expected } : { key, kind: "changed", expected, actual });
  }
  return { pending, golden, spec, specExists: existsSync(join(p.root, spec)), changed: diffs.map((d) => d.key), diffs, newGolden: gText === undefined };
}

/**
 * Pending files named by `args`: pending or golden paths, or anything `select` understands (spec paths, globs,
 * parts of paths). `select` maps spec selectors to spec paths.
 */
export async function pendingNamed(p: Project, cwd: string, args: readonly string[], select: (args: string[]) => Promise<string[]>): Promise<{ found: string[]; none: string[] }> {
  const all = new Set(listPending(p));
  const found = new Set<string>();
  const none: string[] = [];
  for (const arg of args) {
    const rel = relative(p.root, resolve(cwd, arg)).split(sep).join("/");
    const direct = rel.endsWith(PENDING_EXT) ? rel : rel.endsWith(".golden") ? `${rel}.new` : undefined;
    if (direct && all.has(direct)) {
      found.add(direct);
      continue;
    }
    const specs = await select([arg]);
    const hits = specs.map(pendingPathOf).filter((x) => all.has(x));
    if (hits.length === 0) none.push(arg);
    for (const h of hits) found.add(h);
  }
  return { found: [...found].sort(), none };
}

export interface AcceptResult {
  accepted: boolean;
  reason?: string;
  outcome?: SpecOutcome;
}

export function acceptPending(p: Project, engine: Engine, pending: string, w: Writer): AcceptResult {
  const spec = specPathOf(pending);
  if (!existsSync(join(p.root, spec))) return { accepted: false, reason: `its spec ${spec} is gone (\`rvjit reject\` it)` };
  const o = runSpec(spec, { project: p, engine });
  if (o.specError) return { accepted: false, reason: `the spec has errors: ${o.specError.message}`, outcome: o };
  if (!o.behaviourOk || o.newText === undefined) return { accepted: false, reason: "its behaviour fails now, and a failing spec's golden is never accepted", outcome: o };
  if (readText(p.root, pending) !== o.newText) {
    return { accepted: false, reason: "it is out of date: the output changed since it was proposed (run `rvjit check` again, then review)", outcome: o };
  }
  w.move(pending, goldenPathOf(spec));
  return { accepted: true, outcome: o };
}

/**
 * What `check` does with a spec's pending golden: proposes the new golden when the spec behaves and its golden
 * differs (rewriting the file only if its text changed), and withdraws a stale proposal otherwise.
 * Returns true when a proposal stands.
 */
export function proposePending(o: SpecOutcome, w: Writer): boolean {
  const pending = readText(w.root, o.pendingPath);
  if (o.newText !== undefined && o.golden.kind !== "match") {
    if (pending !== o.newText) w.write(o.pendingPath, o.newText);
    return true;
  }
  if (pending !== undefined) w.remove(o.pendingPath);
  return false;
}
