/**
 * @fileoverview The line structure of a spec file. Every line is one of:
 *   - the description (line 1: `; <what this spec tests>`),
 *   - a directive `; <name> [args]: <value>` (names in DIRECTIVES),
 *   - a comment: `;;` anything, or a `;` line that is not a directive,
 *   - a blank line, or a line of eBPF assembly (given to the assembler).
 * A `;` line that looks like a directive with a misspelt name (an edit away from a real one) is an error rather
 * than a silent comment, so `; rnu: ...` cannot disable a run case unnoticed.
 */
import { didYouMean, isNear, SpecError, type SourcePos } from "./errors.js";
import { tokenize, type Token } from "./values.js";

/** Directive names, and whether they take arguments between the name and the ':'. */
export const DIRECTIVES = {
  configs: "none",
  run: "optional", // run [name]: ...
  reject: "none",
  map: "required", // map <name>: ...
  program: "none",
  "dump-after": "none",
  xfail: "optional", // xfail [configs...]: <reason>
  budget: "none",
  golden: "none",
} as const;

export type DirectiveName = keyof typeof DIRECTIVES;

export interface Directive {
  name: DirectiveName;
  line: number;
  nameCol: number;
  args: Token[];
  /** The text after ':', untrimmed, and the column of its first character. */
  value: string;
  valueCol: number;
}

export type SpecLine =
  | { kind: "blank" | "comment"; line: number }
  | { kind: "code"; line: number }
  | { kind: "directive"; line: number; d: Directive };

const DIRECTIVE_RE = /^(\s*;\s*)([a-z][a-z0-9-]*)((?:[ \t]+[^:\s]+)*)[ \t]*:(.*)$/;

/** True if `text` is a directive line with a known name (line 1 may be anything else). */
export function isDirectiveLine(text: string): boolean {
  const m = DIRECTIVE_RE.exec(text);
  return m !== null && m[2]! in DIRECTIVES;
}

export function classifyLine(text: string, line: number, at: (line: number, col: number) => SourcePos): SpecLine {
  const trimmed = text.trimStart();
  if (trimmed === "") return { kind: "blank", line };
  if (!trimmed.startsWith(";")) return { kind: "code", line };
  if (trimmed.startsWith(";;")) return { kind: "comment", line };
  const m = DIRECTIVE_RE.exec(text);
  if (!m) return { kind: "comment", line };
  const name = m[2]!;
  const nameCol = m[1]!.length + 1;
  if (!(name in DIRECTIVES)) {
    const near = Object.keys(DIRECTIVES).some((k) => isNear(name, k));
    if (near) {
      throw new SpecError(at(line, nameCol), `unknown directive '${name}'${didYouMean(name, Object.keys(DIRECTIVES))}; ` +
        `write free-form comments as ';; text'`);
    }
    return { kind: "comment", line };
  }
  const argsCol = nameCol + name.length;
  const args = tokenize(m[3]!, argsCol, (col) => at(line, col));
  const dname = name as DirectiveName;
  const arity = DIRECTIVES[dname];
  if (arity === "none" && args.length > 0) {
    throw new SpecError(at(line, args[0]!.col), `'; ${name}:' takes no word before the ':'`);
  }
  if (arity === "required" && args.length !== 1) {
    throw new SpecError(at(line, nameCol), `'; ${name} <name>: ...' needs exactly one name before the ':'`);
  }
  if (dname === "run" && args.length > 1) {
    throw new SpecError(at(line, args[1]!.col), "a run case name is one word: '; run <name>: ...'");
  }
  const valueCol = m[0].length - m[4]!.length + 1;
  return { kind: "directive", line, d: { name: dname, line, nameCol, args, value: m[4]!, valueCol } };
}

/** Words of a list value ("a, b c") with their columns. */
export function listWords(value: string, valueCol: number): Token[] {
  const out: Token[] = [];
  const re = /[^\s,]+/g;
  for (let m = re.exec(value); m; m = re.exec(value)) out.push({ text: m[0], col: valueCol + m.index });
  return out;
}
