/**
 * @fileoverview What a command may touch of the outside world (its output streams, the environment, the working
 * directory), the error it throws for the user, and the CI rules (when CI is set, and that CI never writes). The
 * suite's commands and the CLI both use these; they live here so that the suite never imports cli/ (cli/io.ts
 * re-exports them, beside the process-bound default). Commands take a CliIo instead of using process.* directly,
 * so tests can run them in-process and read what they print.
 */

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** True when stdout is an interactive terminal. */
  isTTY: boolean;
}

/** An error meant for the user: printed as `rvjit: <message>`, exit code 2 unless said otherwise. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = "CliError";
  }
}

/** The option of every verb that writes, which lifts refuseUnderCi. */
export const FORCE_OPTION = ["--force", "Write even under CI"] as const;

/**
 * Refuses a verb that writes when CI is set, unless --force: CI never writes. `instead` says what to do instead.
 */
export function refuseUnderCi(ci: boolean, opts: { force?: unknown }, verb: string, instead = "add --force to write anyway"): void {
  if (ci && !opts.force) throw new CliError(`${verb} refused: CI is set, and CI never writes (${instead})`);
}

/** True when running under CI: `CI` set and not empty, `0` or `false` (insta's rule). */
export function isCi(env: Record<string, string | undefined>): boolean {
  const v = env.CI;
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}
