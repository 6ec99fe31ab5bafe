/**
 * @fileoverview Every run judged twice. A verified program is compiled by the JIT and run on the emulator's kernel
 * model, and run on the reference interpreter; the two must agree on how the run ended, on R0 (all 64 bits), on
 * the value the kernel receives (a0 = (s32)R0, sign-extended), on the thrown cookie and the frames unwound, on the
 * ctx and map contents after the run, on the helper calls made (but those the JIT inlines: see jitVisibleCalls) and
 * the trace output; and the kernel model's ABI checks (callee-saved registers restored, sp/tp/gp intact) must pass.
 *
 * When they disagree, both runs are repeated with traces, and the verdict names the first eBPF instruction where
 * they part: where control flow diverges (the emulator's trace is read through the JIT's line map: the eBPF slot
 * whose first RV instruction each step lands on), or failing that, the first helper call whose arguments or result
 * differ. The two engines share no execution code (runtime/interp vs runtime/rv64), so agreement means something.
 *
 * Also here: the JIT engine of `rvjit conformance` (runConformanceJit), whose helper 5 is the conformance suite's
 * "unwind", not the kernel's helper 5.
 */
import type { ConformanceTest } from "../compiler/bpf/conformance.js";
import { helperName } from "../compiler/bpf/helper-names.js";
import { RV64_JIT_INLINED_HELPERS } from "../compiler/bpf/helper-protos.js";
import { BPF_CALL, BPF_JMP, BPF_PSEUDO_CALL } from "../compiler/bpf/opcodes.js";
import { printInsn } from "../compiler/bpf/print.js";
import type { Verified } from "../compiler/passes/verify.js";
import { jit, type JitOptions, type JitOutput } from "../compiler/pipeline.js";
import { parseIsa, type IsaConfig } from "../compiler/riscv/isa-config.js";
import { X } from "../compiler/riscv/regs.js";
import { CONFORMANCE_HELPERS } from "./interp/conformance.js";
import { interpret } from "./interp/interp.js";
import { HelperExit, type InterpInput, type InterpOptions, type InterpResult } from "./interp/types.js";
import { clobberAfterCall, handleTrap } from "./kernel/calls.js";
import { enterProgram, returnViolations } from "./kernel/caller.js";
import { HELPERS, type HelperDef } from "./kernel/helpers.js";
import { Kernel, type RunInput } from "./kernel/kernel.js";
import { CTX_ADDR, HELPER_REGION, programImageAddr, STACK_ADDR, STACK_TOP } from "./kernel/layout.js";
import { CTX_ADDR as INTERP_CTX_ADDR, STACK_STRIDE, STACK_TOP as INTERP_STACK_TOP } from "./interp/layout.js";
import type { MapDump } from "./kernel/maps.js";
import type { RunResult } from "./kernel/run.js";
import { CALL_BASE, HELPER_STRIDE } from "../compiler/kernel-abi.js";
import { EXIT_BUDGET, EXIT_EBREAK, EXIT_ECALL, EXIT_FAULT, EXIT_TRAP } from "./rv64/machine.js";
import { formatFault } from "./rv64/report.js";

export interface JudgeOptions {
  isa: IsaConfig;
  /** Extra JIT options (zacas, loadAcqStoreRel, ...); frame pointers are on (BPF exceptions need them). */
  jit?: Partial<Omit<JitOptions, "isa" | "imageAddr">>;
  /** Helpers replacing the kernel's (by number), on both engines: the conformance suite's "unwind". */
  helpers?: ReadonlyMap<number, HelperDef>;
}

export interface Divergence {
  /** Program (index in the run's list) and program-wide eBPF slot of the instruction named. */
  prog: number;
  insn: number;
  text: string;
  detail: string;
}

export interface Verdict {
  agree: boolean;
  /** One line per disagreement or ABI violation. */
  problems: string[];
  /** The first eBPF instruction where the runs part, when it can be found. */
  divergence?: Divergence;
  emu: RunResult;
  ref: InterpResult;
  outs: JitOutput[];
}

/** Compiles each program at the kernel model's address for it (programImageAddr). */
export function compileForKernel(programs: readonly Verified[], opts: JudgeOptions): JitOutput[] {
  return programs.map((v, k) => jit(v, { framePointer: true, ...opts.jit, isa: opts.isa, imageAddr: programImageAddr(k) }));
}

/** Runs `programs[0]` on both engines and compares everything observable. */
export function judge(programs: readonly Verified[], input: RunInput, opts: JudgeOptions): Verdict {
  return judgeCompiled(programs, compileForKernel(programs, opts), input, opts);
}

/** judge() with the JIT output given: `outs[k]` must be programs[k] compiled at programImageAddr(k). */
export function judgeCompiled(programs: readonly Verified[], outs: JitOutput[], input: RunInput, opts: JudgeOptions): Verdict {
  const emu = runOnKernel(outs, input, opts).result;
  const ref = interpret(programs[0]!, interpInput(programs, input), interpOptions(opts));
  const problems = compareRuns(emu, ref);
  const verdict: Verdict = { agree: problems.length === 0, problems, emu, ref, outs };
  if (!verdict.agree) {
    const d = locate(programs, outs, input, opts, emu, ref);
    if (d) verdict.divergence = d;
  }
  return verdict;
}

/** The kernel's helpers with `opts.helpers` in place of the same numbers. */
function interpOptions(opts: JudgeOptions, trace = false): InterpOptions {
  const o: InterpOptions = trace ? { insnTrace: true } : {};
  if (opts.helpers) o.helpers = new Map([...HELPERS, ...opts.helpers]);
  return o;
}

function interpInput(programs: readonly Verified[], input: RunInput): InterpInput {
  const i: InterpInput = { programs: [...programs] };
  if (input.ctx) i.ctx = input.ctx;
  if (input.args) i.args = [...input.args];
  if (input.maps) i.maps = [...input.maps];
  if (input.budget !== undefined) i.budget = input.budget;
  if (input.seed !== undefined) i.seed = input.seed;
  if (input.cpu !== undefined) i.cpu = input.cpu;
  return i;
}

const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
const bytes = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString("hex") : "(none)");

/** Every disagreement between the emulator's run and the interpreter's, and every ABI violation. */
export function compareRuns(emu: RunResult, ref: InterpResult): string[] {
  const out: string[] = [];
  if (emu.kind === "abi-violation") out.push(emu.report ?? "abi-violation");
  const emuEnd = emu.kind === "abi-violation" ? "return" : emu.kind;
  if (emuEnd !== ref.kind) {
    out.push(`end: JIT ${emu.kind}${emu.report ? ` (${emu.report.split("\n")[0]})` : ""}, interpreter ${ref.kind}${ref.report ? ` (${ref.report.split("\n")[0]})` : ""}`);
    return out;
  }
  if (ref.kind !== "return") return out;
  if (emu.r0 !== ref.r0) out.push(`R0: JIT ${hex(emu.r0)}, interpreter ${hex(ref.r0)}`);
  const want = BigInt.asUintN(64, BigInt.asIntN(32, ref.r0));
  if (emu.a0 !== want) out.push(`returned value (a0 = (s32)R0): JIT ${hex(emu.a0)}, expected ${hex(want)}`);
  if ((emu.thrown === undefined) !== (ref.thrown === undefined)) out.push(emu.thrown ? `only the JIT's run threw (cookie ${hex(emu.thrown.cookie)})` : `only the interpreter's run threw (cookie ${hex(ref.thrown!.cookie)})`);
  else if (emu.thrown && ref.thrown) {
    if (emu.thrown.cookie !== ref.thrown.cookie) out.push(`thrown cookie: JIT ${hex(emu.thrown.cookie)}, interpreter ${hex(ref.thrown.cookie)}`);
    const ef = emu.thrown.frames.map((f) => `${f.prog}:${f.kind}`).join(" ");
    const rf = ref.thrown.frames.map((f) => `${f.prog}:${f.kind}`).join(" ");
    if (ef !== rf) out.push(`frames unwound by bpf_throw: JIT [${ef}], interpreter [${rf}]`);
  }
  if (bytes(emu.ctxAfter) !== bytes(ref.ctxAfter)) out.push(`ctx after the run: JIT ${bytes(emu.ctxAfter)}, interpreter ${bytes(ref.ctxAfter)}`);
  const maps = mapsDiffer(emu.mapsAfter, ref.mapsAfter ?? []);
  if (maps) out.push(maps);
  const call = firstCallDifference(emu.calls, jitVisibleCalls(ref.calls), emu.ctxAfter?.length ?? 0, ref.ctxAfter?.length ?? 0);
  if (call) out.push(call.text);
  if (emu.trace.join("\n") !== ref.trace.join("\n")) out.push(`trace output differs: JIT ${JSON.stringify(emu.trace)}, interpreter ${JSON.stringify(ref.trace)}`);
  return out;
}

function mapsDiffer(a: readonly MapDump[], b: readonly MapDump[]): string | undefined {
  const show = (m: readonly MapDump[]): Map<string, string> =>
    new Map(m.flatMap((d) => d.entries.map((e) => [`${d.name}[${bytes(e.key)}]`, bytes(e.value)] as [string, string])));
  const x = show(a);
  const y = show(b);
  for (const [k, v] of x) if (y.get(k) !== v) return `map ${k}: JIT ${v}, interpreter ${y.get(k) ?? "(absent)"}`;
  for (const [k, v] of y) if (!x.has(k)) return `map ${k}: JIT (absent), interpreter ${v}`;
  return undefined;
}

type Call = { name: string; args: bigint[]; ret?: bigint };

/** Names of the helpers the RV64 JIT inlines (compiler/bpf/helper-protos.ts RV64_JIT_INLINED_HELPERS). */
const INLINED = new Set([...RV64_JIT_INLINED_HELPERS].map((id) => helperName(id)));

/**
 * The interpreter's call record as the JIT's run can show it. The interpreter records every helper call, but the
 * RV64 JIT of Linux 6.12 inlines bpf_get_smp_processor_id (a load of thread_info.cpu through tp, reference §4.10),
 * so the kernel model never sees that call: it is left out here. Its result is still judged, through R0 and
 * whatever the program does with it.
 */
export function jitVisibleCalls(calls: readonly Call[]): readonly Call[] {
  return calls.some((c) => INLINED.has(c.name)) ? calls.filter((c) => !INLINED.has(c.name)) : calls;
}

/**
 * A call as text, with pointers into the stack and the ctx written symbolically: the two engines place those
 * differently (runtime/kernel/layout.ts, runtime/interp/layout.ts); everything else (maps, values) must match.
 */
function showCall(c: Call | undefined, places: Places): string {
  if (!c) return "(none)";
  const arg = (v: bigint): string => {
    if (v >= places.stack[0] && v < places.stack[1]) return "<stack>";
    if (places.ctx[1] > places.ctx[0] && v >= places.ctx[0] && v < places.ctx[1]) return `<ctx+${v - places.ctx[0]}>`;
    return hex(v);
  };
  return `${c.name}(${c.args.map(arg).join(", ")})${c.ret !== undefined ? ` = ${arg(c.ret)}` : ""}`;
}

interface Places {
  stack: [bigint, bigint];
  ctx: [bigint, bigint];
}
const EMU_PLACES = (ctxLen: number): Places => ({ stack: [STACK_ADDR, STACK_TOP], ctx: [CTX_ADDR, CTX_ADDR + BigInt(ctxLen)] });
const INTERP_PLACES = (ctxLen: number): Places => ({
  stack: [INTERP_STACK_TOP - 64n * STACK_STRIDE, INTERP_STACK_TOP],
  ctx: [INTERP_CTX_ADDR, INTERP_CTX_ADDR + BigInt(ctxLen)],
});

function firstCallDifference(a: readonly Call[], b: readonly Call[], emuCtx: number, refCtx: number): { index: number; text: string } | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = showCall(a[i], EMU_PLACES(emuCtx));
    const y = showCall(b[i], INTERP_PLACES(refCtx));
    if (x !== y) return { index: i, text: `call #${i + 1}: JIT ${x}, interpreter ${y}` };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Running JIT output on the kernel model, with helper overrides and an eBPF-level trace.

export interface KernelRun {
  result: RunResult;
  /** With `trace`: "prog:slot" for each eBPF instruction entered, in order. */
  steps?: string[];
}

/**
 * runtime/kernel/run.ts's runJit, plus two things it does not do: helpers replaced by `opts.helpers` (a HelperExit
 * from one ends the whole run with its value, as the conformance suite's "unwind" does), and, with `trace`, the
 * eBPF slots entered (the RV instruction at pc is the first of an eBPF instruction's code, per the line map).
 */
export function runOnKernel(outs: readonly JitOutput[], input: RunInput, opts: JudgeOptions & { trace?: boolean }): KernelRun {
  const k = new Kernel(outs, input, { isa: opts.isa, blocks: !opts.trace, describeSlot: (p, s) => describe(outs, p, s) });
  const m = k.m;
  const starts = opts.trace ? slotStarts(outs) : undefined;
  const steps: string[] = [];
  enterProgram(k);
  const done = (kind: RunResult["kind"], report?: string): KernelRun => ({ result: kernelResult(k, kind, report), ...(starts && { steps }) });
  for (;;) {
    const left = k.budget - m.steps;
    if (left <= 0) return done("budget", `budget: ${k.budget} instructions executed without the program returning`);
    if (starts) {
      const s = starts.get(m.pc);
      if (s !== undefined) steps.push(s);
    }
    const exit = m.run(starts ? 1 : left);
    if (exit === EXIT_TRAP) {
      const over = overriddenHelper(k, opts.helpers);
      if (over) {
        const r = callOverride(k, over);
        if (r !== undefined) {
          m.setReg(X.a5, r);
          m.setReg(X.a0, BigInt.asUintN(64, BigInt.asIntN(32, r)));
          return done("return");
        }
        continue;
      }
      const stop = handleTrap(k);
      if (!stop) continue;
      if (stop.kind === "return") {
        const bad = returnViolations(k);
        return bad.length === 0 ? done("return") : done("abi-violation", ["abi-violation: registers not restored on return to bpf_prog_run", ...bad.map((l) => `  ${l}`)].join("\n"));
      }
      return done("fault", `fault: ${stop.what}\n  why    ${stop.why}`);
    }
    if (exit === EXIT_FAULT) return done("fault", formatFault(m.fault!, m, k.symbolizer()));
    if (exit === EXIT_ECALL || exit === EXIT_EBREAK) return done("fault", `fault: ${exit === EXIT_ECALL ? "ecall" : "ebreak"} in eBPF program text at ${k.hex(m.pc)}`);
    if (exit === EXIT_BUDGET) {
      if (starts && m.steps < k.budget) continue; // one step done
      return done("budget", `budget: ${k.budget} instructions executed without the program returning`);
    }
  }
}

function kernelResult(k: Kernel, kind: RunResult["kind"], report?: string): RunResult {
  const m = k.m;
  return {
    kind, a0: m.reg(X.a0), r0: m.reg(X.a5), ...(k.thrown && { thrown: k.thrown }), steps: m.steps, stackUsed: k.stackUsed(),
    misaligned: k.mem.misaligned, ...(k.ctx && { ctxAfter: k.ctx.bytes.slice(0, k.ctx.size) }), mapsAfter: k.maps.dump(),
    trace: k.env.trace, calls: k.calls, ...(report !== undefined && { report }),
  };
}

function overriddenHelper(k: Kernel, helpers: ReadonlyMap<number, HelperDef> | undefined): HelperDef | undefined {
  const pc = k.m.pc;
  if (!helpers || pc < HELPER_REGION.base || pc >= HELPER_REGION.base + BigInt(HELPER_REGION.size)) return undefined;
  const off = pc - CALL_BASE;
  return off % HELPER_STRIDE === 0n ? helpers.get(Number(off / HELPER_STRIDE)) : undefined;
}

/** Calls an overriding helper; returns the run's R0 if it ended the run, else returns to the caller. */
function callOverride(k: Kernel, def: HelperDef): bigint | undefined {
  const m = k.m;
  const args = [X.a0, X.a1, X.a2, X.a3, X.a4].slice(0, def.args).map((r) => m.reg(r));
  const rec: Call = { name: def.name, args };
  k.calls.push(rec);
  try {
    rec.ret = def.call(args, k.env);
  } catch (e) {
    if (e instanceof HelperExit) return e.r0;
    throw e;
  }
  const ra = m.reg(X.ra);
  clobberAfterCall(k);
  m.setReg(X.a0, rec.ret);
  m.pc = ra;
  return undefined;
}

/** Address of the first RV instruction of each eBPF instruction that has code -> "prog:slot" (program-wide slot). */
function slotStarts(outs: readonly JitOutput[]): Map<bigint, string> {
  const starts = new Map<bigint, string>();
  outs.forEach((o, p) => {
    for (const f of o.funcs) {
      let last = -2;
      for (const x of f.insns) {
        if (x.bpf >= 0 && x.bpf !== last) starts.set(f.addr + BigInt(x.offset), `${p}:${f.bpfStart + x.bpf}`);
        last = x.bpf;
      }
    }
  });
  return starts;
}

function describe(outs: readonly JitOutput[], prog: number, slot: number): string | undefined {
  const f = outs[prog]?.funcs.find((g) => slot >= 0 && slot < g.bpf.length);
  return f ? printInsn(f.bpf, slot, { xlated: true }) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Finding where two runs part.

function locate(programs: readonly Verified[], outs: readonly JitOutput[], input: RunInput, opts: JudgeOptions, emu: RunResult, ref: InterpResult): Divergence | undefined {
  const budget = Math.min(input.budget ?? 1_000_000, 1_000_000);
  const traced = runOnKernel(outs, { ...input, budget }, { ...opts, trace: true });
  const codes = outs.map(codeSlots);
  const refRun = interpret(programs[0]!, { ...interpInput(programs, input), budget }, interpOptions(opts, true));
  const refSteps = (refRun.insnTrace ?? []).flatMap((line) => {
    const m = /^(\d+): (.*)$/.exec(line);
    if (!m) return [];
    const slot = Number(m[1]);
    const p = programs.findIndex((v, q) => codes[q]!.has(slot) && printInsn(v.insns, slot, { xlated: true }) === m[2]);
    return p >= 0 ? [`${p}:${slot}`] : [];
  });
  const emuSteps = traced.steps ?? [];
  const name = (key: string | undefined): { prog: number; insn: number; text: string } | undefined => {
    if (!key) return undefined;
    const [p, s] = key.split(":").map(Number) as [number, number];
    return { prog: p, insn: s, text: printInsn(programs[p]!.insns, s, { xlated: true }) };
  };
  for (let i = 0; i < Math.max(emuSteps.length, refSteps.length); i++) {
    if (emuSteps[i] === refSteps[i]) continue;
    const before = name(emuSteps[i - 1]);
    const a = name(emuSteps[i]);
    const b = name(refSteps[i]);
    const at = before ?? a ?? b!;
    const detail = !a ? `the JIT's run went no further (${traced.result.kind}${traced.result.report ? `: ${traced.result.report.split("\n")[0]}` : ""}); the interpreter went on to insn ${b!.insn} (\`${b!.text}\`)`
      : !b ? `the interpreter's run went no further (${refRun.kind}); the JIT went on to insn ${a.insn} (\`${a.text}\`)`
      : `the JIT went on to insn ${a.insn} (\`${a.text}\`), the interpreter to insn ${b.insn} (\`${b.text}\`)`;
    return { ...at, detail: `${before ? "after" : "at"} insn ${at.insn} (\`${at.text}\`), after ${i} instructions in step: ${detail}` };
  }
  const call = firstCallDifference(emu.calls, jitVisibleCalls(ref.calls), emu.ctxAfter?.length ?? 0, ref.ctxAfter?.length ?? 0);
  if (call) {
    // The n-th helper/kfunc call instruction executed that the JIT does not inline.
    let n = -1;
    for (const key of emuSteps) {
      const at = name(key)!;
      const x = programs[at.prog]!.insns[at.insn]!;
      const inlined = x.src === 0 && RV64_JIT_INLINED_HELPERS.has(x.imm);
      if (x.code === (BPF_JMP | BPF_CALL) && x.src !== BPF_PSEUDO_CALL && !inlined && ++n === call.index) return { ...at, detail: call.text };
    }
  }
  return undefined;
}

/** Program-wide slots whose code is not empty (the slots the emulator's trace can see). */
function codeSlots(o: JitOutput): Set<number> {
  const s = new Set<number>();
  for (const f of o.funcs) for (const x of f.insns) if (x.bpf >= 0) s.add(f.bpfStart + x.bpf);
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// The JIT engine of `rvjit conformance`.

/** What the conformance command reads from an engine. */
export interface ConformanceRun {
  kind: "return" | "fault" | "budget";
  r0: bigint;
  report?: string;
}

/**
 * Compiles a verified conformance program and runs it on the kernel model under the suite's contract: r1 = the
 * test's memory (NULL without), r2 = its length, helper 5 = "unwind". `isa` defaults to rv64imac_zba_zbb; with
 * Zacas in it, cmpxchg uses amocas.
 */
export function runConformanceJit(v: Verified, t: ConformanceTest, opts: { isa?: string; budget?: number } = {}): ConformanceRun {
  const isa = parseIsa(opts.isa ?? "rv64imac_zba_zbb");
  // An ISA with Zacas is the opt-in to the newer cmpxchg (amocas) here.
  const jo: JudgeOptions = { isa, helpers: CONFORMANCE_HELPERS, jit: { zacas: isa.zacas } };
  const outs = compileForKernel([v], jo);
  const hasMem = t.mem.length > 0;
  const input: RunInput = { args: [hasMem ? CTX_ADDR : 0n, BigInt(t.mem.length)], budget: opts.budget ?? 1_000_000, ...(hasMem && { ctx: t.mem }) };
  const r = runOnKernel(outs, input, jo).result;
  const kind = r.kind === "abi-violation" ? "fault" : r.kind;
  return { kind, r0: r.r0, ...(r.report !== undefined && { report: r.report }) };
}
