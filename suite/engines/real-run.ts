/**
 * @fileoverview Running a spec's run cases for the real engine: the run's input (ctx or r1-r5, maps with the spec's
 * contents and the case's writes, prog arrays resolved to program indexes), the reference interpreter's result
 * (once per spec: it does not depend on the configuration), the emulator's result per configuration, and the
 * judgement of the two by runtime/judge.ts: its compareRuns decides whether they agree, and when they do not, its
 * judgeCompiled repeats both runs with traces to name the first eBPF instruction where they part.
 */
import type { AsmProgram } from "../../compiler/bpf/asm.js";
import type { JitOutput } from "../../compiler/pipeline.js";
import type { Verified } from "../../compiler/passes/verify.js";
import { parseIsa, type IsaConfig } from "../../compiler/riscv/isa-config.js";
import { interpret } from "../../runtime/interp/interp.js";
import type { InterpResult } from "../../runtime/interp/types.js";
import { compareRuns, judgeCompiled } from "../../runtime/judge.js";
import type { MapSpec } from "../../runtime/kernel/maps.js";
import { runJit, type RunInput } from "../../runtime/kernel/run.js";
import type { ConfigName } from "../config.js";
import { NotSupported, type Observed } from "../engine.js";
import { formatPos } from "../spec/errors.js";
import type { MapWrite, RunCase, Spec } from "../spec/model.js";
import { hex } from "../spec/values.js";

export type InterpRun = InterpResult;

/** What runOnEmulator needs besides the run case: the spec's programs at each stage, and how they were compiled. */
export interface Compiled {
  asm: readonly AsmProgram[];
  verified: readonly Verified[];
  outs: JitOutput[];
  config: ConfigName;
  /** Run each case on a new kernel model (RunOptions.fresh). */
  fresh: boolean;
}

function mapSpecs(spec: Spec, rc: RunCase): MapSpec[] {
  const program = (name: string) => BigInt(spec.programs.findIndex((p) => p.name === name));
  return spec.maps.map((m) => {
    const entries = new Map<string, { key: Uint8Array; value: bigint | Uint8Array }>();
    const put = (w: MapWrite) => {
      if (w.value === null) return void entries.delete(hex(w.key));
      entries.set(hex(w.key), { key: w.key, value: w.value instanceof Uint8Array ? w.value : program(w.value.program) });
    };
    m.init.forEach(put);
    rc.maps.filter((w) => w.map === m.name).forEach(put);
    return { name: m.name, type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, entries: [...entries.values()] };
  });
}

/** The run's input: the ctx (r1 points to it), or with scalar arguments all five of r1-r5 (unset ones 0). */
function inputOf(spec: Spec, rc: RunCase): RunInput {
  if (rc.packet) throw new NotSupported("packet input (the kernel model has no packet yet; give the bytes as ctx)", rc.pos);
  const input: RunInput = { maps: mapSpecs(spec, rc) };
  if (rc.ctx) input.ctx = rc.ctx;
  if (spec.entry === "args") input.args = Array.from({ length: 5 }, (_, i) => rc.args[i] ?? 0n);
  if (spec.budget !== undefined) input.budget = spec.budget;
  return input;
}

export function interpretRuns(spec: Spec, verified: readonly Verified[]): InterpRun[] {
  return spec.runs.map((rc) => {
    const { args, maps, ...rest } = inputOf(spec, rc);
    return interpret(verified[0]!, { ...rest, maps: [...(maps ?? [])], ...(args && { args: [...args] }), programs: [...verified] });
  });
}

const ISAS = new Map<ConfigName, IsaConfig>();
function isaOf(config: ConfigName): IsaConfig {
  let isa = ISAS.get(config);
  if (!isa) ISAS.set(config, (isa = parseIsa(config)));
  return isa;
}

/** Runs a case on the kernel model; judges it against the interpreter's run `ref`. */
export function runOnEmulator(spec: Spec, rc: RunCase, c: Compiled, ref: InterpRun): Observed {
  const isa = isaOf(c.config);
  const input = inputOf(spec, rc);
  const r = runJit(c.outs, input, { isa, fresh: c.fresh });
  const thrown = r.thrown !== undefined && r.kind === "return";
  const o: Observed = { outcome: thrown ? "throw" : r.kind, r0: r.r0, ret: r.a0, steps: r.steps, stackUsed: r.stackUsed };
  if (thrown) {
    o.cookie = r.thrown!.cookie;
    o.frames = r.thrown!.frames.map((f) => (f.prog > 0 ? `${spec.programs[f.prog]?.name ?? f.prog}:${f.func}` : f.func));
  }
  if (r.ctxAfter) o.ctxAfter = r.ctxAfter;
  o.maps = new Map(r.mapsAfter.map((m) => [m.name, m.entries]));
  if (r.report) o.report = r.report;
  const problems = compareRuns(r, ref);
  if (problems.length > 0) o.mismatch = explain(spec, c, input, isa, problems);
  return o;
}

/**
 * What the two runs disagree on and where they part, from the judge (which runs both again, traced). The
 * instruction is named by its place in the spec (the verifier's `origin` maps xlated slots back to the source).
 */
function explain(spec: Spec, c: Compiled, input: RunInput, isa: IsaConfig, problems: readonly string[]): string {
  const what = problems.join("; ");
  const d = judgeCompiled(c.verified, c.outs, input, { isa }).divergence;
  if (!d) return `${what} (no instruction found where the runs part)`;
  const src = c.verified[d.prog]?.origin[d.insn];
  const pos = src !== undefined && src >= 0 ? c.asm[d.prog]?.lines[src] : undefined;
  const prog = spec.programs.length > 1 ? `program ${spec.programs[d.prog]?.name ?? d.prog}, ` : "";
  const where = pos ? `${formatPos(pos)} (${prog}\`${d.text}\`)` : `${prog}xlated insn ${d.insn} (\`${d.text}\`)`;
  // The judge's detail names the instruction by its xlated slot first ("after insn 3 (`...`), ..."): said above.
  const lead = /^(after|at) insn \d+ \(`[^`]*`\), /.exec(d.detail);
  return `${what}; they part ${lead?.[1] ?? "at"} ${where}: ${lead ? d.detail.slice(lead[0].length) : d.detail}`;
}
