/** @fileoverview `rvjit rv asm` / `rvjit rv disasm`, run in-process on temporary files. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo, type MemoryIo } from "../support/io.js";

const dir = mkdtempSync(join(tmpdir(), "rvjit-rv-cli-"));

function run(args: string[]): { code: Promise<number>; io: MemoryIo } {
  const io = memoryIo({ cwd: dir });
  return { code: main(args, io), io };
}

const SOURCE = "loop: addi a0, a0, -1\n  bnez a0, loop\n  c.jr ra\n";
writeFileSync(join(dir, "p.s"), SOURCE);

describe("rvjit rv asm", () => {
  it("prints one instruction per line as bytes in memory order, or as words", async () => {
    const a = run(["rv", "asm", "p.s"]);
    expect(await a.code).toBe(0);
    expect(a.io.stdout).toBe("1305f5ff\ne31e05fe\n8280\n");
    const w = run(["rv", "asm", "p.s", "--words"]);
    expect(await w.code).toBe(0);
    expect(w.io.stdout).toBe("fff50513\nfe051ee3\n8082\n");
  });

  it("writes raw bytes with -o", async () => {
    const r = run(["rv", "asm", "p.s", "-o", "p.bin", "--format", "bin"]);
    expect(await r.code).toBe(0);
    expect(readFileSync(join(dir, "p.bin")).toString("hex")).toBe("1305f5ffe31e05fe8280");
  });

  it("reports an instruction outside --isa with file:line:col, exit 2", async () => {
    const r = run(["rv", "asm", "p.s", "--isa", "rv64im"]);
    expect(await r.code).toBe(2);
    expect(r.io.stderr).toBe("rvjit: p.s:3:3: 'c.jr' needs extension c, which rv64im does not have\n");
  });

  it("refuses an unknown extension and binary output to the terminal", async () => {
    const a = run(["rv", "asm", "p.s", "--isa", "rv64imafd"]);
    expect(await a.code).toBe(2);
    expect(a.io.stderr).toMatch(/extension 'f' is not supported/);
    const b = run(["rv", "asm", "p.s", "--format", "bin"]);
    expect(await b.code).toBe(2);
    expect(b.io.stderr).toMatch(/name the file with -o/);
  });
});

describe("rvjit rv disasm", () => {
  it("lists a binary file like objdump -d, with or without aliases", async () => {
    writeFileSync(join(dir, "q.bin"), Buffer.from("1305f5ffe31e05fe8280", "hex"));
    const a = run(["rv", "disasm", "q.bin"]);
    expect(await a.code).toBe(0);
    expect(a.io.stdout).toBe(
      "   0:\tfff50513          \tadd\ta0,a0,-1\n" +
        "   4:\tfe051ee3          \tbnez\ta0,0x0\n" +
        "   8:\t8082                \tret\n",
    );
    const n = run(["rv", "disasm", "q.bin", "--no-aliases", "--base", "0x1000"]);
    expect(await n.code).toBe(0);
    expect(n.io.stdout).toContain("1004:\tfe051ee3          \tbne\ta0,zero,0x1000\n");
    expect(n.io.stdout).toContain("1008:\t8082                \tc.jr\tra\n");
  });

  it("reads hex bytes or objdump-order words from the command line", async () => {
    const a = run(["rv", "disasm", "--hex", "13 05 f5 ff", "82 80"]);
    expect(await a.code).toBe(0);
    expect(a.io.stdout).toBe("   0:\tfff50513          \tadd\ta0,a0,-1\n   4:\t8082                \tret\n");
    const w = run(["rv", "disasm", "--words", "fff50513", "8082"]);
    expect(await w.code).toBe(0);
    expect(w.io.stdout).toBe(a.io.stdout);
  });

  it("lists what the ISA lacks as data, and rejects malformed hex", async () => {
    const a = run(["rv", "disasm", "--words", "02b50533", "--isa", "rv64i"]);
    expect(await a.code).toBe(0);
    expect(a.io.stdout).toBe("   0:\t02b50533          \t.4byte\t0x2b50533\n");
    const b = run(["rv", "disasm", "--words", "123"]);
    expect(await b.code).toBe(2);
    expect(b.io.stderr).toMatch(/'123' is not an instruction word/);
    const c = run(["rv", "frob"]);
    expect(await c.code).toBe(2);
    expect(c.io.stderr).toMatch(/unknown rv action 'frob'/);
  });
});

describe("rvjit rv disasm keeps hex words as typed", () => {
  it("does not read 00000013 as the number 13", async () => {
    const r = run(["rv", "disasm", "--words", "00000013", "0001", "--isa", "rv64ic"]);
    expect(await r.code).toBe(0);
    expect(r.io.stdout).toBe("   0:\t00000013          \tnop\n   4:\t0001                \tnop\n");
  });
});

describe("rvjit rv --base", () => {
  it("keeps a 64-bit kernel address exact", async () => {
    const r = run(["rv", "disasm", "--words", "fe051ee3", "--base", "0xffffffff80001004", "--no-aliases"]);
    expect(await r.code).toBe(0);
    expect(r.io.stdout).toBe("ffffffff80001004:\tfe051ee3          \tbne\ta0,zero,0xffffffff80001000\n");
  });
});
