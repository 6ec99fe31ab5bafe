/**
 * @fileoverview Verifier: the declared exception callback (the spec's `.exception_callback name`, the kernel's
 * `exception_callback:<name>` BTF decl tag on the main function). As bpf_find_exception_callback_insn_off and
 * btf_prepare_func_args require, it must be one function, found by name, with global linkage, not the main
 * function, taking exactly one scalar and returning a scalar. The hidden default callback, for programs that throw
 * without declaring one, is appended by the rewrites (verify-rewrite.ts).
 */
import type { FuncDecl } from "../bpf/asm.js";
import { VerifierError } from "./verify-types.js";

/** The declared exception callback's start and name, or undefined when none is declared. */
export function declaredExceptionCb(p: {
  readonly funcs?: readonly FuncDecl[];
  readonly exceptionCallback?: string | readonly string[];
}): { start: number; name: string } | undefined {
  const tags = p.exceptionCallback === undefined ? [] : typeof p.exceptionCallback === "string" ? [p.exceptionCallback] : [...p.exceptionCallback];
  if (tags.length === 0) return undefined;
  if (tags.length > 1) throw new VerifierError(-1, "multiple exception callback tags for main subprog");
  const name = tags[0]!;
  const decl = p.funcs?.find((f) => f.name === name);
  if (!decl) throw new VerifierError(-1, `exception callback '${name}' could not be found in BTF`);
  const at = decl.start;
  if (decl.linkage !== "global") throw new VerifierError(at, `exception callback '${name}' must have global linkage`);
  if (at === 0) throw new VerifierError(at, "invalid exception callback insn_off in func_info: 0");
  if (decl.args !== 1) throw new VerifierError(at, "exception cb only supports single integer argument");
  if (decl.ret === "ptr") throw new VerifierError(at, `Global function ${name}() doesn't return scalar. Only those are supported.`);
  if (decl.ret === "void") throw new VerifierError(at, "exception cb cannot return void");
  return { start: at, name };
}
