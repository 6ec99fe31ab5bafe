import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import type { CliIo } from "../../cli/io.js";

/** An in-memory CliIo whose output the test can read. */
export function memoryIo(env: Record<string, string | undefined> = {}): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    env,
    cwd: process.cwd(),
    isTTY: false,
    out(t: string) { io.stdout += t; },
    err(t: string) { io.stderr += t; },
  };
  return io;
}

describe("rvjit command line", () => {
  it("rejects an unknown verb with exit code 2 and names it", async () => {
    const io = memoryIo();
    expect(await main(["frobnicate"], io)).toBe(2);
    expect(io.stderr).toContain("unknown command 'frobnicate'");
  });
});
