/**
 * @fileoverview The reference interpreter's throughput, in eBPF instructions per second, warm, on three loops run
 * side by side: plain ALU work, stack loads and stores with an atomic, and a bpf-to-bpf call per iteration (frame
 * push and pop). The loop count comes from ctx, so the programs run unverified (as lib/test_bpf.c runs its tests):
 * the verifier would walk every iteration. Then the whole bpf_conformance suite end to end (read, verify, run),
 * per file, when ../shared/testdata is there.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ENGINES, runSuite } from "../cli/commands/conformance.js";
import { assemble } from "../compiler/bpf/asm.js";
import { interpret } from "../runtime/interp/interp.js";
import { rawProgram } from "../runtime/interp/raw.js";
import type { Report } from "./report.js";
import { timeBest } from "./report.js";

const ITERATIONS = 20_000;

/** Each program reads the count from ctx; the loop body is `perIter` instructions. */
const LOOPS: { name: string; perIter: number; src: string }[] = [
  {
    name: "ALU loop (add, xor, shifts, or, mul, 32-bit add)",
    perIter: 10,
    src: `
      r6 = *(u64 *)(r1 + 0)
      r0 = 1
      r2 = 2
    loop:
      r0 += r2
      r2 ^= r0
      r3 = r0
      r3 <<= 13
      r2 >>= 7
      r0 |= r3
      r0 *= 3
      w2 += 5
      r6 -= 1
      if r6 != 0 goto loop
      exit`,
  },
  {
    name: "memory loop (stack stores and loads, atomic add)",
    perIter: 8,
    src: `
      r6 = *(u64 *)(r1 + 0)
      r0 = 0
      *(u64 *)(r10 - 8) = r0
    loop:
      *(u64 *)(r10 - 16) = r6
      r2 = *(u64 *)(r10 - 16)
      r0 += r2
      *(u32 *)(r10 - 24) = r0
      r3 = *(u32 *)(r10 - 24)
      lock *(u64 *)(r10 - 8) += r3
      r6 -= 1
      if r6 != 0 goto loop
      exit`,
  },
  {
    name: "call loop (a bpf-to-bpf call per iteration)",
    perIter: 7,
    src: `
      r6 = *(u64 *)(r1 + 0)
      r7 = 0
    loop:
      r1 = r6
      call f
      r7 += r0
      r6 -= 1
      if r6 != 0 goto loop
      r0 = r7
      exit
    f:
      r0 = r1
      exit`,
  },
];

export default async function bench(report: Report): Promise<void> {
  const ctx = new Uint8Array(8);
  new DataView(ctx.buffer).setBigUint64(0, BigInt(ITERATIONS), true);
  const rates: number[] = [];
  for (const loop of LOOPS) {
    const p = rawProgram(assemble(loop.src, "bench.s").insns);
    let steps = 0;
    const t = timeBest(() => void (steps = interpret(p, { ctx }).steps), { rounds: 5, warmup: 2 });
    if (steps < ITERATIONS * loop.perIter) throw new Error(`bench '${loop.name}': ran ${steps} steps, expected at least ${ITERATIONS * loop.perIter}`);
    rates.push(steps / t);
    report.row(loop.name, steps / t, "insn/s", `${steps} insns in ${(t * 1e3).toFixed(1)} ms`);
  }
  report.line(`memory loop / ALU loop: ${(rates[1]! / rates[0]!).toFixed(2)}; call loop / ALU loop: ${(rates[2]! / rates[0]!).toFixed(2)}`);
  report.line("reference: the ubpf interpreter (C) runs ~165 M insn/s; a JS switch interpreter on BigInt registers ~50-85 M");

  // bench/ (tsx) or dist/bench/ (npm run bench): the shared test data is beside the repository.
  const here = dirname(fileURLToPath(import.meta.url));
  const suite = [join(here, "..", ".."), join(here, "..", "..", "..")].map((r) => join(r, "shared", "testdata", "bpf-conformance")).find(existsSync);
  if (!suite) {
    report.line("bpf_conformance end to end: skipped (../shared/testdata is not beside the repository)");
    return;
  }
  let files = 0;
  const t = timeBest(() => void (files = runSuite([suite], { engine: ENGINES.interp!, cwd: suite }).length), { rounds: 3, warmup: 1 });
  report.row(`bpf_conformance end to end (${files} files: read, verify, run)`, (t / files) * 1e6, "us/file", `${(t * 1e3).toFixed(0)} ms in all`);
}
