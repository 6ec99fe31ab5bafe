/**
 * @fileoverview eBPF assembly text -> instructions, in the syntax kernel and LLVM developers read (`r0 = 1`,
 * `if r1 s> 5 goto L`, `lock *(u64 *)(r1 + 0) += r2`), plus what specs need: functions (`.func`), the exception
 * callback (`.exception_callback`), maps by name (`map[name]`), helpers and kfuncs by name. docs/bpf-asm.md is the
 * reference; print.ts writes exactly what this assembler reads (both use print.ts's syntax tables). Errors are
 * AsmError at file:line:col, saying what was expected.
 *
 * This file is the public entry; the assembler is in asm/, in reading order:
 *
 *   asm/assemble.ts     the driver: each line -> labels, then a directive or a statement; then the fixups
 *   asm/lexer.ts        source positions, AsmError, one line -> tokens
 *   asm/state.ts        what is carried across lines, and the cursor over one line's tokens
 *   asm/labels.ts       label definitions, and the resolution of references to them (fixups)
 *   asm/directives.ts   .func, .exception_callback, and the function table
 *   asm/statements.ts   exit, goto, if, call, callx, tail_call, stores, .8byte
 *   asm/assignments.ts  statements that start with a register: rD OP= ..., rD = ...
 *   asm/atomics.ts      lock, store_release, and the value-returning atomics
 *   asm/operands.ts     registers, immediates, (rN + off), (u32 *), jump targets
 *   asm/program.ts      AsmProgram, FuncDecl, AsmOptions
 *
 * objdump-reader.ts reads llvm-objdump's text back through the assembler.
 */
export { assemble } from "./asm/assemble.js";
export { AsmError, asmError, type SourcePos } from "./asm/lexer.js";
export type { AsmOptions, AsmProgram, FuncDecl } from "./asm/program.js";
export { parseObjdump, type ObjdumpProgram } from "./objdump-reader.js";
