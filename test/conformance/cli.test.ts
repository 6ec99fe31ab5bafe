/**
 * @fileoverview `rvjit conformance` as a user runs it: per-file lines, the summary, JSON, exit codes, errors.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo } from "../support/io.js";

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "rvjit-conformance-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

const good = "-- asm\nmov %r0, 1\nadd %r0, 2\nexit\n-- result\n0x3\n";
const wrong = "-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n";
const shift = "-- asm\nmov %r0, 1\nlsh %r0, 64\nexit\n-- result\n0x1\n";

describe("rvjit conformance", () => {
  it("prints a line per file and a summary; exit 0 when nothing fails", async () => {
    const d = dir({ "a.data": good, "b.data": shift });
    const io = memoryIo({ cwd: d });
    expect(await main(["conformance", "."], io)).toBe(0);
    expect(io.stdout).toContain("pass      a.data\n");
    expect(io.stdout).toContain("rejected  b.data  at 3:1: invalid shift 64\n");
    expect(io.stdout).toContain("tests: 2: 1 passed, 1 rejected by the verifier (the kernel's reason), 0 failed\n");
  });

  it("a wrong result fails, with both values, and exit code 1", async () => {
    const d = dir({ "w.data": wrong });
    const io = memoryIo({ cwd: d });
    expect(await main(["conformance", "w.data"], io)).toBe(1);
    expect(io.stdout).toContain("FAIL      w.data  r0 = 0x1, expected 0x2\n");
  });

  it("a negative file (with -- error) passes when it is refused, and fails when it runs", async () => {
    const d = dir({ "n.data": "-- asm\nmov %r0, %r7\nexit\n-- error\n", "m.data": `${good}-- error\n` });
    const io = memoryIo({ cwd: d });
    expect(await main(["conformance", "n.data", "m.data"], io)).toBe(1);
    expect(io.stdout).toContain("pass      n.data  refused by the verifier at 2:1: R7 !read_ok\n");
    expect(io.stdout).toContain("FAIL      m.data  ran to completion (r0 = 0x3), but the file expects an error\n");
    expect(io.stdout).toContain("negative: 2: 1 refused (0 by the reader, 1 by the verifier, 0 at run time, 0 by their result), 1 accepted\n");
  });

  it("--json gives every outcome and the totals", async () => {
    const d = dir({ "a.data": good, "w.data": wrong });
    const io = memoryIo({ cwd: d });
    await main(["conformance", ".", "--json"], io);
    const j = JSON.parse(io.stdout);
    expect(j.totals).toEqual({ passed: 1, rejected: 0, failed: 1, negativeRefused: 0, negativeAccepted: 0 });
    expect(j.files[1]).toMatchObject({ file: "w.data", verdict: "fail", r0: "0x1", expected: "0x2" });
  });

  it("refuses an unknown engine, a missing path, and no paths, with exit code 2", async () => {
    const io = memoryIo();
    expect(await main(["conformance", ".", "--engine", "fpga"], io)).toBe(2);
    expect(io.stderr).toMatch(/unknown engine 'fpga' \(engines: interp\b/);
    expect(await main(["conformance", "no/such/dir"], io)).toBe(2);
    expect(io.stderr).toContain("'no/such/dir' does not exist");
    expect(await main(["conformance"], io)).toBe(2);
  });
});
