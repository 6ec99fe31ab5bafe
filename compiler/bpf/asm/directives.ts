/**
 * @fileoverview Directives and the function table: `.func name [global|static] [args=N] [ret=scalar|void|ptr]`,
 * `.exception_callback name`, and the FuncDecl list built from them, from slot 0 and from every call target.
 */
import { asmError, found } from "./lexer.js";
import { isRegTok } from "./operands.js";
import type { FuncDecl } from "./program.js";
import type { AsmState, Line } from "./state.js";

const FUNC_RET = ["scalar", "void", "ptr"] as const;

/** `.func name [global|static] [args=N] [ret=scalar|void|ptr]`, `.exception_callback name` */
export function directive(l: Line): void {
  const t = l.next()!;
  if (t.text === ".exception_callback") {
    const n = l.next();
    if (n?.kind !== "id") throw l.error(n, `expected the callback's function name, found ${found(n)}`);
    if (l.st.exceptionCallback !== undefined) throw l.error(t, "multiple exception callback tags for main subprog");
    l.st.exceptionCallback = n.text;
    return l.end();
  }
  if (t.text !== ".func") throw l.error(t, `unknown directive '${t.text}' (expected .func, .exception_callback or .8byte)`);
  const n = l.next();
  if (n?.kind !== "id" || isRegTok(n)) throw l.error(n, `expected a function name after .func, found ${found(n)}`);
  let linkage: FuncDecl["linkage"] | undefined;
  let args: number | undefined;
  let ret: FuncDecl["ret"] | undefined;
  while (!l.atEnd()) {
    const a = l.next()!;
    if (a.text === "global" || a.text === "static") linkage = a.text;
    else if (a.text === "args" || a.text === "ret") {
      l.expect("=", ` after '${a.text}'`);
      const v = l.next();
      if (a.text === "args") {
        if (v?.kind !== "num" || !/^[0-5]$/.test(v.text)) throw l.error(v, `expected the number of arguments (0..5), found ${found(v)}`);
        args = Number(v.text);
      } else {
        ret = FUNC_RET.find((r) => r === v?.text);
        if (!ret) throw l.error(v, `expected ret=scalar, ret=void or ret=ptr, found ${found(v)}`);
      }
    } else throw l.error(a, `expected global, static, args=N or ret=scalar|void|ptr, found ${found(a)}`);
  }
  const decl = { name: n.text, ...(linkage && { linkage }), ...(args !== undefined && { args }), ...(ret && { ret }) };
  l.st.funcDirectives.push({ decl, at: n, line: l.no, lineText: l.text });
}

/** The function table: slot 0, call/func[] targets and `.func` declarations, each named and sorted by start. */
export function buildFuncs(st: AsmState, callTargets: Map<number, string | undefined>): FuncDecl[] {
  const bySlot = new Map<number, FuncDecl>();
  for (const fd of st.funcDirectives) {
    const start = st.labels.get(fd.decl.name);
    const err = (msg: string) => asmError(st.file, fd.line, fd.at.col, fd.lineText, msg);
    if (start === undefined) throw err(`'.func ${fd.decl.name}' names no label: define '${fd.decl.name}:' at the function's first instruction`);
    const other = bySlot.get(start);
    if (other) throw err(other.name === fd.decl.name ? `'.func ${fd.decl.name}' is declared twice` : `functions '${other.name}' and '${fd.decl.name}' start at the same slot ${start}`);
    const { name, args, ret } = fd.decl;
    const linkage = fd.decl.linkage ?? (start === 0 ? "global" : "static");
    bySlot.set(start, { name, start, linkage, ...(args !== undefined && { args }), ...(ret && { ret }) });
  }
  const firstLabel = (slot: number) => st.defs.find((d) => d.slot === slot && st.labels.get(d.name) === slot)?.name;
  if (!bySlot.has(0)) bySlot.set(0, { name: firstLabel(0) ?? "main", start: 0, linkage: "global" });
  for (const [slot, used] of callTargets) {
    if (!bySlot.has(slot)) bySlot.set(slot, { name: firstLabel(slot) ?? used ?? `func${slot}`, start: slot, linkage: "static" });
  }
  // The exception callback is a function even when nothing calls it (the kernel adds it as a subprogram).
  const cb = st.exceptionCallback === undefined ? undefined : st.labels.get(st.exceptionCallback);
  if (cb !== undefined && !bySlot.has(cb)) bySlot.set(cb, { name: st.exceptionCallback!, start: cb, linkage: "static" });
  return [...bySlot.values()].sort((a, b) => a.start - b.start);
}
