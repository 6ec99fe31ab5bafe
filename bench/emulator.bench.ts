/**
 * @fileoverview The RV64 emulator side by side with qemu-riscv64 on the same static binary: a hot loop of ALU and
 * load/store code (add, xor, shifts, or, sd, ld, sd, add, addi, bnez), in guest instructions per second, warm, with
 * and without hot-block translation, and the ratio to QEMU. Then cold start: a fresh `node` process that imports
 * the runtime and runs about 10,000 instructions, through the kernel model (what a spec does) and through the
 * Linux runner, next to the cost of starting `node` itself.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assemble } from "../compiler/riscv/asm.js";
import { IMAGE_ADDR } from "../compiler/kernel-abi.js";
import { runElf } from "../runtime/linux-user/process.js";
import type { Report } from "./report.js";

/** The loop body: 11 instructions per iteration, after a short prologue that reads the count from argv[1]. */
const HOT_LOOP = `
.globl _start
_start:
  ld t0, 16(sp)
  li t1, 0
  li t3, 10
1: lbu t2, 0(t0)
  beqz t2, 2f
  addi t2, t2, -48
  mul t1, t1, t3
  add t1, t1, t2
  addi t0, t0, 1
  j 1b
2: mv t0, t1
  li a0, 1
  li a1, 2
  addi sp, sp, -64
loop:
  add a0, a0, a1
  xor a1, a1, a0
  slli a3, a0, 13
  srli a4, a1, 7
  or a0, a3, a4
  sd a0, 8(sp)
  ld a2, 16(sp)
  sd a1, 16(sp)
  add a1, a1, a2
  addi t0, t0, -1
  bnez t0, loop
  andi a0, a0, 0x7f
  li a7, 93
  ecall
`;
const PER_ITER = 11;

function which(cmd: string): boolean {
  try {
    execFileSync(cmd, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Seconds qemu-riscv64 takes for `iters` iterations, best of 3. */
function qemuSeconds(elf: string, iters: number): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    try {
      execFileSync("qemu-riscv64", [elf, String(iters)], { stdio: "ignore" });
    } catch {
      /* the exit status is a0 & 0x7f, not an error */
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

interface Cold {
  /** Importing the runtime (including compiler/riscv's decoder, which builds its tables at load). */
  imports: number;
  /** The run itself, in a V8 that has not seen the code before. */
  run: number;
  /** The whole child process, from spawn to exit. */
  wall: number;
}

/** Runs `script` in fresh node processes; it prints "<import ms> <run ms>" last. Best of 5 by import + run. */
function coldRun(script: string): Cold {
  let best: Cold = { imports: Infinity, run: Infinity, wall: Infinity };
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const [imports, run] = out.trim().split("\n").pop()!.split(" ").map(Number) as [number, number];
    if (imports + run < best.imports + best.run) best = { imports, run, wall };
  }
  return best;
}

/** Best wall-clock and CPU seconds of `fn` over `rounds` runs after one warm-up (CPU time is steadier on a busy machine). */
function measure(fn: () => void, rounds = 3): { wall: number; cpu: number } {
  fn();
  let wall = Infinity, cpu = Infinity;
  for (let i = 0; i < rounds; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    wall = Math.min(wall, Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  return { wall, cpu };
}

function hotLoopBench(report: Report, elfPath: string, qemu: boolean): void {
  const elf = readFileSync(elfPath);
  const iters = 10_000_000;
  let steps = 0;
  for (const blocks of [true, false]) {
    const n = blocks ? iters : iters / 5;
    const t = measure(() => {
      steps = runElf(elf, elfPath, { argv: [elfPath, String(n)], blocks }).steps;
    });
    const mips = steps / t.wall / 1e6;
    const tier = blocks ? "hot blocks translated" : "interpreter only";
    report.row(`hot loop, ${tier}`, mips, "MIPS", `${steps.toExponential(2)} instructions in ${(t.wall * 1000).toFixed(0)} ms wall, best of 3`);
    report.row(`hot loop, ${tier}, by CPU time`, steps / t.cpu / 1e6, "MIPS", "steadier when the machine is busy");
    if (blocks && qemu) {
      // QEMU's start-up is taken out by timing two loop counts and keeping the difference.
      const small = 1_000_000, large = 100_000_000;
      const dt = qemuSeconds(elfPath, large) - qemuSeconds(elfPath, small);
      const qemuMips = ((large - small) * PER_ITER) / dt / 1e6;
      report.row("hot loop, qemu-riscv64 (TCG)", qemuMips, "MIPS", "same binary, wall clock, start-up subtracted");
      report.row("ours / qemu (wall clock)", mips / qemuMips, "x");
    }
  }
}

function coldStartBench(report: Report, elfPath: string | undefined): void {
  // ~10,000 instructions through the kernel model: a 10-instruction loop body run 1,000 times.
  const code = assemble(`li t0, 1000; loop: add a5, a5, t0; xor a4, a4, a5; slli a3, a5, 3; srli a2, a4, 5; or a1, a3, a2;
    sd a1, -8(sp); ld a1, -8(sp); add a5, a5, a1; addi t0, t0, -1; bnez t0, loop; addiw a0, a5, 0; ret`, { base: IMAGE_ADDR }).bytes;
  const hex = Buffer.from(code).toString("hex");
  const runUrl = new URL("../runtime/kernel/run.js", import.meta.url).href;
  const kernel = coldRun(`const t0 = performance.now();
    const { runJit } = await import(${JSON.stringify(runUrl)});
    const t1 = performance.now();
    const r = runJit([{ funcs: [{ name: "main", addr: ${IMAGE_ADDR}n, code: Buffer.from(${JSON.stringify(hex)}, "hex") }] }]);
    if (r.kind !== "return" || r.steps < 10000) throw new Error("cold run failed: " + r.kind + " " + r.steps);
    console.log((t1 - t0) + " " + (performance.now() - t1));`);
  const bare = coldRun("console.log('0 0')");
  report.row("cold: 10k-insn kernel-model run", kernel.run, "ms", "fresh process, V8 has not seen the code; best of 5");
  report.row("cold: importing the runtime first", kernel.imports, "ms", "includes compiler/riscv decode tables");
  report.row("cold: that whole process", kernel.wall, "ms");
  report.row("cold: `node -e` doing nothing", bare.wall, "ms", "for scale");
  if (elfPath) {
    const elfUrl = new URL("../runtime/linux-user/process.js", import.meta.url).href;
    const linux = coldRun(`const t0 = performance.now();
      const { runElf } = await import(${JSON.stringify(elfUrl)});
      const { readFileSync } = await import("node:fs");
      const t1 = performance.now();
      const r = runElf(readFileSync(${JSON.stringify(elfPath)}), "hot", { argv: ["hot", "900"] });
      if (r.outcome !== "exit") throw new Error(r.report);
      console.log((t1 - t0) + " " + (performance.now() - t1));`);
    report.row("cold: ~10k-insn static ELF run", linux.run, "ms", "fresh process; best of 5");
  }
}

export default function emulatorBench(report: Report): void {
  const gcc = which("riscv64-linux-gnu-gcc");
  const qemu = which("qemu-riscv64");
  let elfPath: string | undefined;
  if (gcc) {
    const dir = mkdtempSync(join(tmpdir(), "rvjit-bench-"));
    writeFileSync(join(dir, "hot.S"), HOT_LOOP);
    elfPath = join(dir, "hot");
    execFileSync("riscv64-linux-gnu-gcc", ["-nostdlib", "-static", "-march=rv64imac", "-mabi=lp64", "-o", elfPath, join(dir, "hot.S")]);
    hotLoopBench(report, elfPath, qemu);
    if (!qemu) report.line("qemu-riscv64 is not installed: no QEMU figures (apt-get install qemu-user)");
  } else {
    report.line("riscv64-linux-gnu-gcc is not installed: the hot-loop binary cannot be built (apt-get install gcc-riscv64-linux-gnu)");
  }
  coldStartBench(report, elfPath);
}
