/**
 * @fileoverview `rvjit accept <specs...|--all>`: make pending goldens (`*.golden.new`, proposed by `rvjit check`) the
 * goldens. Each spec is run again first: a pending golden is accepted only if the behaviour still passes and the
 * tool still produces exactly that file. Refused under CI unless --force.
 */
import type { CAC } from "cac";
import type { CliIo } from "../io.js";
import { FORCE_OPTION } from "../../suite/io.js";
import { acceptPending } from "../../suite/pending.js";
import { COLOR_OPTION, makeCtx, selectPending, writerFor } from "../../suite/ui/context.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("accept [...specs]", "Accept pending goldens (*.golden.new) after re-checking their specs")
    .option("--all", "Every pending golden")
    .option(...FORCE_OPTION)
    .option(...COLOR_OPTION)
    .example("  rvjit accept specs/alu/add64.bpf")
    .example("  rvjit accept goldens/alu/add64.golden.new")
    .example("  rvjit accept --all")
    .action((specs: string[], opts: Record<string, unknown>) => accept(io, specs, opts));
}

async function accept(io: CliIo, args: string[], opts: Record<string, unknown>): Promise<number> {
  const ctx = await makeCtx(io, opts);
  const { found, none } = await selectPending(ctx, args, opts, "accept");
  const c = ctx.colors;
  const w = writerFor(ctx, Boolean(opts.force));
  const engine = found.length ? await ctx.engine() : undefined;
  let refused = 0;
  for (const p of found) {
    const r = acceptPending(ctx.project, engine!, p, w);
    if (r.accepted) io.out(`${c.green("accepted")} ${p.slice(0, -4)}\n`);
    else {
      refused++;
      io.out(`${c.red("refused ")} ${p}: ${r.reason}\n`);
    }
  }
  io.out(`${found.length - refused} accepted${refused ? `, ${refused} refused` : ""}\n`);
  return refused || none.length ? 1 : 0;
}
