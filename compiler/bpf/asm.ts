/**
 * @fileoverview eBPF assembly text -> instructions, in the syntax kernel and LLVM developers read (`r0 = 1`,
 * `if r1 s> 5 goto L`, `lock *(u64 *)(r1 + 0) += r2`), plus the directives specs need (functions, maps, the
 * exception callback). docs/bpf-asm.md describes the syntax; print.ts writes exactly what this file reads.
 */

/** A place in a source file; line and col are 1-based. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** An assembly error: `file:line:col: message`, with the offending source line and a caret in `excerpt`. */
export class AsmError extends Error {
  override readonly name = "AsmError";
  constructor(
    readonly pos: SourcePos,
    readonly reason: string,
    readonly excerpt = "",
  ) {
    super(`${pos.file}:${pos.line}:${pos.col}: ${reason}`);
  }
}

/** An AsmError at `col` of `lineText` (1-based line and col), with the caret excerpt filled in. */
export function asmError(file: string, line: number, col: number, lineText: string, reason: string): AsmError {
  const excerpt = `${lineText}\n${" ".repeat(Math.max(0, col - 1))}^`;
  return new AsmError({ file, line, col }, reason, excerpt);
}
