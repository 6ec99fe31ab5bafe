/**
 * @fileoverview The judge's rule for helpers the JIT inlines (runtime/judge.ts jitVisibleCalls, reference §4.10):
 * the interpreter records bpf_get_smp_processor_id, the JIT's run cannot (the call became a load through tp), so the
 * judge leaves it out of the comparison of call records, and only it: every other difference in the calls still
 * counts. Also: both engines see the run's cpu.
 */
import { describe, expect, it } from "vitest";
import { assemble } from "../../compiler/bpf/asm.js";
import { verify } from "../../compiler/passes/verify.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import type { InterpResult } from "../../runtime/interp/types.js";
import { compareRuns, judge, jitVisibleCalls } from "../../runtime/judge.js";
import type { RunResult } from "../../runtime/kernel/run.js";

const isa = parseIsa("rv64imac_zba_zbb");
const names = (calls: readonly { name: string }[]) => calls.map((c) => c.name);

describe("inlined helpers in the judge", () => {
  const v = verify(assemble(`
    call bpf_ktime_get_ns
    call bpf_get_smp_processor_id
    r6 = r0
    call bpf_get_prandom_u32
    r0 = r6
    r0 += 40
    exit`, "inlined.bpf"));

  it("the JIT's run has no record of bpf_get_smp_processor_id, the interpreter's has; the judge agrees", () => {
    const verdict = judge([v], { cpu: 2 }, { isa });
    expect(names(verdict.emu.calls)).toEqual(["bpf_ktime_get_ns", "bpf_get_prandom_u32"]);
    expect(names(verdict.ref.calls)).toEqual(["bpf_ktime_get_ns", "bpf_get_smp_processor_id", "bpf_get_prandom_u32"]);
    expect(verdict.problems).toEqual([]);
    expect([verdict.emu.r0, verdict.ref.r0]).toEqual([42n, 42n]);
  });

  const run = (calls: InterpResult["calls"]) => ({ kind: "return", r0: 0n, a0: 0n, steps: 1, stackUsed: 0, misaligned: 0, mapsAfter: [], trace: [], calls }) as RunResult;
  const ref = (calls: InterpResult["calls"]): InterpResult => ({ kind: "return", r0: 0n, steps: 1, stackUsed: 0, trace: [], calls });
  const ktime = { name: "bpf_ktime_get_ns", args: [], ret: 1000n };
  const smp = { name: "bpf_get_smp_processor_id", args: [], ret: 0n };

  it("leaves out only the inlined helper: any other missing or extra call is a disagreement", () => {
    expect(jitVisibleCalls([smp, ktime, smp])).toEqual([ktime]);
    expect(compareRuns(run([ktime]), ref([smp, ktime]))).toEqual([]);
    expect(compareRuns(run([]), ref([smp, ktime]))).toEqual(["call #1: JIT (none), interpreter bpf_ktime_get_ns() = 0x3e8"]);
    expect(compareRuns(run([smp, ktime]), ref([smp, ktime]))).toEqual([
      "call #1: JIT bpf_get_smp_processor_id() = 0x0, interpreter bpf_ktime_get_ns() = 0x3e8",
    ]);
  });
});
