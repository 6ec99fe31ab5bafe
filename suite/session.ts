/**
 * @fileoverview Runs a selection of specs in this process and compares each with its golden: the common core of
 * check, update, accept, diff, show, prune and report. Nothing here writes files; callers decide what to write with
 * a Writer. Each spec's outcome says whether its behaviour is as specified (only then does it carry `newText`, the
 * golden that may be written) and how its golden compares.
 */
import { CONFIGS, type ConfigName } from "./config.js";
import type { Engine } from "./engine.js";
import { compareGolden, type GoldenState } from "./golden/compare.js";
import { parseGolden, renderGolden, resolveSections, type Section } from "./golden/format.js";
import { readText } from "./files.js";
import { goldenPathOf, pendingPathOf, type Project } from "./project.js";
import { checkPasses, OK_STATUSES, runConfig, type ConfigRun } from "./run-spec.js";
import { SpecError } from "./spec/errors.js";
import type { Spec } from "./spec/model.js";
import { parseSpec } from "./spec/parse.js";

export interface RunOptions {
  project: Project;
  engine: Engine;
  /** `--config`: run only these configurations (goldens keep the other sections as they are). */
  configs?: readonly ConfigName[];
  /** `--dump-after`: passes to dump in addition to the spec's own. */
  extraPasses?: readonly string[];
  /** Listings even for `; golden: summary` specs (rvjit show). */
  fullListing?: boolean;
  onProgress?(done: number, total: number, path: string): void;
}

export interface SpecOutcome {
  path: string;
  goldenPath: string;
  pendingPath: string;
  spec?: Spec;
  specError?: SpecError;
  runs: ConfigRun[];
  /** Every configuration that ran behaves as the spec says (pass, or xfail as marked). */
  behaviourOk: boolean;
  golden: GoldenState;
  /** The golden file as it is now (undefined: none). */
  goldenText?: string;
  /** The golden to write; only when the behaviour is ok. */
  newText?: string;
  /** Configurations run because the golden could not be merged into (missing, conflicted or invalid golden). */
  widened?: boolean;
}

function usable(state: GoldenState): boolean {
  return state.kind === "match" || state.kind === "mismatch";
}

/** Canonical order: matrix order of configurations; in each, the main section then passes in the spec's order. */
function ordered(sections: Section[], passes: readonly string[]): Section[] {
  const rank = (s: Section) => CONFIGS.indexOf(s.config) * 1000 + (s.pass === undefined ? 0 : 1 + passes.indexOf(s.pass));
  return [...sections].sort((a, b) => rank(a) - rank(b));
}

function oldSections(text: string): Section[] {
  const { bodies } = resolveSections(parseGolden(text));
  return [...bodies.values()].map((b) => ({ config: b.config as ConfigName, ...(b.pass !== undefined ? { pass: b.pass } : {}), summary: b.summary, body: b.resolved }));
}

export function runSpec(path: string, opts: RunOptions): SpecOutcome {
  const goldenPath = goldenPathOf(path);
  const base = { path, goldenPath, pendingPath: pendingPathOf(path), runs: [] as ConfigRun[], behaviourOk: false, golden: { kind: "missing" } as GoldenState };
  const goldenText = readText(opts.project.root, goldenPath);
  const out: SpecOutcome = goldenText === undefined ? base : { ...base, goldenText };
  let spec: Spec;
  try {
    const text = readText(opts.project.root, path);
    if (text === undefined) throw new SpecError({ file: path, line: 1, col: 1 }, "the spec file does not exist");
    spec = parseSpec(text, path);
    checkPasses(spec, opts.engine);
    out.spec = spec;
    const passes = spec.dumpAfter.map((p) => p.pass);
    const probe = compareGolden({ golden: goldenText, actual: [], specConfigs: spec.configs, specPasses: passes });
    const filter = opts.configs?.filter((c) => spec.configs.includes(c));
    const filtered = filter !== undefined && filter.length < spec.configs.length;
    const mergeable = filtered && goldenText !== undefined && usable(probe);
    const toRun = filtered && mergeable ? filter : spec.configs;
    if (filtered && !mergeable) out.widened = true;
    out.runs = toRun.map((c) => runConfig(spec, c, opts.engine, opts.extraPasses, opts.fullListing));
    const actual = out.runs.flatMap((r) => r.sections ?? []);
    out.behaviourOk = out.runs.every((r) => OK_STATUSES.includes(r.status));
    const header = { specPath: path, description: spec.description, configs: spec.configs };
    const complete = out.runs.length === spec.configs.length && out.runs.every((r) => r.sections);
    const fresh = complete ? ordered(actual, passes) : undefined;
    const canonical = fresh ? renderGolden(header, fresh) : undefined;
    out.golden = compareGolden({ golden: goldenText, actual, specConfigs: spec.configs, specPasses: passes, ...(canonical && !opts.extraPasses?.length ? { canonical } : {}) });
    if (out.behaviourOk && !opts.extraPasses?.length) {
      if (canonical) out.newText = canonical;
      else if (mergeable) {
        const ran = new Set<string>(toRun);
        const kept = oldSections(goldenText!).filter((s) => !ran.has(s.config) && spec.configs.includes(s.config) && (s.pass === undefined || passes.includes(s.pass)));
        out.newText = renderGolden(header, ordered([...kept, ...actual], passes));
      }
    }
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    out.specError = e;
  }
  return out;
}

export function runSuite(paths: readonly string[], opts: RunOptions): SpecOutcome[] {
  return paths.map((p, i) => {
    const o = runSpec(p, opts);
    opts.onProgress?.(i + 1, paths.length, p);
    return o;
  });
}
