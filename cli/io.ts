/**
 * @fileoverview The command line's io: the process-bound CliIo every verb gets by default, plus the io types, the
 * user-facing error and the CI rule, which live in suite/io.ts (the suite uses them too, and never imports cli/).
 */
import type { CliIo } from "../suite/io.js";

export { CliError, isCi, type CliIo } from "../suite/io.js";

/** The real process: stdout, stderr, the environment and the working directory. */
export function defaultIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
  };
}
