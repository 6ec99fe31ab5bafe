/**
 * @fileoverview The rvjit command line: one cac instance, one file per verb under cli/commands/.
 * Each command module exports `register(cli, io)`; adding a verb means adding one import and one line below.
 * Exit codes: 0 all good, 1 a check failed (golden mismatch, behaviour failure), 2 usage or input error.
 */
import { cac } from "cac";
import { CliError, type CliIo, defaultIo } from "./io.js";

type Registrar = (cli: ReturnType<typeof cac>, io: CliIo) => void;

/** Every verb, in the order `rvjit --help` lists them. */
const COMMANDS: Array<() => Promise<{ register: Registrar }>> = [
  // (verbs are added here by the issues that build them)
  () => import("./commands/check.js"),
  () => import("./commands/update.js"),
  () => import("./commands/review.js"),
  () => import("./commands/accept.js"),
  () => import("./commands/reject.js"),
  () => import("./commands/pending.js"),
  () => import("./commands/diff.js"),
  () => import("./commands/show.js"),
  () => import("./commands/new.js"),
  () => import("./commands/prune.js"),
  () => import("./commands/report.js"),
  () => import("./commands/rv.js"),
  () => import("./commands/jit.js"),
  () => import("./commands/conformance.js"),
  () => import("./commands/emu.js"),
  () => import("./commands/coverage.js"),
];

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const cli = cac("rvjit");
  for (const load of COMMANDS) (await load()).register(cli, io);
  cli.help();
  cli.version("0.1.0");
  try {
    cli.parse(["node", "rvjit", ...argv], { run: false });
    if (!cli.matchedCommand) {
      if (argv.length > 0 && !argv.includes("--help") && !argv.includes("-h") && !argv.includes("--version") && !argv.includes("-v")) {
        io.err(`rvjit: unknown command '${argv[0]}' (see 'rvjit --help')\n`);
        return 2;
      }
      if (argv.length === 0) cli.outputHelp();
      return 0;
    }
    const code = await cli.runMatchedCommand();
    return typeof code === "number" ? code : 0;
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`rvjit: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof Error && e.name === "CACError") {
      io.err(`rvjit: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
