/**
 * @fileoverview The engine made of the real parts: the assembler (compiler/bpf/asm.ts), the verifier
 * (compiler/passes/verify.ts), the JIT (compiler/pipeline.ts) and its listing (compiler/listing.ts), the emulator's
 * kernel model (runtime/kernel/run.ts) and the reference interpreter (runtime/interp). See suite/engine.ts for the
 * contract. Assembling, verifying and interpreting do not depend on the configuration, so they are done once per
 * spec and cached; only the JIT and the emulator run per configuration.
 *
 * Errors: an assembler error is a SpecError at its file:line:col; a verifier refusal is a `rejected` result at the
 * instruction's position; a JitError (something the JIT refuses or cannot do) is "not supported".
 */
import { AsmError, assemble, type AsmProgram } from "../../compiler/bpf/asm.js";
import { printInsn } from "../../compiler/bpf/print.js";
import { listProgram } from "../../compiler/listing.js";
import { jit, JitError, STAGES, type JitOptions, type JitOutput } from "../../compiler/pipeline.js";
import { verify, VerifierError, type Verified, type VerifyOptions } from "../../compiler/passes/verify.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { mapAddress, programImageAddr } from "../../runtime/kernel/layout.js";
import type { ConfigName } from "../config.js";
import { NotSupported, type Engine, type EngineRequest, type EngineResult, type Rejected } from "../engine.js";
import { SpecError, type SourcePos } from "../spec/errors.js";
import type { Spec } from "../spec/model.js";
import { interpretRuns, runOnEmulator, type InterpRun } from "./real-run.js";

/** The verifier's xlated program, printed: the pass before the JIT's own. */
const VERIFY_PASS = "verify";

interface Prepared {
  asm: AsmProgram[];
  /** Verified programs, or the verifier's refusal of one of them. */
  verified: Verified[] | Rejected;
  /** Reference interpreter results per run case (computed on first use). */
  interp?: InterpRun[];
}

function assembleAll(spec: Spec): AsmProgram[] {
  const maps = spec.maps.map((m) => m.name);
  return spec.programs.map((p) => {
    try {
      return assemble(p.source, spec.path, { maps });
    } catch (e) {
      if (e instanceof AsmError) throw new SpecError(e.pos, e.reason);
      throw e;
    }
  });
}

/**
 * How the verifier sees a spec's programs: the entry contract its run cases imply (Spec.entry), its maps at the
 * kernel model's addresses, and ctx accesses bounded by the smallest ctx any run case gives (unchecked when a case
 * gives none). rvjit coverage verifies with the same options.
 */
export function verifyOptionsOf(spec: Spec): VerifyOptions {
  const maps = spec.maps.map((m) => ({ name: m.name, type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries }));
  const sizes = spec.runs.map((r) => r.ctx?.length);
  const ctxSize = sizes.length > 0 && sizes.every((s) => s !== undefined) ? Math.min(...(sizes as number[])) : undefined;
  return { entry: spec.entry === "args" ? "scalars" : "kernel", maps, mapAddress, ...(ctxSize !== undefined ? { ctxSize } : {}) };
}

function verifyAll(spec: Spec, asm: AsmProgram[]): Verified[] | Rejected {
  const opts = verifyOptionsOf(spec);
  const out: Verified[] = [];
  for (const [k, a] of asm.entries()) {
    try {
      out.push(verify(a, opts));
    } catch (e) {
      if (!(e instanceof VerifierError)) throw e;
      const at: SourcePos | undefined = e.insnIndex >= 0 ? a.lines[e.insnIndex] : spec.programs[k]!.pos;
      const who = spec.programs.length > 1 ? `program ${spec.programs[k]!.name}: ` : "";
      return { kind: "rejected", message: `${who}${e.reason}`, ...(at ? { at } : {}) };
    }
  }
  return out;
}

function xlatedText(spec: Spec, v: Verified[]): string {
  const maps = spec.maps.map((m) => m.name);
  return v
    .map((p, k) => {
      const lines: string[] = [];
      const name = (sub: number): string => p.subprogs[sub]!.name ?? `func${sub}`;
      const functions = new Map(p.subprogs.map((s, sub) => [s.start, name(sub)]));
      for (let i = 0; i < p.insns.length; i++) {
        const sub = p.subprogs.findIndex((s) => s.start === i);
        if (sub >= 0) lines.push(`; ${name(sub)}${p.subprogs[sub]!.hidden ? " (hidden)" : ""}, stack ${p.subprogs[sub]!.stackDepth}`);
        lines.push(`\t${printInsn(p.insns, i, { xlated: true, maps, functions })}`);
        if (p.insns[i]!.code === 0x18) i++;
      }
      return (spec.programs.length > 1 ? [`; program ${spec.programs[k]!.name}`, ...lines] : lines).join("\n");
    })
    .join("\n\n");
}

function jitAll(spec: Spec, asm: AsmProgram[], v: Verified[], config: ConfigName, dump: boolean, extra: Partial<JitOptions> | undefined): JitOutput[] {
  const isa = parseIsa(config);
  return v.map((p, k) => {
    try {
      return jit(p, { framePointer: true, ...extra, isa, imageAddr: programImageAddr(k), dumpStages: dump });
    } catch (e) {
      if (!(e instanceof JitError)) throw e;
      const src = e.insnIndex !== undefined ? p.origin[e.insnIndex] : undefined;
      throw new NotSupported(`the JIT refuses it: ${e.message}`, (src !== undefined && src >= 0 ? asm[k]!.lines[src] : undefined) ?? spec.programs[k]!.pos);
    }
  });
}

/** Text of several programs, each under a `; program <name>` line when there is more than one. */
function perProgram(spec: Spec, texts: string[]): string {
  if (texts.length === 1) return texts[0]!.replace(/\n+$/, "");
  return texts.map((t, k) => `; program ${spec.programs[k]!.name}\n${t.replace(/\n+$/, "")}`).join("\n\n");
}

export interface RealEngineOptions {
  /**
   * JIT options on top of the engine's (isa, frame pointers, image address), for every configuration: for tests
   * of the tool that need a JIT which miscompiles (e.g. `verifierZext: true` without the verifier's zero-extensions).
   */
  jit?: Partial<Omit<JitOptions, "isa" | "imageAddr" | "dumpStages">>;
  /** A new kernel model for every run instead of reusing one between a spec's runs (runtime/kernel/run.ts): to measure. */
  freshKernels?: boolean;
}

export function realEngine(opts: RealEngineOptions = {}): Engine {
  const cache = new WeakMap<Spec, Prepared>();
  const prepare = (spec: Spec): Prepared => {
    let p = cache.get(spec);
    if (!p) {
      const asm = assembleAll(spec);
      p = { asm, verified: verifyAll(spec, asm) };
      cache.set(spec, p);
    }
    return p;
  };
  return {
    passes: [VERIFY_PASS, ...STAGES],
    isContextLine: (l) => l.startsWith("\t; ") || /^; \S+ \(function \d+/.test(l),
    evaluate(req: EngineRequest): EngineResult {
      const { spec } = req;
      const p = prepare(spec);
      if (!Array.isArray(p.verified)) return p.verified;
      const verified = p.verified;
      const jitPasses = req.dumpAfter.filter((x) => x !== VERIFY_PASS);
      const outs = jitAll(spec, p.asm, verified, req.config, jitPasses.length > 0, opts.jit);
      p.interp ??= interpretRuns(spec, verified);
      const compiled = { asm: p.asm, verified, outs, config: req.config, fresh: opts.freshKernels ?? false };
      const runs = spec.runs.map((rc, i) => runOnEmulator(spec, rc, compiled, p.interp![i]!));
      const passes = req.dumpAfter.map((pass) => ({
        pass,
        text: pass === VERIFY_PASS ? xlatedText(spec, verified) : perProgram(spec, outs.map((o) => o.stages.get(pass as (typeof STAGES)[number]) ?? "")),
      }));
      const funcs = outs.flatMap((o) => o.funcs);
      return {
        kind: "compiled",
        summary: {
          rvInsns: funcs.reduce((n, f) => n + f.insns.length, 0),
          bytes: funcs.reduce((n, f) => n + f.code.length, 0),
          bpfInsns: verified.reduce((n, v) => n + v.insns.length, 0),
        },
        listing: req.listing ? perProgram(spec, outs.map((o) => listProgram(o, { fold: true }))) : "",
        passes,
        runs,
      };
    },
  };
}
