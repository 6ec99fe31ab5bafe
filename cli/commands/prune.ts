/**
 * @fileoverview `rvjit prune [--check]`: remove goldens and pending goldens whose spec is gone, and sections of
 * configurations or passes a spec no longer runs. Only after a full, unfiltered run in which everything else passes
 * (a filtered or failing run cannot tell what is obsolete: insta#356, #440), so it refuses spec arguments and
 * --config, and runs the whole suite itself first. --check only reports (exit 1 when there is something to prune).
 */
import type { CAC } from "cac";
import { CliError, type CliIo } from "../io.js";
import { FORCE_OPTION, refuseUnderCi } from "../../suite/io.js";
import { findOrphans } from "../../suite/orphans.js";
import { allSpecs } from "../../suite/project.js";
import type { SpecOutcome } from "../../suite/session.js";
import { COLOR_OPTION, CONFIG_OPTION, JOBS_OPTION, makeCtx, runWithProgress, writerFor } from "../../suite/ui/context.js";
import { verdict } from "../../suite/ui/outcome-view.js";
import { plural } from "../../suite/plural.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("prune [...specs]", "Remove goldens whose spec is gone and sections no spec produces (full, passing runs only)")
    .option("--check", "Only report what would be removed (exit code 1 if anything)")
    .option(...FORCE_OPTION)
    .option(...CONFIG_OPTION)
    .option(...COLOR_OPTION)
    .option(...JOBS_OPTION)
    .action((specs: string[], opts: Record<string, unknown>) => prune(io, specs, opts));
}

/** Stale sections are the only thing wrong with this spec. */
function onlyStale(o: SpecOutcome): boolean {
  return o.behaviourOk && o.golden.kind === "mismatch" && !o.golden.layout && o.golden.sections.every((s) => s.kind === "stale");
}

async function prune(io: CliIo, args: string[], opts: Record<string, unknown>): Promise<number> {
  if (args.length || opts.config !== undefined) {
    const filter = [...args, ...(opts.config !== undefined ? [`--config ${String(opts.config)}`] : [])].join(" ");
    throw new CliError(`prune refused: it needs a full, unfiltered run, and '${filter}' is a filter (run \`rvjit prune\` alone)`);
  }
  const ctx = await makeCtx(io, opts);
  const check = Boolean(opts.check);
  if (!check) refuseUnderCi(ctx.ci, opts, "prune", "use --check, or add --force");
  const paths = allSpecs(ctx.project);
  const outcomes = await runWithProgress(ctx, paths);
  const failing = outcomes.filter((o) => verdict(o) !== "ok" && verdict(o) !== "xfail" && !onlyStale(o));
  if (failing.length) {
    io.out(`prune refused: it runs only after a full, passing run, and ${plural(failing.length, "spec")} fail:\n` +
      failing.slice(0, 10).map((o) => `  ${o.path}\n`).join("") + (failing.length > 10 ? "  ...\n" : "") + "see `rvjit check`\n");
    return 1;
  }
  const orphans = findOrphans(ctx.project, paths);
  const stale = outcomes.filter(onlyStale);
  const c = ctx.colors;
  const w = check ? undefined : writerFor(ctx, Boolean(opts.force));
  const verb = check ? "would remove" : "removed";
  for (const f of [...orphans.goldens, ...orphans.pending]) {
    w?.remove(f);
    io.out(`${c.yellow(verb)} ${f} (its spec is gone)\n`);
  }
  for (const o of stale) {
    if (o.golden.kind !== "mismatch" || o.newText === undefined) continue;
    w?.write(o.goldenPath, o.newText);
    io.out(`${c.yellow(verb)} from ${o.goldenPath}: ${o.golden.sections.map((s) => s.key).join(", ")}\n`);
  }
  const n = orphans.goldens.length + orphans.pending.length + stale.length;
  io.out(n === 0 ? "nothing to prune\n" : check ? `${plural(n, "thing")} to prune: run \`rvjit prune\`\n` : `pruned ${n}\n`);
  return check && n > 0 ? 1 : 0;
}
