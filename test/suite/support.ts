/**
 * @fileoverview Test support for the suite machinery: a small fake engine with a toy program language, throw-away
 * project directories, a fingerprint of a directory tree, and for the verbs' tests a runner of `rvjit` on a project
 * with the fake engine plus a few specs in its language (the in-memory io itself is test/support/io.ts).
 *
 * The fake engine's "programs" are lines of:
 *   rN = <int> | rN = rM | rN += <int> | rN += rM   (64-bit)
 *   throw <int>                                    (ends the run with a throw)
 *   exit                                           (ends the run, returning r0)
 *   unsupported <what>  crash  reject <message>  bad   (NotSupported, internal error, verifier rejection, SpecError)
 * Its listing prints each line under a `; bpf[i]` annotation; `tweak` lets a test change one configuration's output.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { main } from "../../cli/main.js";
import type { ConfigName } from "../../suite/config.js";
import { NotSupported, type Engine, type EngineRequest, type EngineResult, type Observed } from "../../suite/engine.js";
import { SpecError } from "../../suite/spec/errors.js";
import type { SuiteIo } from "../../suite/ui/context.js";
import { memoryIo } from "../support/io.js";

export interface FakeOptions {
  /** Rewrites the listing of one configuration (to simulate a JIT change). */
  tweak?: (config: ConfigName, listing: string) => string;
  /** Added to every r0 (to simulate a miscompile) for these configurations. */
  skewR0?: Partial<Record<ConfigName, bigint>>;
}

const M64 = (1n << 64n) - 1n;

export function fakeEngine(opts: FakeOptions = {}): Engine & { calls: EngineRequest[] } {
  const calls: EngineRequest[] = [];
  return {
    calls,
    passes: ["xlated", "lower"],
    isContextLine: (l) => l.startsWith("; bpf["),
    evaluate(req): EngineResult {
      calls.push(req);
      const prog = req.spec.programs[0]!;
      const lines = prog.source.split("\n").map((t, i) => ({ t: t.trim(), line: i + 1 })).filter((l) => l.t && !l.t.startsWith("#"));
      for (const l of lines) {
        const at = { file: req.spec.path, line: l.line, col: 1 };
        if (l.t === "bad") throw new SpecError(at, "bad instruction");
        if (l.t.startsWith("unsupported")) throw new NotSupported(l.t.slice(12), at);
        if (l.t === "crash") throw new Error("fake JIT crashed");
        if (l.t.startsWith("reject")) return { kind: "rejected", message: l.t.slice(7), at };
      }
      const c = req.config.includes("c");
      let listing = lines.map((l, i) => `; bpf[${i}] ${l.t}\n  insn_${i} a5,a0`).join("\n");
      if (opts.tweak) listing = opts.tweak(req.config, listing);
      const runs: Observed[] = req.spec.runs.map((rc) => {
        const regs = new Array<bigint>(11).fill(0n);
        rc.args.forEach((v, i) => (regs[i + 1] = v ?? 0n));
        let thrown: bigint | undefined;
        for (const l of lines) {
          const m = /^r(\d+) (\+?=) (r(\d+)|-?\d+)$/.exec(l.t);
          if (m) {
            const v = m[4] !== undefined ? regs[Number(m[4])]! : BigInt(m[3]!);
            regs[Number(m[1])] = (m[2] === "=" ? v : regs[Number(m[1])]! + v) & M64;
          }
          const t = /^throw (\d+)$/.exec(l.t);
          if (t) {
            thrown = BigInt(t[1]!);
            break;
          }
          if (l.t === "exit") break;
        }
        const r0 = ((thrown ?? regs[0]!) + (opts.skewR0?.[req.config] ?? 0n)) & M64;
        const o: Observed = { outcome: thrown === undefined ? "return" : "throw", r0, ret: BigInt.asUintN(64, BigInt.asIntN(32, r0)), steps: lines.length + 4, stackUsed: 16 };
        if (thrown !== undefined) Object.assign(o, { cookie: thrown, frames: ["main"] });
        if (rc.ctx) o.ctxAfter = rc.ctx;
        return o;
      });
      return {
        kind: "compiled",
        summary: { rvInsns: lines.length + 4, bytes: (lines.length + 4) * (c ? 3 : 4), bpfInsns: lines.length },
        listing,
        passes: req.dumpAfter.map((p) => ({ pass: p, text: `${p}: ${lines.length} insns` })),
        runs,
      };
    },
  };
}

/** A fresh project directory with `files` (root-relative path -> text). */
export function tempProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "rvjit-suite-"));
  mkdirSync(join(root, "specs"), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** Every file under `root` (recursively) with a hash of its content and its mtime: any write changes it. */
export function fingerprint(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    out[p.slice(root.length + 1)] = `${createHash("sha1").update(readFileSync(p)).digest("hex")} ${statSync(p).mtimeMs}`;
  }
  return out;
}

export function read(root: string, rel: string): string {
  return readFileSync(join(root, rel), "utf8");
}

/** A spec text in the fake engine's language. */
export function fakeSpec(desc: string, body: string): string {
  return `; ${desc}\n${body.trim()}\n`;
}

/** Runs `rvjit <args>` in `root` with the fake engine (unless given another) and returns what it printed. */
export async function cli(root: string, args: string[], o: { engine?: Engine; env?: Record<string, string>; extra?: Partial<SuiteIo> } = {}) {
  const io = memoryIo({ cwd: root, env: o.env ?? {}, engine: o.engine ?? fakeEngine(), ...o.extra });
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

export const ADD = fakeSpec("add two numbers", "; run: r1=1 r2=2 => r0=3\nr0 = r1\nr0 += r2\nexit");
export const SUB = fakeSpec("move a constant", "; run: => r0=7\nr0 = 7\nexit");
export const FAILS = fakeSpec("wrong expectation", "; run: r1=1 => r0=2\nr0 = r1\nexit");
/** rv64imac_zba_zbb's output differs from the others' (its section is not collapsed). */
export const onlyZbb = (from: string, to: string) => fakeEngine({ tweak: (c, l) => (c === "rv64imac_zba_zbb" ? l.replace(from, to) : l) });
/** Every configuration's output changes, for programs of three instructions or more. */
export const allChanged = () => fakeEngine({ tweak: (_c, l) => l.replace("insn_2", "insn_Y") });

/** A fresh project with `files`, and goldens written for its specs by `rvjit update` (with `engine`). */
export async function projectWithGoldens(files: Record<string, string>, engine = fakeEngine()): Promise<string> {
  const root = tempProject(files);
  const r = await cli(root, ["update"], { engine });
  if (r.code !== 0) throw new Error(`rvjit update exited ${r.code} setting up the project:\n${r.out}${r.err}`);
  return root;
}
