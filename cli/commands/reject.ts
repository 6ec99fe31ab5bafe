/**
 * @fileoverview `rvjit reject <specs...|--all>`: delete pending goldens (`*.golden.new`) without touching the goldens.
 * Works for pending files whose spec is gone too. Refused under CI unless --force.
 */
import type { CAC } from "cac";
import type { CliIo } from "../io.js";
import { FORCE_OPTION } from "../../suite/io.js";
import { COLOR_OPTION, makeCtx, selectPending, writerFor } from "../../suite/ui/context.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("reject [...specs]", "Discard pending goldens (*.golden.new)")
    .option("--all", "Every pending golden")
    .option(...FORCE_OPTION)
    .option(...COLOR_OPTION)
    .example("  rvjit reject specs/alu/add64.bpf")
    .example("  rvjit reject --all")
    .action((specs: string[], opts: Record<string, unknown>) => reject(io, specs, opts));
}

async function reject(io: CliIo, args: string[], opts: Record<string, unknown>): Promise<number> {
  const ctx = await makeCtx(io, opts);
  const { found, none } = await selectPending(ctx, args, opts, "reject");
  const w = writerFor(ctx, Boolean(opts.force));
  for (const p of found) {
    w.remove(p);
    io.out(`${ctx.colors.yellow("rejected")} ${p}\n`);
  }
  io.out(`${found.length} rejected\n`);
  return none.length ? 1 : 0;
}
