/**
 * @fileoverview `rvjit diff <spec...> [--config c]`: run specs and print their golden differences in full (no line
 * cap), with their behaviour problems. Writes nothing. Exit code 0 when nothing differs and behaviour passes.
 */
import type { CAC } from "cac";
import { CliError, type CliIo } from "../io.js";
import { COLOR_OPTION, CONFIG_OPTION, makeCtx, parseConfigs, select } from "../../suite/ui/context.js";
import { renderOutcome, verdict } from "../../suite/ui/outcome-view.js";
import { exitCode, tally } from "../../suite/ui/summary.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("diff [...specs]", "Show how the specs' goldens would change (whole diffs; writes nothing)")
    .option(...CONFIG_OPTION)
    .option(...COLOR_OPTION)
    .example("  rvjit diff specs/alu/add64.bpf --config rv64imac")
    .action((specs: string[], opts: Record<string, unknown>) => diff(io, specs, opts));
}

async function diff(io: CliIo, args: string[], opts: Record<string, unknown>): Promise<number> {
  if (args.length === 0) throw new CliError("name a spec: rvjit diff <spec> (rvjit check shows every difference, capped)");
  const ctx = await makeCtx(io, opts);
  const configs = parseConfigs(opts.config);
  const paths = await select(ctx, args);
  const engine = await ctx.engine();
  const outcomes = await ctx.run(paths, configs ? { configs } : {});
  for (const o of outcomes) {
    if (verdict(o) === "ok") io.out(`${ctx.colors.green("same ")} ${o.path}\n`);
    else io.out(renderOutcome(o, { colors: ctx.colors, isContextLine: (l) => engine.isContextLine(l), diffs: true }));
  }
  return exitCode(tally(outcomes));
}
