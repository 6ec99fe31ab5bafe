/**
 * @fileoverview `rvjit show <spec> [--config c] [--dump-after=<pass>]`: print what the tool generates for a spec,
 * without comparing or writing: the golden sections, or with --dump-after the output of that pass (the same text
 * golden pass sections hold). Behaviour problems follow on stderr.
 */
import type { CAC } from "cac";
import { CliError, type CliIo } from "../io.js";
import { renderGolden, sectionKey } from "../../suite/golden/format.js";
import { runSpec } from "../../suite/session.js";
import { didYouMean } from "../../suite/spec/errors.js";
import { COLOR_OPTION, CONFIG_OPTION, makeCtx, parseConfigs, select } from "../../suite/ui/context.js";
import { renderOutcome } from "../../suite/ui/outcome-view.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("show <spec>", "Print a spec's generated listing (or a pass's output) without comparing")
    .option(...CONFIG_OPTION)
    .option("--dump-after <pass>", "Print the program after this pass instead (repeatable; see the pass list in the error for a wrong name)")
    .option(...COLOR_OPTION)
    .example("  rvjit show specs/alu/add64.bpf --config rv64imac")
    .example("  rvjit show add64 --dump-after=lower")
    .action((spec: string, opts: Record<string, unknown>) => show(io, spec, opts));
}

async function show(io: CliIo, arg: string, opts: Record<string, unknown>): Promise<number> {
  const ctx = await makeCtx(io, opts);
  const configs = parseConfigs(opts.config);
  const paths = await select(ctx, [arg]);
  if (paths.length !== 1) throw new CliError(`'${arg}' matches ${paths.length} specs (${paths.slice(0, 5).join(", ")}${paths.length > 5 ? ", ..." : ""}): name one`);
  const engine = await ctx.engine();
  const passes = opts.dumpAfter === undefined ? [] : (Array.isArray(opts.dumpAfter) ? opts.dumpAfter : [opts.dumpAfter]).flatMap((p) => String(p).split(","));
  for (const p of passes) {
    if (!engine.passes.includes(p)) throw new CliError(`unknown pass '${p}'${didYouMean(p, engine.passes)} (passes: ${engine.passes.join(", ")})`);
  }
  const o = runSpec(paths[0]!, { project: ctx.project, engine, extraPasses: passes, fullListing: true, ...(configs ? { configs } : {}) });
  if (o.specError || !o.spec) {
    io.err(`${o.specError?.message}\n`);
    return 2;
  }
  const wanted = configs ?? o.spec.configs;
  const sections = o.runs.filter((r) => wanted.includes(r.config)).flatMap((r) => r.sections ?? []);
  const chosen = passes.length ? sections.filter((s) => s.pass !== undefined && passes.includes(s.pass)) : sections;
  if (passes.length) {
    for (const s of chosen) io.out(`=== ${sectionKey(s)} ===\n${s.body}\n\n`);
  } else {
    io.out(renderGolden({ specPath: o.path, description: o.spec.description, configs: o.spec.configs }, chosen));
  }
  if (!o.behaviourOk) io.err(renderOutcome({ ...o, golden: { kind: "match" } }, { colors: ctx.colors, isContextLine: () => false, diffs: false }));
  return o.behaviourOk ? 0 : 1;
}
