/**
 * @fileoverview An in-memory io for running `rvjit` commands in-process: what they print is collected in `stdout`
 * and `stderr` for the test to read. One helper for every test that calls `main(argv, io)`.
 */
import type { SuiteIo } from "../../suite/ui/context.js";

export type MemoryIo = SuiteIo & { stdout: string; stderr: string };

/**
 * An io with no terminal (stdout or stdin), an empty environment and the process's working directory; anything in
 * `o` replaces those defaults or adds what a suite command may be given (an engine, a prompt, write hooks).
 */
export function memoryIo(o: Partial<SuiteIo> = {}): MemoryIo {
  const io: MemoryIo = {
    stdout: "",
    stderr: "",
    env: {},
    cwd: process.cwd(),
    isTTY: false,
    stdinIsTTY: false,
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    ...o,
  };
  return io;
}
