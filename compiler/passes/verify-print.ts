/**
 * @fileoverview The xlated program as text: what `bpftool prog dump xlated` shows for a loaded program, in our
 * assembly syntax (compiler/bpf/print.ts, reading r11 = AX and `tail_call`), so it assembles back with
 * `assemble(text, file, { xlated: true })`. Each function starts with a `.func` line; a comment on its first
 * instruction gives its stack depth and flags; with `origin`, every instruction says which source slot it came from.
 */
import type { AsmProgram, FuncDecl } from "../bpf/asm.js";
import { printProgram } from "../bpf/print.js";
import type { Subprog, Verified } from "./verify-types.js";

export interface XlatedListingOptions {
  /** Annotate every instruction with its source slot (`src 7`) or `inserted`. */
  origin?: boolean;
  /** Map names by fd, for the listing of a program before its map loads were resolved. */
  maps?: readonly string[];
}

/** The name a function is listed under. */
export function subprogName(s: Subprog, k: number): string {
  return s.name ?? (s.hidden ? "hidden_exception_cb" : k === 0 ? "main" : `func${s.start}`);
}

function flags(s: Subprog): string {
  const f = [
    `stack ${s.stackDepth}`, s.isExceptionBoundary && "exception boundary", s.isExceptionCb && "exception callback",
    s.hidden && "hidden", s.hasCalls && "calls", s.hasTailCalls && "tail calls",
  ];
  return f.filter(Boolean).join(", ");
}

/** The xlated program as an assembly listing. */
export function printVerified(v: Verified, opts: XlatedListingOptions = {}): string {
  const funcs: FuncDecl[] = v.subprogs.map((s, k): FuncDecl => s.isExceptionCb
    ? { name: subprogName(s, k), start: s.start, linkage: "global", args: 1, ret: "scalar" }
    : { name: subprogName(s, k), start: s.start, linkage: k === 0 ? "global" : "static" });
  const cb = v.exceptionCb !== undefined ? funcs[v.exceptionCb]!.name : undefined;
  const p: AsmProgram = {
    insns: v.insns, funcs, labels: new Map(), lines: [], kfuncs: new Map(v.kfuncs), maps: opts.maps ?? [],
    ...(cb !== undefined && { exceptionCallback: cb }),
  };
  const firstOf = new Map(v.subprogs.map((s) => [s.start, s]));
  return printProgram(p, {
    xlated: true,
    kfuncs: v.kfuncs,
    annotate: (slot) => {
      const notes: string[] = [];
      const s = firstOf.get(slot);
      if (s) notes.push(flags(s));
      if (opts.origin) notes.push(v.origin[slot]! < 0 ? "inserted" : `src ${v.origin[slot]}`);
      return notes.length ? notes.join("; ") : undefined;
    },
  });
}
