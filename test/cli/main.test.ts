/**
 * @fileoverview `rvjit` itself, apart from any verb: what an unknown verb gets.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo } from "../support/io.js";

describe("rvjit command line", () => {
  it("rejects an unknown verb with exit code 2 and names it", async () => {
    const io = memoryIo();
    expect(await main(["frobnicate"], io)).toBe(2);
    expect(io.stderr).toContain("unknown command 'frobnicate'");
  });
});
