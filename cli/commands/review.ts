/**
 * @fileoverview `rvjit review [specs...]`: go through pending goldens one by one (diff, then accept / reject / skip).
 * Needs a terminal; without one it names the non-interactive commands instead (exit code 2).
 */
import type { CAC } from "cac";
import { CliError, type CliIo } from "../io.js";
import { FORCE_OPTION } from "../../suite/io.js";
import { review, type Prompt } from "../../suite/review.js";
import { COLOR_OPTION, makeCtx, selectPending, writerFor, type SuiteIo } from "../../suite/ui/context.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("review [...specs]", "Review pending goldens interactively: accept, reject or skip each")
    .option(...FORCE_OPTION)
    .option(...COLOR_OPTION)
    .action((specs: string[], opts: Record<string, unknown>) => run(io, specs, opts));
}

const NON_INTERACTIVE =
  "Without a terminal, use:\n" +
  "  rvjit pending                       list pending goldens\n" +
  "  rvjit diff <spec>                   show a spec's golden diff\n" +
  "  rvjit accept <spec...> | --all      accept (re-checks the spec first)\n" +
  "  rvjit reject <spec...> | --all      discard\n";

/** Reads one of `keys` from the terminal, without waiting for Enter. */
function terminalPrompt(io: CliIo): Prompt {
  return (question, keys) =>
    new Promise((resolve) => {
      io.out(question);
      const stdin = process.stdin;
      stdin.setRawMode(true);
      stdin.resume();
      const onData = (b: Buffer) => {
        const k = b.toString("utf8");
        const key = k === "\u0003" || k === "\u0004" ? "q" : keys.includes(k) ? k : undefined;
        if (key === undefined) return;
        stdin.off("data", onData);
        stdin.setRawMode(false);
        stdin.pause();
        io.out(`${key}\n`);
        resolve(key);
      };
      stdin.on("data", onData);
    });
}

async function run(io: CliIo, args: string[], opts: Record<string, unknown>): Promise<number> {
  const sio = io as SuiteIo;
  const ctx = await makeCtx(io, opts);
  const interactive = sio.prompt !== undefined || (io.isTTY && (sio.stdinIsTTY ?? Boolean(process.stdin.isTTY)));
  if (!interactive) throw new CliError(`review needs an interactive terminal.\n${NON_INTERACTIVE}`);
  const { found } = await selectPending(ctx, args, { ...opts, all: args.length === 0 }, "review");
  if (found.length === 0) {
    io.out("no pending goldens to review (`rvjit check` proposes them)\n");
    return 0;
  }
  const t = await review(found, {
    project: ctx.project,
    engine: await ctx.engine(),
    writer: writerFor(ctx, Boolean(opts.force)),
    colors: ctx.colors,
    prompt: sio.prompt ?? terminalPrompt(io),
    out: (s) => io.out(s),
  });
  io.out(`\n${t.accepted} accepted, ${t.rejected} rejected, ${t.skipped} skipped${t.refused ? `, ${t.refused} refused` : ""}\n`);
  return t.refused ? 1 : 0;
}
