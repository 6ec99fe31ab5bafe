/**
 * @fileoverview The eBPF assembler's driver, in two passes: each line is lexed, its labels defined and its statement
 * or directive parsed into slots, with label references recorded as fixups; then the fixups are resolved and the
 * function table is built.
 */
import { buildFuncs, directive } from "./directives.js";
import { labelDefs, resolveFixups } from "./labels.js";
import { asmError, lex } from "./lexer.js";
import type { AsmOptions, AsmProgram } from "./program.js";
import { Line, newState } from "./state.js";
import { statement } from "./statements.js";

/** Assembles `text`; `file` names it in errors and in `lines`. Throws AsmError. */
export function assemble(text: string, file = "<asm>", opts: AsmOptions = {}): AsmProgram {
  const st = newState(file, opts);
  text.split("\n").forEach((raw, k) => {
    const lineText = raw.replace(/\r$/, "");
    const l = new Line(st, k + 1, lineText, lex(lineText, (col, msg) => asmError(file, k + 1, col, lineText, msg)));
    st.order++;
    labelDefs(l);
    if (l.atEnd()) return;
    const head = l.peek()!;
    if (head.text.startsWith(".") && head.text !== ".8byte") return directive(l);
    const slots = statement(l);
    l.end();
    const pos = { file, line: l.no, col: head.col };
    for (const x of slots) {
      st.insns.push(x);
      st.lines.push(pos);
    }
  });
  const funcStarts = resolveFixups(st);
  return {
    insns: st.insns,
    funcs: buildFuncs(st, funcStarts),
    labels: st.labels,
    lines: st.lines,
    ...(st.exceptionCallback !== undefined && { exceptionCallback: st.exceptionCallback }),
    kfuncs: st.kfuncs,
    maps: opts.maps ?? [],
  };
}
