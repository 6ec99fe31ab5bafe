/**
 * @fileoverview Golden diffs as people read them: one diff per section (so each hunk belongs to one configuration),
 * hunk headers that name the nearest eBPF instruction above the change (the engine says which listing lines are
 * such context), word-level highlights inside changed line pairs, and a cap on long diffs that names the command
 * printing the rest. The `-`/`+` markers stay when colour is off.
 */
import { diffWordsWithSpace, structuredPatch } from "diff";
import type { SectionDiff } from "../golden/compare.js";
import type { Colors } from "./color.js";
import { plural } from "../plural.js";

export interface DiffViewOptions {
  colors: Colors;
  isContextLine: (line: string) => boolean;
  /** Stop after this many changed lines (undefined: no cap). */
  maxLines?: number;
  /** Give up on diffing after this many ms (undefined: no limit). */
  timeoutMs?: number;
  /** The command that prints the whole diff, named when the cap cuts it short. */
  moreCommand: string;
  indent?: string;
}

function contextAbove(lines: readonly string[], index: number, isContext: (l: string) => boolean): string {
  for (let i = Math.min(index, lines.length - 1); i >= 0; i--) if (isContext(lines[i]!)) return lines[i]!.trim();
  return "";
}

/** Highlights what differs between a removed and an added line (colour only). */
function wordPair(removed: string, added: string, c: Colors): [string, string] {
  const parts = diffWordsWithSpace(removed, added);
  let a = "";
  let b = "";
  for (const p of parts) {
    if (p.added) b += c.inverse(p.value);
    else if (p.removed) a += c.inverse(p.value);
    else {
      a += p.value;
      b += p.value;
    }
  }
  return [c.red(`-${a}`), c.green(`+${b}`)];
}

/** Renders a diff of `before` -> `after` (whole texts of one section or file). */
export function renderTextDiff(before: string, after: string, o: DiffViewOptions): string {
  const c = o.colors;
  const ind = o.indent ?? "  ";
  if (before === "") return addedOnly(after.split("\n"), o);
  const patch = structuredPatch("golden", "now", `${before}\n`, `${after}\n`, undefined, undefined, {
    context: 3,
    ...(o.timeoutMs !== undefined ? { timeout: o.timeoutMs } : {}),
  });
  if (!patch) {
    const n = Math.max(before.split("\n").length, after.split("\n").length);
    return `${ind}${c.yellow(`(too different to diff quickly: ${n} lines; see \`${o.moreCommand}\`)`)}\n`;
  }
  const oldLines = before.split("\n");
  const out: string[] = [];
  let shown = 0;
  let hidden = 0;
  for (const h of patch.hunks) {
    const ctx = contextAbove(oldLines, h.oldStart - 2 + firstChange(h.lines), o.isContextLine);
    if (o.maxLines !== undefined && shown >= o.maxLines) {
      hidden += h.lines.filter((l) => l[0] !== " ").length;
      continue;
    }
    out.push(c.cyan(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`) + (ctx ? ` ${c.dim(ctx)}` : ""));
    for (let i = 0; i < h.lines.length; ) {
      const line = h.lines[i]!;
      if (line[0] === " " || line[0] === "\\") {
        if (line[0] === " ") out.push(c.dim(line));
        i++;
        continue;
      }
      let j = i;
      while (j < h.lines.length && h.lines[j]![0] === "-") j++;
      let k = j;
      while (k < h.lines.length && h.lines[k]![0] === "+") k++;
      const removed = h.lines.slice(i, j).map((l) => l.slice(1));
      const added = h.lines.slice(j, k).map((l) => l.slice(1));
      const paired = removed.length === added.length && c.isColorSupported;
      const rem: string[] = [];
      const add: string[] = [];
      removed.forEach((r, n) => {
        if (paired) {
          const [a, b] = wordPair(r, added[n]!, c);
          rem.push(a);
          add.push(b);
        } else rem.push(c.red(`-${r}`));
      });
      if (!paired) for (const a of added) add.push(c.green(`+${a}`));
      for (const l of [...rem, ...add]) {
        if (o.maxLines !== undefined && shown >= o.maxLines) hidden++;
        else {
          out.push(l);
          shown++;
        }
      }
      i = k;
    }
  }
  if (hidden > 0) out.push(c.yellow(`... ${plural(hidden, "more changed line")}; see \`${o.moreCommand}\``));
  return out.map((l) => `${ind}${l}\n`).join("");
}

function addedOnly(lines: readonly string[], o: DiffViewOptions): string {
  const ind = o.indent ?? "  ";
  const cap = o.maxLines ?? Infinity;
  const out = lines.slice(0, cap).map((l) => `${ind}${o.colors.green(`+${l}`)}\n`);
  if (lines.length > cap) out.push(`${ind}${o.colors.yellow(`... ${lines.length - cap} more lines; see \`${o.moreCommand}\``)}\n`);
  return out.join("");
}

function firstChange(lines: readonly string[]): number {
  const i = lines.findIndex((l) => l[0] === "-" || l[0] === "+");
  return lines.slice(0, i).filter((l) => l[0] === " ").length;
}

/** The body of one section's difference (without its title). */
function sectionDiffBody(d: SectionDiff, o: DiffViewOptions): string {
  const ind = o.indent ?? "  ";
  const with_ = (s: string | undefined) => (s === undefined ? "" : `=== ${d.key} ===${s.startsWith("\n") ? "" : " "}${s}`);
  switch (d.kind) {
    case "stale":
      return "";
    case "missing":
      return renderTextDiff("", with_(d.actual), { ...o, indent: ind + "  " });
    case "changed":
      return renderTextDiff(with_(d.expected), with_(d.actual), { ...o, indent: ind + "  " });
  }
}

function title(kind: SectionDiff["kind"], keys: readonly string[], c: DiffViewOptions["colors"]): string {
  const list = keys.join(", ");
  switch (kind) {
    case "stale":
      return `${c.yellow(`stale section${keys.length > 1 ? "s" : ""} ${list}`)}: the spec no longer produces ${keys.length > 1 ? "them" : "it"} (\`rvjit update\` or \`rvjit prune\` removes ${keys.length > 1 ? "them" : "it"})`;
    case "missing":
      return `${c.yellow(`new section${keys.length > 1 ? "s" : ""} ${list}`)} (not in the golden):`;
    case "changed":
      return `${c.bold(list)} ${keys.length > 1 ? "differ" : "differs"}:`;
  }
}

/** One section's difference, with a title naming the configuration. */
export function renderSectionDiff(d: SectionDiff, o: DiffViewOptions): string {
  return `${o.indent ?? "  "}${title(d.kind, [d.key], o.colors)}\n${sectionDiffBody(d, o)}`;
}

/**
 * Several sections' differences; sections whose diffs read the same (a change that hits every configuration alike)
 * are shown once, under all their names.
 */
export function renderSectionDiffs(diffs: readonly SectionDiff[], o: DiffViewOptions): string {
  const groups = new Map<string, { kind: SectionDiff["kind"]; keys: string[]; body: string }>();
  for (const d of diffs) {
    const body = sectionDiffBody(d, o);
    const id = `${d.kind}\0${body}`;
    const g = groups.get(id);
    if (g) g.keys.push(d.key);
    else groups.set(id, { kind: d.kind, keys: [d.key], body });
  }
  return [...groups.values()].map((g) => `${o.indent ?? "  "}${title(g.kind, g.keys, o.colors)}\n${g.body}`).join("");
}
