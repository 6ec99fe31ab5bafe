/**
 * @fileoverview `rvjit coverage [specs...] [--config c] [--list] [--json]`: which eBPF instruction forms the specs
 * contain, against every form the JIT compiles, and which RV64 instructions and branch forms the JIT emitted for
 * them per configuration, against the instructions it can emit (suite/coverage.ts). Over the whole corpus (no spec
 * named), exit 1 when a form the JIT compiles is in no spec, so CI can hold the corpus to it; else 0.
 */
import type { CAC } from "cac";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { asCliError, type CliIo } from "../io.js";
import { computeCoverage, formatCoverage, type Coverage } from "../../suite/coverage.js";
import { CONFIGS } from "../../suite/config.js";
import { parseSpec } from "../../suite/spec/parse.js";
import { SpecError } from "../../suite/spec/errors.js";
import { CONFIG_OPTION, makeCtx, parseConfigs, select } from "../../suite/ui/context.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("coverage [...specs]", "Which eBPF instruction forms and RV64 instructions the specs exercise, and what they miss")
    .option(...CONFIG_OPTION)
    .option("--list", "List every form and instruction with the number of specs that use it")
    .option("--json", "Print the report as JSON")
    .example("  rvjit coverage                      # the whole corpus")
    .example("  rvjit coverage specs/atomic --list")
    .action((specs: string[], opts: Record<string, unknown>) => coverage(io, specs, opts));
}

function toJson(c: Coverage): string {
  const obj = {
    specs: c.specs,
    compiled: c.compiled,
    rejected: c.rejected,
    broken: c.broken,
    jitRefused: c.jitRefused,
    bpf: {
      supported: c.support.supported,
      refused: c.support.refused,
      missing: c.missingForms,
      forms: Object.fromEntries([...c.forms].map(([f, specs]) => [f, specs.length])),
    },
    rv: c.rv.map((r) => ({
      config: r.config,
      vocabulary: r.vocabulary,
      missing: r.missing,
      used: Object.fromEntries(r.used),
      branches: Object.fromEntries(r.branches),
    })),
  };
  return `${JSON.stringify(obj, null, 2)}\n`;
}

async function coverage(io: CliIo, args: string[], opts: Record<string, unknown>): Promise<number> {
  const ctx = await makeCtx(io, { color: "never" });
  const configs = parseConfigs(opts.config) ?? [...CONFIGS];
  const paths = await select(ctx, args);
  const specs = paths.map((p) => asCliError(() => parseSpec(readFileSync(join(ctx.project.root, p), "utf8"), p), SpecError));
  const c = computeCoverage(specs, configs);
  io.out(opts.json ? toJson(c) : formatCoverage(c, { list: Boolean(opts.list) }));
  return args.length === 0 && c.missingForms.length > 0 ? 1 : 0;
}
