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

/** Levenshtein distance, for "did you mean" suggestions on short words. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
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
