/**
 * @fileoverview Compares a golden file with freshly generated sections, configuration by configuration. A section
 * written `(same as X)` is resolved to X's body and compared with its own configuration's output, so collapsing never
 * hides a difference. Also reports sections the spec no longer produces (stale), and, on a full comparison, any
 * other difference from the canonical rendering (header, collapsing, order).
 */
import { GOLDEN_VERSION, parseGolden, resolveSections, sectionKey, type Section } from "./format.js";

export interface SectionDiff {
  key: string;
  kind: "changed" | "missing" | "stale";
  /** Marker summary + "\n" + body, as the golden has it (resolved) and as generated now. */
  expected?: string;
  actual?: string;
}

export type GoldenState =
  | { kind: "match" }
  | { kind: "missing" }
  | { kind: "conflicted"; line: number }
  | { kind: "invalid"; problems: string[] }
  | { kind: "mismatch"; sections: SectionDiff[]; layout: boolean };

export interface CompareInput {
  /** The golden file's text, or undefined when there is none. */
  golden: string | undefined;
  /** Generated sections of the configurations that were run and produced output. */
  actual: readonly Section[];
  /** Configurations the spec runs (sections of others are stale). */
  specConfigs: readonly string[];
  /** Pass sections the spec asks for. */
  specPasses: readonly string[];
  /**
   * The canonical text of the whole file, when every configuration was run and produced output (no `--config` filter,
   * no failure): then any remaining difference is a layout difference and fails too.
   */
  canonical?: string;
}

const joined = (summary: string, body: string) => `${summary}\n${body}`;

export function compareGolden(inp: CompareInput): GoldenState {
  if (inp.golden === undefined) return { kind: "missing" };
  const g = parseGolden(inp.golden);
  if (g.conflictLine !== undefined) return { kind: "conflicted", line: g.conflictLine };
  if (g.version !== GOLDEN_VERSION) {
    return { kind: "invalid", problems: [g.version === undefined ? "line 1: not an rvjit golden header" : `written in golden format v${g.version}; this rvjit reads v${GOLDEN_VERSION}`] };
  }
  const { bodies, problems } = resolveSections(g);
  if (problems.length) return { kind: "invalid", problems };
  const diffs: SectionDiff[] = [];
  const produced = new Set<string>();
  for (const s of inp.actual) {
    const key = sectionKey(s);
    produced.add(key);
    const want = bodies.get(key);
    const actual = joined(s.summary, s.body);
    if (!want) diffs.push({ key, kind: "missing", actual });
    else if (joined(want.summary, want.resolved) !== actual) diffs.push({ key, kind: "changed", expected: joined(want.summary, want.resolved), actual });
  }
  const ranConfigs = new Set(inp.actual.map((s) => s.config as string));
  for (const [key, s] of bodies) {
    if (produced.has(key)) continue;
    const gone = !inp.specConfigs.includes(s.config) || (s.pass !== undefined && ranConfigs.has(s.config) && !inp.specPasses.includes(s.pass));
    if (gone) diffs.push({ key, kind: "stale", expected: joined(s.summary, s.resolved) });
  }
  if (diffs.length) return { kind: "mismatch", sections: diffs, layout: false };
  if (inp.canonical !== undefined && inp.canonical !== inp.golden) return { kind: "mismatch", sections: [], layout: true };
  return { kind: "match" };
}
