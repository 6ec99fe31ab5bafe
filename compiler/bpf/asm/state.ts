/**
 * @fileoverview What the eBPF assembler carries from line to line (AsmState: slots, labels, label references still
 * to resolve, `.func` directives, kfuncs called) and the cursor over one line's tokens (Line) that every statement
 * parser reads from.
 */
import { kfuncId } from "../helper-names.js";
import type { Insn } from "../insn.js";
import { asmError, found, withoutComment, type AsmError, type SourcePos, type Tok } from "./lexer.js";
import type { AsmOptions, FuncDecl } from "./program.js";

/** A label reference, resolved once every label is known (labels.ts). */
export interface Fixup {
  readonly slot: number;
  /** Which field receives `target - slot - 1`: off (16 bits) or imm (32 bits). */
  readonly field: "off" | "imm";
  readonly label: string;
  /** For numeric labels: resolve to the next (`f`) or previous (`b`) definition relative to `order`. */
  readonly dir?: "f" | "b";
  readonly order: number;
  readonly at: Tok;
  readonly line: number;
  readonly lineText: string;
  /** A bpf-to-bpf call or func[]: the target starts a function. */
  readonly isFunc: boolean;
}

export interface FuncDirective {
  /** Without a linkage when the directive gave none (the main function defaults to global, others to static). */
  readonly decl: Omit<FuncDecl, "start" | "linkage"> & { linkage?: FuncDecl["linkage"] };
  readonly at: Tok;
  readonly line: number;
  readonly lineText: string;
}

export interface AsmState {
  readonly file: string;
  readonly opts: AsmOptions;
  readonly insns: Insn[];
  readonly lines: SourcePos[];
  readonly labels: Map<string, number>;
  /** Label definitions in order (named and numeric), for numeric references and function naming. */
  readonly defs: Array<{ name: string; slot: number; order: number }>;
  readonly fixups: Fixup[];
  readonly funcDirectives: FuncDirective[];
  readonly kfuncs: Map<number, string>;
  exceptionCallback?: string;
  /** The number of lines read so far: orders label definitions against numeric references. */
  order: number;
}

export function newState(file: string, opts: AsmOptions): AsmState {
  return { file, opts, insns: [], lines: [], labels: new Map(), defs: [], fixups: [], funcDirectives: [], kfuncs: new Map(), order: 0 };
}

/** The kfunc id of `name`: the caller's kfuncs first, then the ones rvjit models. */
export function kfuncIdOf(st: AsmState, name: string): number | undefined {
  return st.opts.kfuncs?.get(name) ?? kfuncId(name);
}

/** A cursor over one line's tokens. */
export class Line {
  private i = 0;
  constructor(
    readonly st: AsmState,
    readonly no: number,
    readonly text: string,
    readonly toks: Tok[],
  ) {}

  peek(k = 0): Tok | undefined {
    return this.toks[this.i + k];
  }
  next(): Tok | undefined {
    return this.toks[this.i++];
  }
  atEnd(): boolean {
    return this.i >= this.toks.length;
  }
  /** Consumes `text` if it is next. */
  accept(text: string): boolean {
    if (this.peek()?.text !== text) return false;
    this.i++;
    return true;
  }
  expect(text: string, context = ""): Tok {
    const t = this.next();
    if (t?.text !== text) throw this.error(t, `expected '${text}'${context}, found ${found(t)}`);
    return t;
  }
  /** An error at `t`, or just after the statement when `t` is missing (the line ended early). */
  error(t: Tok | undefined, msg: string): AsmError {
    return asmError(this.st.file, this.no, t?.col ?? withoutComment(this.text).trimEnd().length + 1, this.text, msg);
  }
  end(): void {
    const t = this.peek();
    if (t) throw this.error(t, `expected end of statement, found ${found(t)}`);
  }
}
