/**
 * @fileoverview The bpf_conformance contract on the reference interpreter: r1 points to a copy of the test's memory
 * (NULL when it has none), r2 is its length, r10 the top of a 512-byte stack, and the one helper is number 5,
 * "unwind": it returns r1, and when r1 is 0 the whole program stops and returns 0
 * (../shared/testdata/README.md). This helper 5 is not the kernel's bpf_ktime_get_ns; it exists only here.
 */
import type { Verified } from "../../compiler/passes/verify-types.js";
import type { HelperDef } from "../kernel/helpers.js";
import { interpret } from "./interp.js";
import { CTX_ADDR } from "./layout.js";
import { HelperExit, type InterpResult } from "./types.js";

/** The conformance suite's helper 5, "unwind". */
export const UNWIND: HelperDef = {
  id: 5,
  name: "unwind",
  args: 1,
  call([r1]) {
    if (r1 === 0n) throw new HelperExit(0n);
    return r1!;
  },
};

/** The helpers a conformance program may call, for the verifier and the interpreter. */
export const CONFORMANCE_HELPERS: ReadonlyMap<number, HelperDef> = new Map([[UNWIND.id, UNWIND]]);

/** Runs a verified conformance program on `mem` (a copy is used; the result's ctxAfter holds it after the run). */
export function runConformance(v: Verified, mem: Uint8Array, budget?: number): InterpResult {
  const hasMem = mem.length > 0;
  return interpret(
    v,
    { ...(hasMem && { ctx: mem }), args: [hasMem ? CTX_ADDR : 0n, BigInt(mem.length)], ...(budget !== undefined && { budget }) },
    { helpers: CONFORMANCE_HELPERS },
  );
}
