/**
 * @fileoverview The command line's io: the process-bound CliIo every verb gets by default, the turning of a library's
 * input errors into CliErrors, plus the io types, the user-facing error and the CI rule, which live in suite/io.ts
 * (the suite uses them too, and never imports cli/).
 */
import { CliError, type CliIo } from "../suite/io.js";

export { CliError, isCi, type CliIo } from "../suite/io.js";

/**
 * `f()`, with an error of one of the classes `kinds` (what bad input makes a library throw: AsmError, IsaError, ...)
 * rethrown as a CliError with its message, which already says what is wrong and where.
 */
export function asCliError<T>(f: () => T, ...kinds: ReadonlyArray<abstract new (...args: never[]) => Error>): T {
  try {
    return f();
  } catch (e) {
    if (kinds.some((k) => e instanceof k)) throw new CliError((e as Error).message);
    throw e;
  }
}

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
