/**
 * @fileoverview `rvjit reject <specs...|--all>`: delete pending goldens (`*.golden.new`) without touching the goldens.
 * Works for pending files whose spec is gone too. Refused under CI unless --force.
 */
import type { CAC } from "cac";
import { CliError, type CliIo } from "../io.js";
import { pendingNamed } from "../../suite/pending.js";
import { listPending } from "../../suite/orphans.js";
import { COLOR_OPTION, makeCtx, select, writerFor } from "../../suite/ui/context.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("reject [...specs]", "Discard pending goldens (*.golden.new)")
    .option("--all", "Every pending golden")
    .option("--force", "Write even under CI")
    .option(...COLOR_OPTION)
    .example("  rvjit reject specs/alu/add64.bpf")
    .example("  rvjit reject --all")
    .action((specs: string[], opts: Record<string, unknown>) => reject(io, specs, opts));
}

async function reject(io: CliIo, args: string[], opts: Record<string, unknown>): Promise<number> {
  const ctx = await makeCtx(io, opts);
  if (args.length === 0 && !opts.all) throw new CliError("name the specs whose pending goldens to discard, or --all (see `rvjit pending`)");
  if (ctx.ci && !opts.force) throw new CliError("reject refused: CI is set, and CI never writes (add --force to delete anyway)");
  const { found, none } = opts.all ? { found: listPending(ctx.project), none: [] } : await pendingNamed(ctx.project, io.cwd, args, (a) => select(ctx, a));
  for (const n of none) io.out(`nothing pending for '${n}'\n`);
  const w = writerFor(ctx, Boolean(opts.force));
  for (const p of found) {
    w.remove(p);
    io.out(`${ctx.colors.yellow("rejected")} ${p}\n`);
  }
  io.out(`${found.length} rejected\n`);
  return none.length ? 1 : 0;
}
