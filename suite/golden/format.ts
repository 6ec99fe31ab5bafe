/**
 * @fileoverview The golden file format, version 1: deterministic plain text (LF, no colour, no timestamps, no tool
 * version, no absolute paths), one file per spec.
 *
 *   # rvjit golden v1: generated, do not edit. Regenerate: rvjit update specs/alu/add64.bpf
 *   # spec: specs/alu/add64.bpf
 *   # what: 64-bit add of two args
 *   # configs: rv64ima rv64imac rv64imac_zba_zbb
 *
 *   === rv64ima === 9 insns, 36 bytes, from 3 eBPF insns
 *   <listing: frame layout and annotated code per function, then the observed run results>
 *
 *   === rv64imac === 9 insns, 22 bytes, from 3 eBPF insns
 *   (same as rv64ima)
 *
 *   === rv64ima @ after:lower ===
 *   <pass dump>
 *
 * A section marker is `=== <config>[ @ after:<pass>] ===` at column 0, followed by a one-line summary. A body that
 * is identical to an earlier section's body of the same pass is written `(same as <key>)`; the checker resolves it
 * and compares every configuration on its own. Git conflict markers are recognised only in their exact form.
 */
import type { ConfigName } from "../config.js";

export const GOLDEN_VERSION = 1;

export interface Section {
  config: ConfigName;
  /** Undefined for the main section (listing and results); a pass name for `@ after:<pass>` sections. */
  pass?: string;
  /** The text after the marker's closing `===` (may be empty). */
  summary: string;
  /** The resolved body: never `(same as ...)`. No trailing newline. */
  body: string;
}

export function sectionKey(s: { config: string; pass?: string }): string {
  return s.pass === undefined ? s.config : `${s.config} @ after:${s.pass}`;
}

export interface GoldenHeader {
  specPath: string;
  description: string;
  configs: readonly ConfigName[];
}

const MARKER_RE = /^=== (\S+)(?: @ after:(\S+))? ===(?: (.*))?$/;
const SAME_RE = /^\(same as (.+)\)$/;
const CONFLICT_RE = /^(?:<<<<<<< |>>>>>>> |\|\|\|\|\|\|\| |=======$|<<<<<<<$|>>>>>>>$|\|\|\|\|\|\|\|$)/;
const CONFLICT_M = new RegExp(CONFLICT_RE.source, "m");
const MARKER_M = new RegExp(MARKER_RE.source, "gm");

/** Renders a golden: sections must already be in canonical order (config matrix order, main before passes). */
export function renderGolden(h: GoldenHeader, sections: readonly Section[]): string {
  const out = [
    `# rvjit golden v${GOLDEN_VERSION}: generated, do not edit. Regenerate: rvjit update ${h.specPath}`,
    `# spec: ${h.specPath}`,
    `# what: ${h.description}`,
    `# configs: ${h.configs.join(" ")}`,
  ];
  const firstWithBody = new Map<string, string>();
  for (const s of sections) {
    checkBody(s);
    const marker = `=== ${sectionKey(s)} ===${s.summary ? ` ${s.summary}` : ""}`;
    const dedupKey = `${s.pass ?? ""}\0${s.body}`;
    const earlier = firstWithBody.get(dedupKey);
    out.push("", marker, earlier === undefined ? s.body : `(same as ${earlier})`);
    if (earlier === undefined) firstWithBody.set(dedupKey, sectionKey(s));
  }
  return out.join("\n") + "\n";
}

/** Lines a body must not contain: section markers, conflict markers, ANSI escapes, CR (one scan per body). */
const UNFIT_RE = /^=== |^(?:<<<<<<<|>>>>>>>|\|\|\|\|\|\|\||=======)(?: |$)|[\x1b\r]/m;

/** Engine text that would break the format is an internal error, caught before anything is written. */
export function checkBody(s: Section): void {
  const bad = UNFIT_RE.exec(s.body);
  if (bad || s.body.endsWith("\n") || s.body === "" || SAME_RE.test(s.body) || s.summary.includes("\n")) {
    const line = bad ? s.body.slice(0, bad.index).split("\n").length : 0;
    throw new Error(`section ${sectionKey(s)}: text unfit for a golden (${line ? `line ${line}: ` : ""}marker, conflict marker, ANSI, CR, or empty/trailing newline)`);
  }
}

export interface RawSection {
  key: string;
  config: string;
  pass?: string;
  summary: string;
  /** As written: may be `(same as <key>)`. */
  body: string;
  /** 1-based line of the marker. */
  line: number;
}

export interface ParsedGolden {
  version?: number;
  specPath?: string;
  sections: RawSection[];
  /** 1-based line of the first git conflict marker, if any. */
  conflictLine?: number;
}

/** 1-based line number of character `index` of `text`. */
function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < index; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Parses a golden with a few whole-text scans (goldens of big programs run to megabytes). */
export function parseGolden(text: string): ParsedGolden {
  const g: ParsedGolden = { sections: [] };
  const conflict = CONFLICT_M.exec(text);
  if (conflict) g.conflictLine = lineAt(text, conflict.index);
  const ver = /^# rvjit golden v(\d+)\b/.exec(text);
  if (ver) g.version = Number(ver[1]);
  const head = text.slice(0, 2000);
  const spec = /^# spec: (.*)$/m.exec(head);
  if (spec) g.specPath = spec[1];
  const markers = [...text.matchAll(MARKER_M)];
  let line = 1;
  let from = 0;
  markers.forEach((m, k) => {
    line += countNewlines(text, from, m.index);
    from = m.index;
    const bodyStart = m.index + m[0].length + 1;
    const bodyEnd = k + 1 < markers.length ? markers[k + 1]!.index : text.length;
    const sec: RawSection = { key: m[2] === undefined ? m[1]! : `${m[1]} @ after:${m[2]}`, config: m[1]!, summary: m[3] ?? "", body: text.slice(bodyStart, trimNewlines(text, bodyStart, bodyEnd)), line };
    if (m[2] !== undefined) sec.pass = m[2];
    g.sections.push(sec);
  });
  return g;
}

/** End of text[from, to) without its trailing newlines. */
function trimNewlines(text: string, from: number, to: number): number {
  while (to > from && text.charCodeAt(to - 1) === 10) to--;
  return to;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Each section's body with `(same as ...)` resolved; a reference that does not resolve is reported, not guessed. */
export function resolveSections(g: ParsedGolden): { bodies: Map<string, RawSection & { resolved: string }>; problems: string[] } {
  const bodies = new Map<string, RawSection & { resolved: string }>();
  const problems: string[] = [];
  for (const s of g.sections) {
    if (bodies.has(s.key)) {
      problems.push(`line ${s.line}: section ${s.key} appears twice`);
      continue;
    }
    const same = SAME_RE.exec(s.body);
    if (!same) {
      bodies.set(s.key, { ...s, resolved: s.body });
      continue;
    }
    const target = bodies.get(same[1]!);
    if (!target) {
      problems.push(`line ${s.line + 1}: '(same as ${same[1]})' names no earlier section`);
      continue;
    }
    bodies.set(s.key, { ...s, resolved: target.resolved });
  }
  return { bodies, problems };
}
