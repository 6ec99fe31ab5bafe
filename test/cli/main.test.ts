/**
 * @fileoverview `rvjit` itself, apart from any verb: what an unknown verb gets, and the help text's option notes.
 */
import { describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo } from "../support/io.js";

/** The help text `rvjit <argv>` prints (cac writes it with console.info). */
async function helpOf(argv: string[]): Promise<string> {
  const info = vi.spyOn(console, "info").mockImplementation(() => {});
  try {
    expect(await main(argv, memoryIo())).toBe(0);
    return info.mock.calls.map((c) => String(c[0])).join("\n");
  } finally {
    info.mockRestore();
  }
}

describe("rvjit command line", () => {
  it("rejects an unknown verb with exit code 2 and names it", async () => {
    const io = memoryIo();
    expect(await main(["frobnicate"], io)).toBe(2);
    expect(io.stderr).toContain("unknown command 'frobnicate'");
  });

  it("does not call a --no-x option's negation the default, and keeps real defaults", async () => {
    const text = await helpOf(["rv", "--help"]);
    const noAliases = text.split("\n").find((l) => l.trimStart().startsWith("--no-aliases"));
    expect(noAliases).toBeDefined();
    expect(noAliases).not.toContain("(default: true)");
    expect(text).toMatch(/--base <addr>.*\(default: 0\)/);
  });
});
