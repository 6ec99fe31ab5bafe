/**
 * @fileoverview What every suite command starts from: the project, the engine, colours, CI mode, option parsing
 * shared by the verbs (--config, --color), runs with progress on long selections, the choice of pending goldens a
 * verb acts on, and the extra things tests can inject through the io object (an engine, a prompt, write hooks), so
 * commands run in-process against fakes.
 */
import { CliError, isCi, refuseUnderCi, type CliIo } from "../io.js";
import { CONFIGS, isConfigName, type ConfigName } from "../config.js";
import type { Engine } from "../engine.js";
import { Writer, type WriteHooks } from "../files.js";
import { listPending } from "../orphans.js";
import { pendingNamed } from "../pending.js";
import { findProject, selectSpecs, SelectionError, type Project } from "../project.js";
import { didYouMean } from "../spec/errors.js";
import { defaultJobs, MIN_PARALLEL_SPECS, runParallel } from "../parallel.js";
import { runSuite, type SpecOutcome } from "../session.js";
import { colorEnabled, makeColors, parseColorMode, type Colors } from "./color.js";

import type { Prompt } from "../review.js";

/** CliIo plus what tests may inject. */
export interface SuiteIo extends CliIo {
  engine?: Engine;
  prompt?: Prompt;
  writeHooks?: WriteHooks;
  /** Defaults to process.stdin.isTTY. */
  stdinIsTTY?: boolean;
}

export interface Ctx {
  io: SuiteIo;
  project: Project;
  colors: Colors;
  ci: boolean;
  engine(): Promise<Engine>;
  /** Runs specs: on worker threads for large selections with the real engine, else in this thread. */
  run(paths: readonly string[], o?: { configs?: readonly ConfigName[]; onProgress?(done: number, total: number, path: string): void }): Promise<SpecOutcome[]>;
}

/** `--jobs`, else RVJIT_JOBS, else parallel.ts's default. */
function jobsOf(v: unknown, env: Record<string, string | undefined>): number {
  const raw = v ?? env.RVJIT_JOBS;
  if (raw === undefined) return defaultJobs();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--jobs (or RVJIT_JOBS) must be a positive integer, not '${String(raw)}'`);
  return n;
}

export async function makeCtx(io: CliIo, opts: { color?: unknown; jobs?: unknown }): Promise<Ctx> {
  const sio = io as SuiteIo;
  const project = findProject(io.cwd);
  if (!project) throw new CliError(`no specs/ directory in ${io.cwd} or above: run rvjit inside a project (or create one with 'rvjit new specs/<area>/<name>.bpf')`);
  let mode;
  try {
    mode = parseColorMode(opts.color);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  let engine: Engine | undefined = sio.engine;
  const jobs = jobsOf(opts.jobs, io.env);
  const ctx: Ctx = {
    io: sio,
    project,
    colors: makeColors(colorEnabled(mode, io.env, io.isTTY)),
    ci: isCi(io.env),
    async engine() {
      if (!engine) engine = (await import("../engines/real.js")).realEngine();
      return engine;
    },
    async run(paths, o = {}) {
      const common = { ...(o.configs ? { configs: o.configs } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) };
      if (!sio.engine && jobs > 1 && paths.length >= MIN_PARALLEL_SPECS) {
        const r = await runParallel(paths, { root: project.root, jobs, ...common });
        if (r) return r;
      }
      return runSuite(paths, { project, engine: await ctx.engine(), ...common });
    },
  };
  return ctx;
}

export function writerFor(ctx: Ctx, force = false): Writer {
  return new Writer(ctx.project.root, ctx.ci && !force, ctx.io.writeHooks);
}

/** `--config rv64ima,rv64imac` (repeatable) -> names in matrix order; undefined when not given. */
export function parseConfigs(v: unknown): ConfigName[] | undefined {
  if (v === undefined) return undefined;
  const words = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(/[\s,]+/)).filter(Boolean);
  if (words.length === 0) throw new CliError(`--config needs a configuration (${CONFIGS.join(", ")})`);
  for (const w of words) {
    if (!isConfigName(w)) throw new CliError(`unknown configuration '${w}'${didYouMean(w, CONFIGS)} (configurations: ${CONFIGS.join(", ")})`);
  }
  return CONFIGS.filter((c) => words.includes(c));
}

export async function select(ctx: Ctx, args: readonly string[]): Promise<string[]> {
  try {
    return await selectSpecs(ctx.project, ctx.io.cwd, args);
  } catch (e) {
    if (e instanceof SelectionError) throw new CliError(e.message);
    throw e;
  }
}

/** A progress line on the terminal for runs of more than a few specs; nothing when output is not a terminal. */
function progress(ctx: Ctx, total: number): { tick(done: number, total: number, path: string): void; done(): void } {
  const on = ctx.io.isTTY && total >= 8;
  let last = 0;
  return {
    tick(done, n, path) {
      const now = Date.now();
      if (!on || (now - last < 50 && done < n)) return;
      last = now;
      ctx.io.err(`\r\x1b[K[${String(done).padStart(String(n).length)}/${n}] ${path}`);
    },
    done() {
      if (on) ctx.io.err("\r\x1b[K");
    },
  };
}

/** ctx.run over `paths` (only `configs`, when given) with a progress line on the terminal. */
export async function runWithProgress(ctx: Ctx, paths: readonly string[], configs?: readonly ConfigName[]): Promise<SpecOutcome[]> {
  const bar = progress(ctx, paths.length);
  try {
    return await ctx.run(paths, { ...(configs ? { configs } : {}), onProgress: bar.tick });
  } finally {
    bar.done();
  }
}

/**
 * The pending goldens a verb that writes acts on: every one with --all, else those `args` name (pending or golden
 * paths, or anything `select` understands); prints each name with nothing pending and returns those in `none`.
 * Refuses with neither names nor --all, and under CI without --force.
 */
export async function selectPending(ctx: Ctx, args: readonly string[], opts: { all?: unknown; force?: unknown }, verb: string): Promise<{ found: string[]; none: string[] }> {
  if (args.length === 0 && !opts.all) throw new CliError(`name the specs whose pending goldens to ${verb}, or --all (see \`rvjit pending\`)`);
  refuseUnderCi(ctx.ci, opts, verb);
  const r = opts.all ? { found: listPending(ctx.project), none: [] } : await pendingNamed(ctx.project, ctx.io.cwd, args, (a) => select(ctx, a));
  for (const n of r.none) ctx.io.out(`nothing pending for '${n}'\n`);
  return r;
}

export const COLOR_OPTION = ["--color <when>", "Colour: auto, always or never (NO_COLOR and FORCE_COLOR are honoured)", { default: "auto" }] as const;
export const JOBS_OPTION = ["--jobs <n>", "Worker threads for large runs (default: 1 below 4 cores, else up to 4; RVJIT_JOBS)"] as const;
export const CONFIG_OPTION = ["--config <names>", `Only these configurations, comma-separated (${CONFIGS.join(", ")})`] as const;
