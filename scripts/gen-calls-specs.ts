/**
 * @fileoverview Generates the call-depth families: specs/calls/call-depth-N (bpf-to-bpf calls N deep, N = 1..7,
 * so up to the 8 frames the verifier allows), the 9-frame refusal, and specs/exceptions/throw-depth-N (bpf_throw
 * from N calls deep, N = 0..7, unwinding every frame to the boundary). Every function keeps values in r6 and on its
 * BPF stack across its call, so a frame that a call or the unwinder corrupts changes the result. Expected values
 * are the functions' arithmetic, evaluated below in BigInt.
 */
import { ctxRun, type GenSpec, u64, val } from "./gen-lib.js";

const SOURCE = "the functions' arithmetic evaluated in scripts/gen-calls-specs.ts";
const INPUTS: readonly bigint[] = [5n, 0x1_0000_0000n, u64(-1n)];

/**
 * Function k of n (k = 1..n) called with x: the leaf returns 3x + n, or throws x + 1000 n; the others return
 * 2 f_{k+1}(x + 1) + x + k, with x kept on the stack and k in r6 across the call.
 */
function chainValue(k: number, n: number, x: bigint): bigint {
  if (k === n) return u64(3n * x + BigInt(n));
  return u64(2n * chainValue(k + 1, n, u64(x + 1n)) + x + BigInt(k));
}

function chainBody(n: number, leaf: readonly string[]): string[] {
  const body = ["r6 = 100", "r1 = *(u64 *)(r1 + 0)", "call f1", "r0 += r6", "exit"];
  for (let k = 1; k < n; k++) {
    body.push("", `f${k}:`, "*(u64 *)(r10 - 8) = r1", `r6 = ${k}`, "r1 += 1", `call f${k + 1}`, "r0 *= 2", "r1 = *(u64 *)(r10 - 8)", "r0 += r1", "r0 += r6", "exit");
  }
  body.push("", `f${n}:`, ...leaf);
  return body;
}

function callDepthSpec(n: number): GenSpec {
  return {
    path: `calls/call-depth-${n}.bpf`,
    desc: `bpf-to-bpf calls ${n} deep (${n + 1} frames${n === 7 ? ", the most the verifier allows" : ""}): r6 and the stack of every frame survive the calls below it`,
    source: SOURCE,
    runs: INPUTS.flatMap((x) => ctxRun(["x"], [x], `r0=${val(u64(chainValue(1, n, x) + 100n))}`)),
    body: chainBody(n, ["*(u64 *)(r10 - 8) = r1", "r0 = r1", "r0 *= 3", `r0 += ${n}`, "exit"]),
  };
}

function throwDepthSpec(n: number): GenSpec {
  // The leaf throws x + 1000 n (x is the leaf's argument: the input plus n - 1).
  const cookie = (x: bigint): bigint => u64((n === 0 ? x : x + BigInt(n - 1)) + 1000n * BigInt(n));
  const leaf = ["r6 = r1", `r6 += ${1000 * n}`, "*(u64 *)(r10 - 16) = r6", "r1 = r6", "call bpf_throw", "r0 = 0", "exit"];
  const body = n === 0 ? ["r6 = 100", "r1 = *(u64 *)(r1 + 0)", "*(u64 *)(r10 - 8) = r1", "call bpf_throw", "r0 = r6", "exit"] : chainBody(n, leaf);
  return {
    path: `exceptions/throw-depth-${n}.bpf`,
    desc: n === 0
      ? "bpf_throw in the main program itself (depth 0): the default callback returns the cookie"
      : `bpf_throw ${n} call${n > 1 ? "s" : ""} deep: every frame is unwound to the boundary, the default callback returns the cookie`,
    source: `${SOURCE} (the cookie is the leaf's argument + 1000 x depth)`,
    runs: INPUTS.flatMap((x) => ctxRun(["x"], [x], `throw=${val(cookie(x))} r0=${val(cookie(x))}${BigInt.asIntN(32, cookie(x)) !== BigInt.asIntN(64, cookie(x)) ? ` ret=${val(u64(BigInt.asIntN(32, cookie(x))))}` : ""}`)),
    body,
  };
}

export function callSpecs(): GenSpec[] {
  const out: GenSpec[] = [];
  for (let n = 1; n <= 7; n++) out.push(callDepthSpec(n));
  const deep = chainBody(8, ["r0 = r1", "exit"]);
  out.push({
    path: "calls/reject-call-depth-8.bpf",
    desc: "bpf-to-bpf calls 8 deep are 9 frames, one more than MAX_CALL_FRAMES: the verifier refuses",
    source: "the kernel verifier's message (check_max_stack_depth)",
    directives: ["reject: the call stack of 9 frames is too deep"],
    runs: [],
    body: deep,
  });
  for (let n = 0; n <= 7; n++) out.push(throwDepthSpec(n));
  return out;
}
