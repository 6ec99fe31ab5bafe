/**
 * @fileoverview `rvjit report --markdown [specs...]`: a pull-request summary of the run (changed goldens, size deltas
 * per configuration, behaviour failures) in Markdown on stdout, e.g. `rvjit report --markdown >> $GITHUB_STEP_SUMMARY`.
 * `--patch` prints instead a `git apply`-able patch of every golden the tool would write. Writes nothing; the exit
 * code is 0 unless the command itself fails (`rvjit check` is the gate).
 */
import type { CAC } from "cac";
import { CliError, type CliIo } from "../io.js";
import { goldenPatch, markdownReport } from "../../suite/report.js";
import { CONFIG_OPTION, JOBS_OPTION, makeCtx, parseConfigs, select } from "../../suite/ui/context.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("report [...specs]", "Summarise the run for a pull request (Markdown), or print the golden changes as a patch")
    .option("--markdown", "Markdown summary: changed goldens, size deltas per configuration, failures (the default)")
    .option("--patch", "A git apply-able patch of every golden that would change")
    .option(...CONFIG_OPTION)
    .option(...JOBS_OPTION)
    .example("  rvjit report --markdown >> \"$GITHUB_STEP_SUMMARY\"")
    .example("  rvjit report --patch > goldens.patch && git apply goldens.patch")
    .action((specs: string[], opts: Record<string, unknown>) => report(io, specs, opts));
}

async function report(io: CliIo, args: string[], opts: Record<string, unknown>): Promise<number> {
  if (opts.markdown && opts.patch) throw new CliError("--markdown and --patch are two different reports: choose one");
  const ctx = await makeCtx(io, { color: "never", jobs: opts.jobs });
  const configs = parseConfigs(opts.config);
  const paths = await select(ctx, args);
  const outcomes = await ctx.run(paths, configs ? { configs } : {});
  io.out(opts.patch ? goldenPatch(outcomes) : markdownReport(outcomes));
  return 0;
}
