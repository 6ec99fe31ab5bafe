/**
 * @fileoverview The eBPF assembler's lexer: source positions, AsmError (file:line:col with the source line and a
 * caret), and one line of text -> tokens (identifiers, numbers, operators), each with its 1-based column.
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
  const excerpt = `${lineText}\n${lineText.slice(0, Math.max(0, col - 1)).replace(/[^\t]/g, " ")}^`;
  return new AsmError({ file, line, col }, reason, excerpt);
}

export interface Tok {
  readonly kind: "id" | "num" | "op";
  readonly text: string;
  readonly col: number;
}

/** Operators, longest first so that `<<=` wins over `<<` and `<`. */
const OPS = ["s>>=", "<<=", ">>=", "s/=", "s%=", "s>=", "s<=", "s>", "s<", "==", "!=", ">=", "<=", "+=", "-=", "*=",
  "/=", "|=", "&=", "%=", "^=", "=", "<", ">", "&", "*", "(", ")", "[", "]", ",", "+", "-", ":"];

const IDENT = /^[A-Za-z_.$][\w.$]*/;
const NUMBER = /^(0x[0-9a-f]+|[0-9]+[fb]?)(?![\w.$])/i;

/** The statement part of a line: everything before the first comment (`;`, `//` or `#`). */
export function withoutComment(text: string): string {
  const cut = text.search(/;|\/\/|#/);
  return cut < 0 ? text : text.slice(0, cut);
}

/** The statement part of a line as tokens; throws on a stray character. */
export function lex(text: string, err: (col: number, msg: string) => AsmError): Tok[] {
  const body = withoutComment(text);
  const toks: Tok[] = [];
  let p = 0;
  while (p < body.length) {
    const c = body[p]!;
    if (c === " " || c === "\t" || c === "\r") {
      p++;
      continue;
    }
    const rest = body.slice(p);
    const op = OPS.find((o) => rest.startsWith(o));
    const num = op ? null : rest.match(NUMBER);
    const id = op || num ? null : rest.match(IDENT);
    const kind = op ? "op" : num ? "num" : id ? "id" : undefined;
    const t = op ?? num?.[0] ?? id?.[0];
    if (!kind || !t) {
      const word = rest.match(/^[0-9][\w.$]*/);
      throw err(p + 1, word ? `'${word[0]}' is not a number (decimal or 0x hex)` : `unexpected character '${c}'`);
    }
    toks.push({ kind, text: t, col: p + 1 });
    p += t.length;
  }
  return toks;
}

/** How an error names what it found instead: `'tok'`, or end of line. */
export const found = (t: Tok | undefined): string => (t ? `'${t.text}'` : "end of line");

/** `1f` / `1b`: a reference to the next / previous definition of the numeric label `1:`. */
export const isNumericLabelRef = (t: Tok | undefined): boolean => t?.kind === "num" && /^[0-9]+[fb]$/i.test(t.text);
