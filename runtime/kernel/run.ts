/**
 * @fileoverview Runs JIT output the way the kernel would: bpf_prog_run (caller.ts) enters the main program, helper
 * and kfunc calls go to calls.ts, bpf_throw to throw.ts, and the run ends with the program's return, a fault, an
 * ABI violation, or the end of the budget. The result carries everything a spec may check or a golden may show.
 *
 *     const r = runJit([jitOutput], { ctx, maps, budget });
 *     r.kind === "return" ? r.r0 : r.report
 */
import { lengthOf } from "../../compiler/riscv/decode.js";
import { EXIT_BUDGET, EXIT_EBREAK, EXIT_ECALL, EXIT_FAULT, EXIT_TRAP } from "../rv64/machine.js";
import { formatFault } from "../rv64/report.js";
import { handleTrap } from "./calls.js";
import { enterProgram, returnViolations } from "./caller.js";
import { type JitImage, Kernel, type RunInput, type RunOptions, type Stop } from "./kernel.js";
import type { MapDump } from "./maps.js";
import type { WalkedFrame } from "./throw.js";

export type { JitFunctionImage, JitImage, RunInput, RunOptions } from "./kernel.js";
export type { WalkedFrame } from "./throw.js";

export interface RunResult {
  /** How the run ended. */
  kind: "return" | "fault" | "abi-violation" | "budget";
  /** a0 as the kernel reads it on return (at any other end: its value then). */
  a0: bigint;
  /** BPF R0 (a5), all 64 bits. */
  r0: bigint;
  /** Set when the program called bpf_throw: the cookie and the frames the unwinder walked. */
  thrown?: { cookie: bigint; frames: WalkedFrame[] };
  /** Instructions executed. */
  steps: number;
  /** Bytes of the kernel stack used (high-water mark). */
  stackUsed: number;
  /** Misaligned loads and stores (they work, but the kernel would have trapped and emulated each). */
  misaligned: number;
  ctxAfter?: Uint8Array;
  mapsAfter: MapDump[];
  /** bpf_trace_printk output. */
  trace: string[];
  /** Helper and kfunc calls in order, with arguments and results. */
  calls: { name: string; args: bigint[]; ret?: bigint }[];
  /** For faults, ABI violations and budget ends: what happened, where, and why. */
  report?: string;
}

function result(k: Kernel, kind: RunResult["kind"], report?: string): RunResult {
  const m = k.m;
  return {
    kind, a0: m.reg(10), r0: m.reg(15), thrown: k.thrown, steps: m.steps, stackUsed: k.stackUsed(),
    misaligned: k.mem.misaligned, ctxAfter: k.ctx?.bytes.slice(0, k.ctx.size), mapsAfter: k.maps.dump(),
    trace: k.env.trace, calls: k.calls, report,
  };
}

/** The report of a stop decided by the kernel model (not by the hart). */
function stopReport(k: Kernel, s: Extract<Stop, { kind: "fault" }>, at: bigint): string {
  const sym = k.symbolizer();
  const where = sym.symbol?.(at);
  const origin = sym.origin?.(at);
  const lines = [`fault: ${s.what}`, `  at     ${k.hex(at)}${where ? ` <${where}>` : ""}`];
  if (origin) lines.push(`  eBPF   #${origin.slot}${origin.text ? `  ${origin.text}` : ""}`);
  lines.push(`  why    ${s.why}`);
  return lines.join("\n");
}

/**
 * The kernel each program list's last run left, for the next run of the same list: a spec runs the same JIT output
 * once per run case, and building the memory (regions, their tables and backing stores) cost more than most runs.
 * A kernel is reused only when it fits the run (Kernel.fits) and starts over with Kernel.begin; a run in progress
 * holds its kernel, so a nested or concurrent run of the same programs builds its own.
 */
const idle = new WeakMap<readonly JitImage[], Kernel>();

function kernelFor(programs: readonly JitImage[], input: RunInput, opts: RunOptions): Kernel {
  const k = opts.fresh ? undefined : idle.get(programs);
  if (!k || !k.fits(input, opts)) return new Kernel(programs, input, opts);
  idle.delete(programs);
  k.begin(input, opts);
  return k;
}

/**
 * Runs `programs[0]` as bpf_prog_run would. Other programs are there for tail calls: prog-array map entries name
 * them by index. Each program must have been JIT-compiled at layout.ts programImageAddr(index), with the maps at
 * mapAddresses(input.maps).
 */
export function runJit(programs: readonly JitImage[], input: RunInput = {}, opts: RunOptions = {}): RunResult {
  if (programs.length === 0) throw new Error("runJit: no program to run");
  const k = kernelFor(programs, input, opts);
  try {
    return runOn(k);
  } finally {
    if (!opts.fresh) idle.set(programs, k);
  }
}

function runOn(k: Kernel): RunResult {
  const m = k.m;
  enterProgram(k);
  for (;;) {
    const left = k.budget - m.steps;
    if (left <= 0) return result(k, "budget", budgetReport(k));
    const from = m.pc;
    const exit = m.run(left);
    switch (exit) {
      case EXIT_TRAP: {
        // A trap is reached by a jump; the caller is at ra (helpers) — report faults there.
        const stop = handleTrap(k);
        if (!stop) continue;
        if (stop.kind === "return") {
          const bad = returnViolations(k);
          if (bad.length === 0) return result(k, "return");
          return result(k, "abi-violation", ["abi-violation: registers not restored on return to bpf_prog_run", ...bad.map((l) => `  ${l}`)].join("\n"));
        }
        return result(k, "fault", stopReport(k, stop, callSite(k) ?? from));
      }
      case EXIT_FAULT:
        return result(k, "fault", formatFault(m.fault!, m, k.symbolizer()));
      case EXIT_BUDGET:
        return result(k, "budget", budgetReport(k));
      case EXIT_ECALL:
      case EXIT_EBREAK: {
        const what = exit === EXIT_ECALL ? "ecall" : "ebreak";
        m.fault = { kind: exit === EXIT_ECALL ? "environment-call" : "breakpoint", pc: m.pc, message: `${what} in eBPF program text: the kernel would trap (${what === "ebreak" ? "BUG/breakpoint" : "no system calls from kernel mode"})` };
        return result(k, "fault", formatFault(m.fault, m, k.symbolizer()));
      }
      default:
        throw new Error(`runJit: unexpected exit ${exit}`);
    }
  }
}

/** The call instruction that reached a trap: the one before ra, when ra points into program text. */
function callSite(k: Kernel): bigint | undefined {
  const ra = k.m.reg(1);
  if (!k.funcAt(ra)) return undefined;
  // auipc+jalr and jal are 4-byte; c.jalr is 2: prefer the 4-byte call if the instruction there is one.
  const r = k.mem.regionAt(ra - 4n);
  if (r && lengthOf(r.view.getUint16(Number(ra - 4n - r.base), true)) === 4) return ra - 4n;
  return ra - 2n;
}

function budgetReport(k: Kernel): string {
  const sym = k.symbolizer();
  const pc = k.m.pc;
  const where = sym.symbol?.(pc);
  return `budget: ${k.budget} instructions executed without the program returning; stopped at ${k.hex(pc)}${where ? ` <${where}>` : ""}`;
}
