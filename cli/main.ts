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

/** Arguments that print help or the version (cac prints them while parsing). */
const HELP_OR_VERSION = new Set(["--help", "-h", "--version", "-v"]);

/**
 * Start-up loads only the module of the verb being run: each verb's file is named after it, and the modules it
 * imports (the suite, the JIT, the emulator, ...) are most of a short command's time. Help, an unknown verb, or a
 * verb whose file is named otherwise get every command.
 */
async function verbModule(argv: readonly string[]): Promise<{ register: Registrar } | undefined> {
  const verb = argv[0];
  if (verb === undefined || !/^[a-z][a-z0-9-]*$/.test(verb) || argv.some((a) => HELP_OR_VERSION.has(a))) return undefined;
  try {
    // A computed URL, not a template literal: bundlers and test runners rewrite `import(\`./x/${v}.js\`)`.
    return (await import(new URL(`./commands/${verb}.js`, import.meta.url).href)) as { register: Registrar };
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw e;
  }
}

function makeCli(modules: ReadonlyArray<{ register: Registrar }>, io: CliIo): ReturnType<typeof cac> {
  const cli = cac("rvjit");
  for (const m of modules) m.register(cli, io);
  cli.help(withoutNegatedDefaults);
  cli.version("0.1.0");
  return cli;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const one = await verbModule(argv);
  const versionOnly = argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v");
  let cli = makeCli(one ? [one] : versionOnly ? [] : await Promise.all(COMMANDS.map((load) => load())), io);
  try {
    cli.parse(["node", "rvjit", ...argv], { run: false });
    if (one && !cli.matchedCommand) {
      cli = makeCli(await Promise.all(COMMANDS.map((load) => load())), io);
      cli.parse(["node", "rvjit", ...argv], { run: false });
    }
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

/**
 * cac gives every `--no-x` option a default of true (meaning: x is on) and prints it as "(default: true)" beside
 * `--no-x`, which reads as if the negation were on by default. Drop that note from the help text.
 */
function withoutNegatedDefaults(sections: { title?: string; body: string }[]): { title?: string; body: string }[] {
  return sections.map((s) => ({ ...s, body: s.body.replace(/^(\s+--no-\S.*?)\s*\(default: true\)\s*$/gm, "$1") }));
}
