/**
 * @fileoverview Running a spec's run cases for the real engine: the run's input (ctx, r1-r5, maps with the spec's
 * contents and the case's writes, prog arrays resolved to program indexes), the reference interpreter's result
 * (once per spec: it does not depend on the configuration), the emulator's result per configuration, and what the
 * two disagree on.
 */
import { parseIsa, type IsaConfig } from "../../compiler/riscv/isa-config.js";
import type { JitOutput } from "../../compiler/pipeline.js";
import type { Verified } from "../../compiler/passes/verify.js";
import { interpret } from "../../runtime/interp/interp.js";
import type { InterpResult } from "../../runtime/interp/types.js";
import { mapAddress } from "../../runtime/kernel/layout.js";
import type { MapDump, MapSpec } from "../../runtime/kernel/maps.js";
import { runJit, type RunResult } from "../../runtime/kernel/run.js";
import type { ConfigName } from "../config.js";
import { NotSupported, type Observed } from "../engine.js";
import type { MapWrite, RunCase, Spec } from "../spec/model.js";
import { hex, showU64 } from "../spec/values.js";

export type InterpRun = InterpResult;

interface Input {
  ctx?: Uint8Array;
  args?: bigint[];
  maps: MapSpec[];
  budget?: number;
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

function inputOf(spec: Spec, rc: RunCase): Input {
  if (rc.packet) throw new NotSupported("packet input (the kernel model has no packet yet; give the bytes as ctx)", rc.pos);
  const input: Input = { maps: mapSpecs(spec, rc) };
  if (rc.ctx) input.ctx = rc.ctx;
  const last = rc.args.reduce((n, v, i) => (v !== undefined ? i + 1 : n), 0);
  if (last > 0) {
    if (rc.args[0] === undefined && rc.ctx) throw new NotSupported("setting r2-r5 while r1 is the ctx pointer", rc.pos);
    input.args = Array.from({ length: last }, (_, i) => rc.args[i] ?? 0n);
  }
  if (spec.budget !== undefined) input.budget = spec.budget;
  return input;
}

export function interpretRuns(spec: Spec, verified: Verified[]): InterpRun[] {
  return spec.runs.map((rc) => {
    const input = inputOf(spec, rc);
    return interpret(verified[0]!, { ...input, programs: verified, mapAddrs: input.maps.map((_, i) => mapAddress(i)) });
  });
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));
}

function mapsDiffer(a: readonly MapDump[], b: readonly MapDump[]): string | undefined {
  for (const m of a) {
    const o = b.find((x) => x.name === m.name);
    const key = (e: { key: Uint8Array }) => hex(e.key);
    const bk = new Map(o?.entries.map((e) => [key(e), e.value]));
    for (const e of m.entries) {
      if (!sameBytes(e.value, bk.get(key(e)))) return `${m.name}[${key(e)}]: JIT [${hex(e.value)}], interpreter [${bk.has(key(e)) ? hex(bk.get(key(e))!) : "absent"}]`;
    }
    if ((o?.entries.length ?? 0) !== m.entries.length) return `${m.name}: JIT has ${m.entries.length} elements, interpreter ${o?.entries.length ?? 0}`;
  }
  return undefined;
}

/** What the JIT's run (on the emulator) and the interpreter's disagree on; undefined when they agree. */
export function disagreement(emu: RunResult, ref: InterpResult): string | undefined {
  const emuEnd = emu.kind === "abi-violation" ? "fault" : emu.kind;
  if (emuEnd !== ref.kind) return `the JIT's run ended with ${emu.kind}, the interpreter's with ${ref.kind}${ref.report ? ` (${ref.report.split("\n")[0]})` : ""}`;
  if (emu.kind !== "return") return undefined;
  if ((emu.thrown === undefined) !== (ref.thrown === undefined)) return emu.thrown ? "only the JIT's run threw" : "only the interpreter's run threw";
  if (emu.thrown && emu.thrown.cookie !== ref.thrown!.cookie) return `thrown cookie: JIT ${showU64(emu.thrown.cookie)}, interpreter ${showU64(ref.thrown!.cookie)}`;
  if (emu.r0 !== ref.r0) return `r0: JIT ${showU64(emu.r0)}, interpreter ${showU64(ref.r0)}`;
  if (!sameBytes(emu.ctxAfter, ref.ctxAfter)) return `ctx after the run: JIT [${hex(emu.ctxAfter ?? new Uint8Array())}], interpreter [${hex(ref.ctxAfter ?? new Uint8Array())}]`;
  return mapsDiffer(emu.mapsAfter, ref.mapsAfter ?? []) ?? mapsDiffer(ref.mapsAfter ?? [], emu.mapsAfter);
}

const ISAS = new Map<ConfigName, IsaConfig>();

export function runOnEmulator(spec: Spec, rc: RunCase, outs: JitOutput[], config: ConfigName, ref: InterpRun): Observed {
  let isa = ISAS.get(config);
  if (!isa) ISAS.set(config, (isa = parseIsa(config)));
  const r = runJit(outs, inputOf(spec, rc), { isa });
  const thrown = r.thrown !== undefined && r.kind === "return";
  const o: Observed = { outcome: thrown ? "throw" : r.kind, r0: r.r0, ret: r.a0, steps: r.steps, stackUsed: r.stackUsed };
  if (thrown) {
    o.cookie = r.thrown!.cookie;
    o.frames = r.thrown!.frames.map((f) => (f.prog > 0 ? `${spec.programs[f.prog]?.name ?? f.prog}:${f.func}` : f.func));
  }
  if (r.ctxAfter) o.ctxAfter = r.ctxAfter;
  o.maps = new Map(r.mapsAfter.map((m) => [m.name, m.entries]));
  if (r.report) o.report = r.report;
  const mismatch = disagreement(r, ref);
  if (mismatch) o.mismatch = mismatch;
  return o;
}
