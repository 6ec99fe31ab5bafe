/**
 * @fileoverview How run cases are judged (suite/behaviour.ts): each expectation (r0, ret, throw and cookie, ctx and map
 * contents) against what a run observed, failures named at the expectation's file:line:col, faults and disagreements
 * with the reference interpreter failing whatever the values, and the verifier's verdict against '; reject:'.
 */
import { describe, expect, it } from "vitest";
import { judge, judgeRun } from "../../suite/behaviour.js";
import type { Observed } from "../../suite/engine.js";
import { parseSpec } from "../../suite/spec/parse.js";

const spec = parseSpec(
  [
    "; behaviour judging",
    "; map counts: array value=8 max=4",
    "; run: => r0=3 ret=3",
    "; run t: => throw=42 r0=43",
    "; run mem: ctx=[00*8] => ctx[4]:u32=7 counts[1]=9 counts[2]=none",
    "exit",
  ].join("\n"),
  "specs/b.bpf",
);
const ret = (r0: bigint, extra: Partial<Observed> = {}): Observed => ({ outcome: "return", r0, ret: BigInt.asUintN(64, BigInt.asIntN(32, r0)), steps: 1, stackUsed: 0, ...extra });

describe("judging run cases", () => {
  it("passes when every expectation holds", () => {
    expect(judgeRun(spec.runs[0]!, ret(3n))).toEqual([]);
    expect(judgeRun(spec.runs[1]!, { ...ret(43n), outcome: "throw", cookie: 42n })).toEqual([]);
  });

  it("names the expectation's position, what was expected and what happened", () => {
    expect(judgeRun(spec.runs[0]!, ret(0x1_0000_0003n))).toEqual([
      "specs/b.bpf:3:11: run 1: r0 is 0x100000003, expected 3",
    ]);
    expect(judgeRun(spec.runs[0]!, ret(4n))).toEqual([
      "specs/b.bpf:3:11: run 1: r0 is 4, expected 3",
      "specs/b.bpf:3:16: run 1: the caller got 4, expected 3",
    ]);
  });

  it("fails a missing throw, a wrong cookie, and an unexpected throw", () => {
    expect(judgeRun(spec.runs[1]!, ret(43n))).toEqual(["specs/b.bpf:4:13: run 2 (t): expected a throw of 42, but the program did not throw"]);
    expect(judgeRun(spec.runs[1]!, { ...ret(43n), outcome: "throw", cookie: 41n })).toEqual(["specs/b.bpf:4:13: run 2 (t): threw 41, expected 42"]);
    expect(judgeRun(spec.runs[0]!, { ...ret(3n), outcome: "throw", cookie: 9n })).toEqual([
      "specs/b.bpf:3:3: run 1: the program threw 9, but no throw is expected (add throw=9)",
    ]);
  });

  it("checks memory and maps after the run", () => {
    const ctxAfter = new Uint8Array([0, 0, 0, 0, 7, 0, 0, 0]);
    const maps = new Map([["counts", [{ key: new Uint8Array([1, 0, 0, 0]), value: new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0]) }]]]);
    expect(judgeRun(spec.runs[2]!, ret(0n, { ctxAfter, maps }))).toEqual([]);
    const wrong = new Map([["counts", [{ key: new Uint8Array([2, 0, 0, 0]), value: new Uint8Array(8) }]]]);
    expect(judgeRun(spec.runs[2]!, ret(0n, { ctxAfter: new Uint8Array(8), maps: wrong }))).toEqual([
      "specs/b.bpf:5:26: run 3 (mem): ctx[4] is [00000000], expected [07000000]",
      "specs/b.bpf:5:39: run 3 (mem): counts[01000000] is absent, expected [0900000000000000]",
      "specs/b.bpf:5:51: run 3 (mem): counts[02000000] is [0000000000000000], expected it absent",
    ]);
  });

  it("fails faults and disagreements with the reference interpreter whatever the values", () => {
    expect(judgeRun(spec.runs[0]!, ret(3n, { outcome: "fault", report: "load from 0x0" }))).toEqual(["specs/b.bpf:3:3: run 1: the program faulted: load from 0x0"]);
    expect(judgeRun(spec.runs[0]!, ret(3n, { mismatch: "interpreter r0=4" }))).toEqual([
      "specs/b.bpf:3:3: run 1: the JIT and the reference interpreter disagree: interpreter r0=4",
    ]);
  });

  it("judges the verifier's verdict against '; reject:'", () => {
    const rej = parseSpec("; must be rejected\n; reject: invalid read\nexit\n", "specs/r.bpf");
    const compiled = { kind: "compiled" as const, summary: { rvInsns: 1, bytes: 4, bpfInsns: 1 }, listing: "x", passes: [], runs: [] };
    expect(judge(rej, { kind: "rejected", message: "R1 invalid read from stack" })).toEqual([]);
    expect(judge(rej, { kind: "rejected", message: "R1 !read_ok" })[0]).toMatch(/^specs\/r\.bpf:2:11: the verifier rejected the program, but with 'R1 !read_ok'/);
    expect(judge(rej, compiled)).toEqual(["specs/r.bpf:2:11: expected the verifier to reject the program ('invalid read'), but it accepted it"]);
    expect(judge(spec, { kind: "rejected", message: "bad", at: { file: "specs/b.bpf", line: 6, col: 1 } })).toEqual(["specs/b.bpf:6:1: the verifier rejected the program: bad"]);
  });
});
