/**
 * @fileoverview Positions in spec files and the error a spec author sees: always `file:line:col: message`.
 * `SourcePos` has the same shape as the assembler's (compiler/bpf/asm.ts), so positions pass between them unchanged.
 */

export interface SourcePos {
  /** The spec's path as the user names it (relative to the project root, with `/`). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  col: number;
}

export function formatPos(p: SourcePos): string {
  return `${p.file}:${p.line}:${p.col}`;
}

/** Something wrong in a spec file (syntax, unknown name, value out of range): the author must fix the spec. */
export class SpecError extends Error {
  constructor(readonly pos: SourcePos, readonly detail: string) {
    super(`${formatPos(pos)}: ${detail}`);
    this.name = "SpecError";
  }
}

/** Edit distance counting a swap of two adjacent letters as one edit (optimal string alignment), for suggestions. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Whether `word` is plausibly a misspelling of `target`: one edit, or two in a longer word. */
export function isNear(word: string, target: string): boolean {
  const d = editDistance(word, target);
  return d <= 1 || (d === 2 && word.length >= 5);
}

/** " (did you mean 'x'?)" for the closest candidate within distance 2, else "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best === undefined ? "" : ` (did you mean '${best}'?)`;
}
