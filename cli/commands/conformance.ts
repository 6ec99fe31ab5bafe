/**
 * @fileoverview `rvjit conformance <files or dirs> --engine interp [--json]`: runs bpf_conformance `.data` files.
 * Each program is read (compiler/bpf/conformance.ts), verified as the kernel would under the conformance contract
 * (r1 = memory, r2 = its length, helper 5 = "unwind"), and run by an engine; r0 is compared with `-- result`.
 *
 * Verdicts. A test passes when it returns the expected r0; it is "rejected" when the verifier refuses it with the
 * kernel's reason (listed separately: that is what Linux would do, not a failure of ours); anything else fails. A
 * negative test (a file with `-- error`, or under a `negative/` directory) passes when it is refused at any stage —
 * by the reader, the verifier, at run time, or by returning something other than what its `-- result` claims.
 *
 * Engines are functions from a verified program and the test to a run result; to add one (the JIT on the RV64
 * emulator: `--engine jit --isa rv64imac_zba_zbb`), add an entry to ENGINES. `--isa` is passed through to it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { CAC } from "cac";
import { AsmError } from "../../compiler/bpf/asm.js";
import { type ConformanceTest, parseConformance } from "../../compiler/bpf/conformance.js";
import { verify, type Verified, VerifierError, type VerifyOptions } from "../../compiler/passes/verify.js";
import { CONFORMANCE_HELPERS, runConformance } from "../../runtime/interp/conformance.js";
import { runConformanceJit } from "../../runtime/judge.js";
import { CliError, type CliIo } from "../io.js";

export interface EngineOptions {
  /** `--isa`, for engines that compile. */
  isa?: string;
}

export interface EngineRun {
  kind: "return" | "fault" | "budget";
  /** r0 in full 64 bits (meaningful for "return"). */
  r0: bigint;
  /** What went wrong, for the other kinds. */
  report?: string;
}

/** Runs a verified conformance program under the contract. */
export type Engine = (v: Verified, test: ConformanceTest, opts: EngineOptions) => EngineRun;

/** The engines --engine selects. */
export const ENGINES: Readonly<Record<string, Engine>> = {
  interp: (v, t) => runConformance(v, t.mem),
  jit: (v, t, o) => runConformanceJit(v, t, o.isa !== undefined ? { isa: o.isa } : {}),
};

export type Stage = "read" | "verify" | "run" | "result";

export interface FileOutcome {
  /** The path as shown (relative to the working directory). */
  file: string;
  /** Whether the file is a negative test, which must be refused. */
  negative: boolean;
  /** "pass"; "rejected" (a test the verifier refused with the kernel's reason); "fail". */
  verdict: "pass" | "rejected" | "fail";
  /** Where a refusal or failure happened. */
  stage?: Stage;
  /** Why, without the location: the kernel's message for the verifier. */
  reason?: string;
  /** `line:col` in the file (reader and verifier), or `insn N` when there is no source line. */
  at?: string;
  r0?: bigint;
  expected?: bigint;
}

export interface SuiteOptions extends EngineOptions {
  engine: Engine;
  /** Model a kernel with efficient unaligned access (not RISC-V's default). */
  efficientUnalignedAccess?: boolean;
  cwd?: string;
}

/** The verifier's options for a conformance test. */
export function conformanceVerifyOptions(t: ConformanceTest, efficientUnalignedAccess = false): VerifyOptions {
  return { entry: "conformance", ctxSize: t.mem.length, helpers: CONFORMANCE_HELPERS, efficientUnalignedAccess };
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** Reads, verifies and runs one file. */
export function runFile(path: string, opts: SuiteOptions): FileOutcome {
  const file = relative(opts.cwd ?? process.cwd(), path) || path;
  const negativeDir = resolve(path).split(sep).includes("negative");
  const out = (o: Omit<FileOutcome, "file" | "negative">, negative: boolean): FileOutcome => ({ file, negative, ...o });
  let t: ConformanceTest;
  try {
    t = parseConformance(readFileSync(path, "utf8"), file);
  } catch (e) {
    if (!(e instanceof AsmError)) throw e;
    return out({ verdict: negativeDir ? "pass" : "fail", stage: "read", reason: e.reason, at: `${e.pos.line}:${e.pos.col}` }, negativeDir);
  }
  const negative = negativeDir || t.error !== undefined;
  let v: Verified;
  try {
    v = verify(t, conformanceVerifyOptions(t, opts.efficientUnalignedAccess));
  } catch (e) {
    if (!(e instanceof VerifierError)) throw e;
    const pos = t.lines[e.insnIndex];
    const at = pos ? `${pos.line}:${pos.col}` : e.insnIndex >= 0 ? `insn ${e.insnIndex}` : undefined;
    return out({ verdict: negative ? "pass" : "rejected", stage: "verify", reason: e.reason, ...(at && { at }) }, negative);
  }
  const r = opts.engine(v, t, opts);
  if (r.kind !== "return") return out({ verdict: negative ? "pass" : "fail", stage: "run", reason: r.report ?? r.kind }, negative);
  const expected = t.result;
  const exp = expected !== undefined ? { expected } : {};
  if (t.error !== undefined) {
    return out({ verdict: "fail", stage: "result", reason: `ran to completion (r0 = ${hex(r.r0)}), but the file expects an error`, r0: r.r0, ...exp }, negative);
  }
  if (expected === undefined) return out({ verdict: negative ? "pass" : "fail", stage: "result", reason: "the file has no -- result", r0: r.r0 }, negative);
  const why = `r0 = ${hex(r.r0)}, expected ${hex(expected)}`;
  if (negative) {
    const accepted = r.r0 === expected;
    return out({ verdict: accepted ? "fail" : "pass", stage: "result", reason: accepted ? `accepted: returned the expected ${hex(r.r0)}` : why, r0: r.r0, ...exp }, negative);
  }
  return out({ verdict: r.r0 === expected ? "pass" : "fail", ...(r.r0 !== expected && { stage: "result" as const, reason: why }), r0: r.r0, ...exp }, negative);
}

/** Every `.data` file named by `paths` (files as given, directories searched recursively), sorted per directory. */
export function conformanceFiles(paths: readonly string[], cwd: string): string[] {
  const files: string[] = [];
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new CliError(`'${relative(cwd, p) || p}' does not exist`);
    }
    if (!st.isDirectory()) return void files.push(p);
    for (const name of readdirSync(p).sort()) {
      const q = join(p, name);
      if (statSync(q).isDirectory()) walk(q);
      else if (name.endsWith(".data")) files.push(q);
    }
  };
  for (const p of paths) walk(resolve(cwd, p));
  return files;
}

/** Runs every file. */
export function runSuite(paths: readonly string[], opts: SuiteOptions): FileOutcome[] {
  return conformanceFiles(paths, opts.cwd ?? process.cwd()).map((f) => runFile(f, opts));
}

/** Reasons grouped the way a reader wants them: the kernel message without its numbers and details. */
function reasonKind(reason: string): string {
  return reason.replace(/ \((?!0x).*$/, "").replace(/\(0x[0-9a-f]+; 0x[0-9a-f]+\)\+-?\d+\+-?\d+/, "...").replace(/-?\b\d+\b/g, "N");
}

function summary(outcomes: readonly FileOutcome[]): string {
  const tests = outcomes.filter((o) => !o.negative);
  const negs = outcomes.filter((o) => o.negative);
  const count = (xs: readonly FileOutcome[], f: (o: FileOutcome) => boolean) => xs.filter(f).length;
  const lines: string[] = [];
  if (tests.length) {
    lines.push(`tests: ${tests.length}: ${count(tests, (o) => o.verdict === "pass")} passed, ${count(tests, (o) => o.verdict === "rejected")} rejected by the verifier (the kernel's reason), ${count(tests, (o) => o.verdict === "fail")} failed`);
    const kinds = new Map<string, number>();
    for (const o of tests) if (o.verdict === "rejected") kinds.set(reasonKind(o.reason!), (kinds.get(reasonKind(o.reason!)) ?? 0) + 1);
    for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1])) lines.push(`  rejected ${String(n).padStart(3)}: ${k}`);
  }
  if (negs.length) {
    const by = (s: Stage) => count(negs, (o) => o.verdict === "pass" && o.stage === s);
    lines.push(`negative: ${negs.length}: ${count(negs, (o) => o.verdict === "pass")} refused (${by("read")} by the reader, ${by("verify")} by the verifier, ${by("run")} at run time, ${by("result")} by their result), ${count(negs, (o) => o.verdict === "fail")} accepted`);
  }
  return `${lines.join("\n")}\n`;
}

const STAGE_TEXT: Readonly<Record<Stage, string>> = { read: "by the reader", verify: "by the verifier", run: "at run time", result: "by its result" };

function line(o: FileOutcome): string {
  const tag = o.verdict === "fail" ? "FAIL" : o.verdict === "rejected" ? "rejected" : "pass";
  if (o.verdict === "pass" && !o.negative) return `${tag.padEnd(8)}  ${o.file}\n`;
  const refused = o.negative && o.verdict === "pass" ? `refused ${STAGE_TEXT[o.stage!]}` : "";
  const at = o.at ? `at ${o.at}` : "";
  const head = [refused, at].filter(Boolean).join(" ");
  return `${tag.padEnd(8)}  ${o.file}  ${head ? `${head}: ` : ""}${o.reason ?? ""}\n`;
}

function toJson(outcomes: readonly FileOutcome[]): string {
  const rows = outcomes.map((o) => ({
    ...o, ...(o.r0 !== undefined && { r0: hex(o.r0) }), ...(o.expected !== undefined && { expected: hex(o.expected) }),
  }));
  const n = (v: FileOutcome["verdict"], neg: boolean) => outcomes.filter((o) => o.verdict === v && o.negative === neg).length;
  const totals = { passed: n("pass", false), rejected: n("rejected", false), failed: n("fail", false), negativeRefused: n("pass", true), negativeAccepted: n("fail", true) };
  return `${JSON.stringify({ files: rows, totals }, null, 2)}\n`;
}

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("conformance [...paths]", "Run bpf_conformance .data files (files or directories) through the verifier and an engine")
    .option("--engine <name>", `Engine: ${Object.keys(ENGINES).join(", ")}`, { default: "interp" })
    .option("--isa <name>", "ISA for engines that compile (e.g. rv64imac_zba_zbb)")
    .option("--efficient-unaligned", "Model a kernel with efficient unaligned access (RISC-V's default is strict alignment)")
    .option("--json", "Print every file's outcome and the totals as JSON")
    .option("--failures", "List only failures (and the summary)")
    .example("  rvjit conformance ../shared/testdata/bpf-conformance --engine interp")
    .example("  rvjit conformance tests/lock_cmpxchg.data --json")
    .action((paths: string[], o: Record<string, unknown>) => {
      if (paths.length === 0) throw new CliError("conformance: give .data files or directories (e.g. ../shared/testdata/bpf-conformance)");
      const engine = ENGINES[String(o.engine)];
      if (!engine) throw new CliError(`--engine: unknown engine '${String(o.engine)}' (engines: ${Object.keys(ENGINES).join(", ")})`);
      const outcomes = runSuite(paths, {
        engine, cwd: io.cwd, efficientUnalignedAccess: Boolean(o.efficientUnaligned), ...(o.isa !== undefined && { isa: String(o.isa) }),
      });
      if (outcomes.length === 0) throw new CliError("conformance: no .data files found");
      if (o.json) io.out(toJson(outcomes));
      else {
        for (const x of outcomes) if (!o.failures || x.verdict === "fail") io.out(line(x));
        io.out(summary(outcomes));
      }
      return outcomes.some((x) => x.verdict === "fail") ? 1 : 0;
    });
}
