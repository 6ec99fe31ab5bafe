/**
 * @fileoverview What a command may touch of the outside world: its output streams and the environment.
 * Commands take a CliIo instead of using process.* directly, so tests can run them in-process and read what they print.
 */

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** True when stdout is an interactive terminal. */
  isTTY: boolean;
}

export function defaultIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
  };
}

/** An error meant for the user: printed as `rvjit: <message>`, exit code 2 unless said otherwise. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = "CliError";
  }
}

/** True when running under CI: `CI` set and not empty, `0` or `false` (insta's rule). */
export function isCi(env: Record<string, string | undefined>): boolean {
  const v = env.CI;
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}
