/**
 * @fileoverview Verifier, part 8: the call graph, after every path has been walked (the kernel's
 * check_max_stack_depth). From each root (the main function and the exception callback, which nothing may call),
 * every chain of bpf-to-bpf calls is followed:
 *   - at most MAX_CALL_FRAMES functions deep ("the call stack of 8 frames is too deep !"), which also refuses
 *     recursion that the path walk did not already stop;
 *   - at most MAX_BPF_STACK bytes of stack along the chain, each function's depth rounded up to 16 as for a JITed
 *     program ("combined stack size of 3 calls is 544. Too large");
 *   - no direct call of the exception callback ("insn 5 cannot call exception cb directly");
 *   - no bpf_throw in the exception callback or anything it calls ("bpf_throw kfunc (insn 9) cannot be called from
 *     callback subprog 2").
 */
import { BPF_CALL, BPF_JMP, BPF_PSEUDO_KFUNC_CALL } from "../bpf/opcodes.js";
import { MAX_BPF_STACK, MAX_CALL_FRAMES } from "../kernel-abi.js";
import { isPseudoCall } from "./verify-cfg.js";
import { type CheckEnv, fail } from "./verify-env.js";

const roundUp16 = (n: number): number => (n + 15) & ~15;

/** Checks every call chain from the roots. `throwId` is bpf_throw's kfunc id, if the program can name it. */
export function checkCallGraph(env: CheckEnv, throwId: number | undefined): void {
  const roots = [0, ...env.funcs.flatMap((f, k) => (f.isExceptionCb && k > 0 ? [k] : []))];
  for (const root of roots) visit(env, throwId, root, 0, 0, [], env.funcs[root]!.isExceptionCb);
}

function visit(env: CheckEnv, throwId: number | undefined, fi: number, frame: number, depthIn: number, chain: number[], inCallback: boolean): void {
  const f = env.funcs[fi]!;
  const depth = depthIn + roundUp16(env.stackDepth[fi]!);
  if (depth > MAX_BPF_STACK) fail(chain.at(-1) ?? f.start, `combined stack size of ${frame + 1} calls is ${depth}. Too large`);
  for (let i = f.start; i < f.end; i++) {
    const x = env.insns[i]!;
    if (x.code === (BPF_JMP | BPF_CALL) && x.src === BPF_PSEUDO_KFUNC_CALL && x.imm === throwId && inCallback) {
      fail(i, `bpf_throw kfunc (insn ${i}) cannot be called from callback subprog ${fi}`);
    }
    if (!isPseudoCall(x)) continue;
    const callee = env.funcAt.get(i + 1 + x.imm)!;
    if (env.funcs[callee]!.isExceptionCb) fail(i, `insn ${i} cannot call exception cb directly`);
    if (frame + 1 >= MAX_CALL_FRAMES) fail(i, `the call stack of ${frame + 1} frames is too deep !`);
    visit(env, throwId, callee, frame + 1, depth, [...chain, i], inCallback);
  }
}
