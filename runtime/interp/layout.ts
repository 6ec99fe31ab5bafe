/**
 * @fileoverview Where the interpreter places things. Fake kernel addresses, chosen apart from everything in
 * compiler/kernel-abi.ts (helpers and kfuncs at 0xffffffff80…, JIT images at 0xffffffff01…), so that a pointer of
 * one kind can never be mistaken for another, and with unmapped gaps between areas, so that running off the end of
 * one faults instead of landing in the next.
 *
 *   0xffff888000100000  ctx (or the conformance suite's memory)     direct-map style addresses
 *   (maps)              where runtime/kernel/layout.ts puts them (0xffffffe000000000 + i MiB), unless the input
 *                       says otherwise: the verifier writes those addresses into the program by default
 *   0xffff888002000000  prog i's `struct bpf_prog` (a token: never mapped; prog arrays hold these)
 *   0xffffc90000000000  stack: call depth d owns [top(d) - 512, top(d)), top(d) = STACK_TOP - d * STACK_STRIDE
 *   0xffffffffa0000000  "code": function f of prog p at + p * 0x100000 + f * 0x1000 (BPF_PSEUDO_FUNC values)
 */
import { MAX_BPF_STACK } from "../../compiler/kernel-abi.js";

export const CTX_ADDR = 0xffff_8880_0010_0000n;
export const PROG_OBJECT_BASE = 0xffff_8880_0200_0000n;
export const STACK_TOP = 0xffff_c900_0010_0000n;
/** Distance between the tops of consecutive frames' stacks: 512 bytes used, the rest an unmapped guard. */
export const STACK_STRIDE = 0x1000n;
export const STACK_SIZE = MAX_BPF_STACK;
export const CODE_BASE = 0xffff_ffff_a000_0000n;

/** R10 of a frame at call depth `depth` (0 = the entry program). */
export function stackTop(depth: number): bigint {
  return STACK_TOP - BigInt(depth) * STACK_STRIDE;
}

/** The token address of program `p`'s `struct bpf_prog` (what a prog array slot holds). */
export function progObject(p: number): bigint {
  return PROG_OBJECT_BASE + BigInt(p) * 0x100n;
}

/** The fake code address of function `f` of program `p`, for BPF_PSEUDO_FUNC loads. */
export function codeAddress(p: number, f: number): bigint {
  return CODE_BASE + BigInt(p) * 0x10_0000n + BigInt(f) * 0x1000n;
}
