/**
 * @fileoverview `rvjit update [specs...] [--config c]`: regenerate the goldens of the selected specs, and only those.
 * Refuses a spec whose behaviour fails (a golden is never written for broken behaviour) or that has errors, and
 * refuses to run at all under CI unless --force. With --config, only those sections are regenerated and the rest of
 * each golden is kept. Goldens with merge-conflict markers are regenerated whole. Writes are atomic.
 */
import type { CAC } from "cac";
import type { CliIo } from "../io.js";
import { FORCE_OPTION, refuseUnderCi } from "../../suite/io.js";
import { applyUpdates, conflictedSpecs } from "../../suite/update.js";
import { COLOR_OPTION, CONFIG_OPTION, JOBS_OPTION, makeCtx, parseConfigs, runWithProgress, select, writerFor } from "../../suite/ui/context.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("update [...specs]", "Rewrite the goldens of the specs (all, or those named) whose behaviour passes")
    .option(...CONFIG_OPTION)
    .option(...COLOR_OPTION)
    .option(...JOBS_OPTION)
    .option("--conflicted", "Only goldens with merge-conflict markers")
    .option(...FORCE_OPTION)
    .example("  rvjit update specs/alu/add64.bpf")
    .example("  rvjit update --conflicted            # after a merge")
    .action((specs: string[], opts: Record<string, unknown>) => update(io, specs, opts));
}

async function update(io: CliIo, args: string[], opts: Record<string, unknown>): Promise<number> {
  const ctx = await makeCtx(io, opts);
  refuseUnderCi(ctx.ci, opts, "update", "run it locally, or add --force");
  const configs = parseConfigs(opts.config);
  const selected = await select(ctx, args);
  const paths = opts.conflicted ? conflictedSpecs(ctx.project.root, selected) : selected;
  const outcomes = await runWithProgress(ctx, paths, configs);
  const engine = await ctx.engine();
  const r = applyUpdates({ project: ctx.project, colors: ctx.colors, writer: (f) => writerFor(ctx, f) }, outcomes, (l) => engine.isContextLine(l), Boolean(opts.force));
  io.out(r.text);
  if (opts.conflicted) io.out(`(${paths.length} conflicted of ${selected.length} selected)\n`);
  return r.code;
}
