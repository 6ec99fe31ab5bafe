/**
 * @fileoverview `rvjit pending [--json]`: list pending goldens (`*.golden.new`) with the sections that differ from
 * the goldens, and say what to do with them. Read-only.
 */
import type { CAC } from "cac";
import type { CliIo } from "../io.js";
import { describePending } from "../../suite/pending.js";
import { listPending } from "../../suite/orphans.js";
import { COLOR_OPTION, makeCtx } from "../../suite/ui/context.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("pending", "List pending goldens (*.golden.new) and the sections that changed")
    .option("--json", "Machine-readable output")
    .option(...COLOR_OPTION)
    .action((opts: Record<string, unknown>) => pending(io, opts));
}

async function pending(io: CliIo, opts: Record<string, unknown>): Promise<number> {
  const ctx = await makeCtx(io, opts);
  const infos = listPending(ctx.project).map((p) => describePending(ctx.project, p));
  if (opts.json) {
    io.out(JSON.stringify(infos, null, 2) + "\n");
    return 0;
  }
  const c = ctx.colors;
  if (infos.length === 0) {
    io.out("no pending goldens\n");
    return 0;
  }
  for (const i of infos) {
    const what = !i.specExists ? c.red("spec gone") : i.newGolden ? c.green("new golden") : `changed: ${i.changed.join(", ") || "layout only"}`;
    io.out(`${i.pending}  ${c.dim(`(${i.spec})`)}  ${what}\n`);
  }
  io.out(`${infos.length} pending: \`rvjit review\` (interactive), \`rvjit diff <spec>\`, \`rvjit accept <spec>|--all\`, \`rvjit reject <spec>|--all\`\n`);
  return 0;
}
