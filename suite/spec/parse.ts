/**
 * @fileoverview Parses a spec file (docs/spec-format.md) into a `Spec`. Throws `SpecError` at the first problem, with
 * its file:line:col. The eBPF text itself is not parsed here: each program's lines go to the assembler unchanged
 * (other lines blanked, so the assembler's positions are positions in the spec file).
 */
import { CONFIGS, inMatrixOrder, isConfigName, type ConfigName } from "../config.js";
import { didYouMean, SpecError, type SourcePos } from "./errors.js";
import { classifyLine, isDirectiveLine, listWords, type Directive, type SpecLine } from "./lines.js";
import { parseMapDecl } from "./maps.js";
import type { MapDecl, RunCase, Spec, SpecProgram } from "./model.js";
import { parseRun } from "./runs.js";
import { parseCount } from "./values.js";

interface ProgramDraft {
  name: string;
  named: boolean;
  pos: SourcePos;
  lines: number[];
}

function configList(d: Directive, words: { text: string; col: number }[], at: (line: number, col: number) => SourcePos): ConfigName[] {
  const out: ConfigName[] = [];
  for (const w of words) {
    if (!isConfigName(w.text)) {
      throw new SpecError(at(d.line, w.col), `unknown configuration '${w.text}'${didYouMean(w.text, CONFIGS)} (configurations: ${CONFIGS.join(", ")})`);
    }
    if (out.includes(w.text)) throw new SpecError(at(d.line, w.col), `configuration '${w.text}' is listed twice`);
    out.push(w.text);
  }
  return out;
}

/** `path` is the spec's path relative to the project root (it appears in every message). */
export function parseSpec(text: string, path: string): Spec {
  const at = (line: number, col: number): SourcePos => ({ file: path, line, col });
  if (text.includes("\r")) throw new SpecError(at(1, 1), "the file has CR line endings; specs use LF");
  const rawLines = text.split("\n");
  if (rawLines.length > 1 && rawLines[rawLines.length - 1] === "") rawLines.pop();
  const first = rawLines[0] ?? "";
  const desc = /^\s*;+\s*(.*?)\s*$/.exec(first);
  if (!desc || !desc[1] || isDirectiveLine(first)) {
    throw new SpecError(at(1, 1), "the first line says what the spec tests: '; <one-line description>'");
  }
  const classified: SpecLine[] = rawLines.map((l, i) => (i === 0 ? { kind: "comment", line: 1 } : classifyLine(l, i + 1, at)));

  const spec: Spec = { path, text, description: desc[1], configs: [...CONFIGS], programs: [], maps: [], runs: [], dumpAfter: [], xfail: new Map(), golden: "full", entry: "ctx" };
  const st: Collected = { programs: [{ name: "main", named: false, pos: at(1, 1), lines: [] }], once: new Map(), runs: [], maps: [], xfails: [] };
  for (const l of classified) {
    if (l.kind === "code") st.programs[st.programs.length - 1]!.lines.push(l.line);
    if (l.kind === "directive") directive(l.d, spec, st, at);
  }
  const { programs, runs, maps, xfails } = st;

  for (const x of xfails) {
    for (const c of x.configs ?? spec.configs) {
      if (!spec.configs.includes(c)) throw new SpecError(x.pos, `xfail names ${c}, which this spec does not run (see '; configs:')`);
      if (spec.xfail.has(c)) throw new SpecError(x.pos, `configuration ${c} is marked xfail twice`);
      spec.xfail.set(c, { reason: x.reason, pos: x.pos });
    }
  }
  for (const d of maps) spec.maps.push(parseMapDecl(d, (col) => at(d.line, col), spec.maps));
  for (const d of runs) spec.runs.push(parseRun(spec.runs.length + 1, d.args[0]?.text, d.value, d.valueCol, (col) => at(d.line, col), spec.maps, at(d.line, d.nameCol)));
  spec.programs = programs.map((p) => finishProgram(p, rawLines, at));
  checkReferences(spec, spec.maps);
  spec.entry = entryOf(spec.runs);
  return spec;
}

/** What the directives collect before the parts that need the whole file (maps before runs, configs before xfail). */
interface Collected {
  programs: ProgramDraft[];
  once: Map<string, Directive>;
  runs: Directive[];
  maps: Directive[];
  xfails: { configs: ConfigName[] | undefined; reason: string; pos: SourcePos }[];
}

function directive(d: Directive, spec: Spec, st: Collected, at: (line: number, col: number) => SourcePos): void {
  const valueAt = at(d.line, d.valueCol + (d.value.length - d.value.trimStart().length));
  const value = d.value.trim();
  if (["configs", "reject", "budget", "golden"].includes(d.name)) {
    if (st.once.has(d.name)) throw new SpecError(at(d.line, d.nameCol), `'; ${d.name}:' appears twice (first at line ${st.once.get(d.name)!.line})`);
    st.once.set(d.name, d);
  }
  switch (d.name) {
    case "program": {
      const cur = st.programs[st.programs.length - 1]!;
      if (!/^[A-Za-z_]\w*$/.test(value)) throw new SpecError(valueAt, "'; program: <name>' names the program that follows (an identifier)");
      if (st.programs.some((p) => p.named && p.name === value)) throw new SpecError(valueAt, `program '${value}' is defined twice`);
      if (cur.lines.length === 0 && !cur.named) Object.assign(cur, { name: value, named: true, pos: valueAt });
      else st.programs.push({ name: value, named: true, pos: valueAt, lines: [] });
      return;
    }
    case "configs": {
      const words = listWords(d.value, d.valueCol);
      if (words.length === 0) throw new SpecError(valueAt, `'; configs:' lists configurations (${CONFIGS.join(" ")})`);
      spec.configs = inMatrixOrder(configList(d, words, at));
      return;
    }
    case "reject":
      if (!value) throw new SpecError(valueAt, "'; reject:' gives a piece of the verifier's message, e.g. '; reject: R0 !read_ok'");
      spec.reject = { substring: value, pos: valueAt };
      return;
    case "dump-after":
      for (const w of listWords(d.value, d.valueCol)) {
        if (spec.dumpAfter.some((p) => p.pass === w.text)) throw new SpecError(at(d.line, w.col), `pass '${w.text}' is listed twice`);
        spec.dumpAfter.push({ pass: w.text, pos: at(d.line, w.col) });
      }
      return;
    case "xfail":
      if (!value) throw new SpecError(valueAt, "'; xfail:' needs a reason, e.g. '; xfail rv64ima: not supported: zext without zba'");
      st.xfails.push({ configs: d.args.length ? configList(d, d.args, at) : undefined, reason: value, pos: at(d.line, d.nameCol) });
      return;
    case "budget":
      spec.budget = parseCount(value, valueAt, "budget", 1e9);
      return;
    case "golden":
      if (value !== "full" && value !== "summary") throw new SpecError(valueAt, "'; golden:' is 'full' (the default) or 'summary' (no listing in the golden, for huge programs)");
      spec.golden = value;
      return;
    case "run":
      st.runs.push(d);
      return;
    case "map":
      st.maps.push(d);
      return;
  }
}

function finishProgram(p: ProgramDraft, rawLines: string[], at: (line: number, col: number) => SourcePos): SpecProgram {
  if (p.lines.length === 0) {
    throw new SpecError(p.pos, p.named ? `program '${p.name}' has no instructions` : "no eBPF instructions: write the program below the directives");
  }
  const keep = new Set(p.lines);
  const source = rawLines.map((l, i) => (keep.has(i + 1) ? l : "")).join("\n") + "\n";
  const prog: SpecProgram = { name: p.name, pos: p.named ? p.pos : at(p.lines[0]!, 1), source, lines: [p.lines[0]!, p.lines[p.lines.length - 1]!] };
  return prog;
}

/**
 * The entry contract the run cases imply: scalar arguments as soon as one gives r1-r5. The program is verified once
 * for all of them, so they cannot mix the two (r1 would be a pointer in one run and a number in the other).
 */
function entryOf(runs: readonly RunCase[]): Spec["entry"] {
  const withArgs = runs.find((r) => r.args.some((a) => a !== undefined));
  if (!withArgs) return "ctx";
  const withCtx = runs.find((r) => r.ctx !== undefined || r.packet !== undefined);
  if (withCtx) {
    const label = (r: RunCase) => (r.name ? `run ${r.index} (${r.name})` : `run ${r.index}`);
    const reg = `r${withArgs.args.findIndex((a) => a !== undefined) + 1}`;
    const mem = withCtx.ctx ? "ctx" : "packet";
    const what = withCtx === withArgs ? `${label(withArgs)} gives ${reg} and ${mem}` : `${label(withArgs)} gives ${reg}, ${label(withCtx)} gives ${mem}`;
    const at = withCtx.index > withArgs.index ? withCtx : withArgs;
    throw new SpecError(at.pos, `${what}: a spec's program takes either a ctx (r1 = the ctx pointer) or scalar arguments in r1-r5, not both`);
  }
  return "args";
}

function checkReferences(spec: Spec, maps: readonly MapDecl[]): void {
  const names = spec.programs.map((p) => p.name);
  const writes = [...maps.flatMap((m) => m.init), ...spec.runs.flatMap((r) => r.maps)];
  for (const w of writes) {
    const v = w.value;
    if (v && !(v instanceof Uint8Array) && !names.includes(v.program)) {
      throw new SpecError(w.pos, `no program named '${v.program}'${didYouMean(v.program, names)} (programs: ${names.join(", ")})`);
    }
  }
  if (spec.reject && spec.runs.length > 0) {
    throw new SpecError(spec.runs[0]!.pos, "a spec whose program the verifier must reject cannot have run cases");
  }
}
