/**
 * @fileoverview `rvjit jit`: hex in, code bytes / listing / JSON / a pipeline stage out, assembly files, and errors
 * that name the instruction (and the source line for assembly).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo as memoryIoWith, type MemoryIo } from "../support/io.js";

const memoryIo = (cwd = process.cwd()): MemoryIo => memoryIoWith({ cwd });

const R0_1_EXIT = "b7000000010000009500000000000000"; // r0 = 1; exit

describe("rvjit jit", () => {
  it("prints the code bytes of each function (rv64imac, 512 bytes of stack by default)", async () => {
    const io = memoryIo();
    expect(await main(["jit", R0_1_EXIT], io)).toBe(0);
    // entry: nop, nop, li a6,33 (4 bytes each); then the frame for 512 bytes of stack: addi sp,sp,-528 ...
    expect(io.stdout).toMatch(/^# main at 0xffffffff01000000: \d+ bytes, 4 passes\n130000001300000013081002130101df/);
  });

  it("--isa and --stack-depth change the code; --json gives the testdata's record fields", async () => {
    const io = memoryIo();
    expect(await main(["jit", R0_1_EXIT, "--isa", "rv64ima", "--stack-depth", "0", "--json"], io)).toBe(0);
    const out = JSON.parse(io.stdout) as { funcs: { addr: string; passes: number; code: string }[] };
    // rv64ima, no stack: addi sp,sp,-16 is 4 bytes (0xff010113)
    expect(out.funcs[0]!.code.slice(24, 32)).toBe("130101ff");
    expect(out.funcs[0]!.addr).toBe("0xffffffff01000000");
  });

  it("--listing prints the annotated listing; --dump-after any pass", async () => {
    const io = memoryIo();
    expect(await main(["jit", R0_1_EXIT, "--listing"], io)).toBe(0);
    expect(io.stdout).toContain("\t; r0 = 1\n\tli\ta5,1\n");
    for (const pass of ["split", "map-registers", "lower", "prologue-epilogue", "fixup-branches", "encode"]) {
      const d = memoryIo();
      expect(await main(["jit", R0_1_EXIT, "--dump-after", pass], d)).toBe(0);
      expect(d.stdout, pass).toContain("main");
    }
  });

  it("reads eBPF assembly from a file and places JIT errors on its source line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rvjit-jit-"));
    writeFileSync(join(dir, "p.s"), "r0 = 0\nr0 = *(u64 *)(r1 + 0)\nexit\n");
    const ok = memoryIo(dir);
    expect(await main(["jit", "p.s", "--listing"], ok)).toBe(0);
    expect(ok.stdout).toContain("\t; r0 = *(u64 *)(r1 + 0)\n");
    writeFileSync(join(dir, "acq.s"), "r0 = 0\nr0 = load_acquire((u64 *)(r1 + 0))\nexit\n");
    const bad = memoryIo(dir);
    expect(await main(["jit", "acq.s"], bad)).toBe(2);
    expect(bad.stderr).toMatch(/^rvjit: acq\.s:2:1: load-acquire\/store-release are not in Linux 6\.12 .*\(insn 1\)\n$/);
    const ok2 = memoryIo(dir);
    expect(await main(["jit", "acq.s", "--load-acq-store-rel", "--listing"], ok2)).toBe(0);
    expect(ok2.stdout).toContain("\tld\ta5,0(a0)\n\tfence\tr,rw\n");
  });

  it("refuses what Linux 6.12 refuses, with its message (callx)", async () => {
    const io = memoryIo();
    expect(await main(["jit", "b7010000ffffffffb7020000050000008d02000000000000b7000000020000009500000000000000"], io)).toBe(2);
    expect(io.stderr).toBe("rvjit: bpf-jit: unknown opcode 8d (insn 2)\n");
  });

  it("usage errors: odd hex, an unknown pass, a bad ISA", async () => {
    for (const [args, msg] of [
      [["jit", "b70000"], /neither hex of 8-byte instructions nor a readable file/],
      [["jit", R0_1_EXIT, "--dump-after", "regalloc"], /--dump-after: unknown pass 'regalloc'/],
      [["jit", R0_1_EXIT, "--isa", "rv64gc"], /rv64gc/],
    ] as const) {
      const io = memoryIo();
      expect(await main([...args], io)).toBe(2);
      expect(io.stderr).toMatch(msg);
    }
  });
});
