/**
 * @fileoverview BPF exceptions end to end, judged twice (runtime/judge.ts): the JIT's boundary and callback frames
 * on the emulator's kernel model (whose bpf_throw walks {fp, ra} records as arch/riscv's unwinder does, and whose
 * bpf_prog_run checks that every callee-saved register comes back) against the reference interpreter.
 *
 * - the selftests of reference §6.1 that do not need skb or freplace, with the return values the kernel's
 *   prog_tests/exceptions.c expects (the table in test/support/exception-selftests.ts, which test/interp runs too);
 * - frames of every shape: a throw from depth 1 to 7, boundary / subprogram / callback stack depths all different
 *   (the callback's larger or smaller than the boundary's), r6-r9 live in every frame across the throw, default
 *   and custom callbacks (one that uses r6-r9 and its stack itself).
 * Expected values are computed from the programs' arithmetic in the test, not taken from a previous run.
 */
import { describe, expect, it } from "vitest";
import { assemble } from "../../compiler/bpf/asm.js";
import { verify, type Verified } from "../../compiler/passes/verify.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { mapAddress } from "../../runtime/kernel/layout.js";
import type { MapSpec } from "../../runtime/kernel/maps.js";
import { judge, type Verdict } from "../../runtime/judge.js";
import { ctx64, EXCEPTION_SELFTESTS } from "../support/exception-selftests.js";

const CONFIGS = ["rv64ima", "rv64imac", "rv64imac_zba_zbb"];

function verified(src: string, maps: MapSpec[] = []): Verified {
  return verify(assemble(src, "exceptions.bpf", { maps: maps.map((m) => m.name) }), { entry: "kernel", maps, mapAddress });
}

/** Judges the run of programs[0] (others: tail-call targets) and checks agreement. */
function agreed(config: string, programs: Verified[], ctx?: bigint, maps: MapSpec[] = []): Verdict {
  const v = judge(programs, { ...(ctx !== undefined && { ctx: ctx64(ctx) }), maps }, { isa: parseIsa(config) });
  expect(v.problems, v.divergence?.detail).toEqual([]);
  return v;
}

/** main -> f1 -> ... -> f<depth>, which throws; stack depths all different, r6-r9 live in every frame. */
function chain(depth: number, boundaryStack: number, cbStack: number | undefined): { src: string; expect: (x: bigint) => bigint } {
  const lines: string[] = [];
  if (cbStack !== undefined) lines.push(".exception_callback on_throw", ".func on_throw global args=1");
  lines.push("r6 = 1", "r7 = 2", "r8 = 3", "r9 = 4");
  if (boundaryStack > 0) lines.push(`*(u64 *)(r10 - ${boundaryStack}) = r6`);
  lines.push("r1 = *(u64 *)(r1 + 0)", "call f1", "r0 += r6", "r0 += r9", "exit");
  for (let k = 1; k <= depth; k++) {
    lines.push(`f${k}:`, `r6 = ${10 * k}`, `r7 = r1`, `r8 = ${k}`, `r9 = r7`, `*(u64 *)(r10 - ${8 * k}) = r1`);
    if (k < depth) lines.push(`r1 += ${k}`, `call f${k + 1}`, "r0 += r6", "r0 += r8", "exit");
    else lines.push(`r1 += ${1000 * k}`, "call bpf_throw", "r0 = 0", "exit");
  }
  if (cbStack !== undefined) {
    // on_throw(c) = c + 3c, through its own stack when it has one; it clobbers r6-r9 itself
    lines.push("on_throw:", ...(cbStack > 0 ? [`*(u64 *)(r10 - ${cbStack}) = r1`] : []), "r6 = r1", "r6 *= 3", "r7 = 7", "r8 = 8", "r9 = 9");
    lines.push(cbStack > 0 ? `r0 = *(u64 *)(r10 - ${cbStack})` : "r0 = r1", "r0 += r6", "exit");
  }
  const cookie = (x: bigint): bigint => BigInt.asUintN(64, x + BigInt((depth * (depth - 1)) / 2) + 1000n * BigInt(depth));
  return { src: `${lines.join("\n")}\n`, expect: (x) => (cbStack === undefined ? cookie(x) : BigInt.asUintN(64, 4n * cookie(x))) };
}

describe.each(CONFIGS)("BPF exceptions on %s, judged twice", (config) => {
  for (const t of EXCEPTION_SELFTESTS) {
    it(t.name, () => {
      const v = agreed(config, [verified(t.src)], t.ctx);
      expect([v.emu.kind, v.emu.r0, v.emu.thrown?.cookie]).toEqual(["return", t.r0, t.cookie]);
    });
  }

  it("a throw in a tail-called program unwinds to that program's frame and runs its callback", () => {
    const maps: MapSpec[] = [{ name: "jt", type: "prog_array", keySize: 4, valueSize: 4, maxEntries: 1, entries: [{ key: 0n, value: 1n }] }];
    const first = verified("r2 = map[jt] ll\nr3 = 0\ncall bpf_tail_call\nr0 = 1\nexit\n", maps);
    const second = verified(".exception_callback on_throw\n.func on_throw global args=1\nr1 = *(u64 *)(r1 + 0)\ncall bpf_throw\nr0 = 0\nexit\non_throw:\nr0 = r1\nr0 += 1000\nexit\n", maps);
    const v = agreed(config, [first, second], 5n, maps);
    expect([v.emu.r0, v.emu.thrown?.frames.map((f) => [f.prog, f.kind])]).toEqual([1005n, [[1, "main"]]]);
  });

  for (let depth = 1; depth <= 7; depth++) {
    for (const [boundaryStack, cbStack] of [[0, undefined], [16, 8], [256, 512], [8, 0]] as const) {
      const shape = `boundary stack ${boundaryStack}, ${cbStack === undefined ? "default callback" : `custom callback with stack ${cbStack}`}`;
      it(`throw from depth ${depth}, ${shape}`, () => {
        const { src, expect: want } = chain(depth, boundaryStack, cbStack);
        const v = verified(src);
        for (const x of [5n, -1n, 0x1_0000_0000n]) {
          const r = agreed(config, [v], x);
          expect([r.emu.kind, r.emu.r0]).toEqual(["return", want(x)]);
          // Every subprogram frame and the boundary were walked.
          expect(r.emu.thrown!.frames.map((f) => f.kind)).toEqual([...Array(depth).fill("subprog"), "main"]);
        }
      });
    }
  }
});
