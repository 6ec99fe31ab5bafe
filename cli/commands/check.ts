/**
 * @fileoverview `rvjit check [specs...] [--config c]`: compile and run every selected spec under each configuration
 * (emulator and reference interpreter), judge the behaviour against the spec, and compare the output with the
 * golden, section by section. Locally, a golden that differs (for a spec that behaves) is proposed as
 * `<golden>.new` for `rvjit review`/`accept`; under CI nothing is ever written. A full run (no filter) also fails
 * on goldens whose spec is gone.
 */
import type { CAC } from "cac";
import { execFileSync } from "node:child_process";
import type { CliIo } from "../io.js";
import { findOrphans } from "../../suite/orphans.js";
import { allSpecs } from "../../suite/project.js";
import { COLOR_OPTION, CONFIG_OPTION, JOBS_OPTION, makeCtx, parseConfigs, runWithProgress, select, writerFor } from "../../suite/ui/context.js";
import { renderOutcome, verdict } from "../../suite/ui/outcome-view.js";
import { exitCode, summaryText, tally } from "../../suite/ui/summary.js";
import { proposePending } from "../../suite/pending.js";
import { plural } from "../../suite/plural.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("check [...specs]", "Run the specs (all, or those named) and compare them with their goldens")
    .option(...CONFIG_OPTION)
    .option(...COLOR_OPTION)
    .option(...JOBS_OPTION)
    .option("--max-diff-lines <n>", "Changed lines shown per spec (0: all; `rvjit diff` shows all)", { default: 40 })
    .option("--no-pending", "Do not save differing goldens as *.golden.new")
    .example("  rvjit check                         # the whole suite")
    .example("  rvjit check specs/alu               # a directory, a file, a glob, or part of a path")
    .example("  rvjit check add64 --config rv64imac")
    .action((specs: string[], opts: Record<string, unknown>) => check(io, specs, opts));
}

/** Those of `pending` that git tracks (none when this is not a git work tree). */
function committedPending(root: string, pending: readonly string[]): string[] {
  let tracked: Set<string>;
  try {
    tracked = new Set(execFileSync("git", ["ls-files", "-z", "--", "*.golden.new"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split("\0"));
  } catch {
    return [];
  }
  return pending.filter((p) => tracked.has(p));
}

async function check(io: CliIo, args: string[], opts: Record<string, unknown>): Promise<number> {
  const ctx = await makeCtx(io, opts);
  const configs = parseConfigs(opts.config);
  const paths = await select(ctx, args);
  const full = args.length === 0 && configs === undefined;
  const mayWrite = !ctx.ci && opts.pending !== false;
  const c = ctx.colors;
  io.out(`rvjit check: ${plural(paths.length, "spec")}${configs ? ` (${configs.join(", ")})` : ""}; ` +
    (ctx.ci ? "CI: read-only, nothing is written\n" : mayWrite ? "differing goldens are saved as *.golden.new for `rvjit review`\n" : "nothing is written\n"));
  const t0 = performance.now();
  const outcomes = await runWithProgress(ctx, paths, configs);
  const maxLines = Number(opts.maxDiffLines);
  const failed = outcomes.filter((o) => verdict(o) !== "ok");
  const engine = failed.length ? await ctx.engine() : undefined;
  for (const o of failed) {
    io.out(renderOutcome(o, { colors: c, isContextLine: (l) => engine!.isContextLine(l), diffs: true, timeoutMs: 2000, ...(maxLines > 0 ? { maxLines } : {}) }));
  }
  // Proposals are never part of a change: under CI, fail on pending goldens that git tracks.
  const strayPending = ctx.ci ? committedPending(ctx.project.root, outcomes.map((o) => o.pendingPath)) : [];
  for (const p of strayPending) io.out(`${c.red("FAIL ")} ${p}: a pending golden is committed (accept or reject it locally, and commit the result)\n`);
  let orphanCount = 0;
  if (full) {
    const orphans = findOrphans(ctx.project, allSpecs(ctx.project));
    for (const g of [...orphans.goldens, ...orphans.pending]) io.out(`${c.red("FAIL ")} ${g}: its spec is gone (\`rvjit prune\` removes it)\n`);
    orphanCount = orphans.goldens.length + orphans.pending.length;
  }
  let written = 0;
  if (mayWrite) {
    const w = writerFor(ctx);
    for (const o of outcomes) if (proposePending(o, w)) written++;
  }
  const t = tally(outcomes);
  io.out(summaryText(t, (performance.now() - t0) / 1000, c));
  if (orphanCount) io.out(c.red(`${plural(orphanCount, "orphan golden")}\n`));
  if (written) io.out(`${plural(written, "proposed golden")} in *.golden.new: \`rvjit review\`, or \`rvjit accept <spec>\` / \`rvjit reject <spec>\`\n`);
  else if (t.golden && ctx.ci) io.out("goldens differ: run `rvjit check` locally, then `rvjit review` (or `rvjit update <spec>`)\n");
  return exitCode(t, orphanCount + strayPending.length);
}
