/**
 * @fileoverview The Linux runner and `rvjit emu` against qemu-riscv64: a static glibc program (test/runtime/c/
 * sample.c: stdio, brk and mmap heap, qsort, recursion, 64-bit division, argv, stderr) must print the same bytes
 * and exit with the same status; faults, budgets and bad files end with their reports and exit statuses.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";
import { runElf } from "../../runtime/linux-user/process.js";
import { memoryIo } from "../support/io.js";
import { repoRoot, requireTool } from "../support/tools.js";

const gcc = requireTool("gcc");
const qemu = requireTool("qemu");

describe.skipIf(!gcc || !qemu)("static RV64 Linux programs", () => {
  const dir = mkdtempSync(join(tmpdir(), "rvjit-linux-"));
  const build = (name: string, src: string, asm: boolean) => {
    const file = join(dir, `${name}.${asm ? "S" : "c"}`);
    writeFileSync(file, src);
    const out = join(dir, name);
    execFileSync(gcc!, asm ? ["-nostdlib", "-static", "-march=rv64imac", "-mabi=lp64", "-o", out, file] : ["-O2", "-static", "-o", out, file]);
    return out;
  };
  const sample = build("sample", readFileSync(join(repoRoot, "test", "runtime", "c", "sample.c"), "utf8"), false);

  it("a glibc program prints what it prints under qemu-riscv64 and exits the same way", () => {
    const q = spawnSync(qemu!, [sample, "one", "two"]);
    const r = runElf(readFileSync(sample), sample, { argv: [sample, "one", "two"] });
    expect(r.outcome).toBe("exit");
    expect(Buffer.from(r.stdout).toString()).toBe(q.stdout.toString());
    expect(Buffer.from(r.stderr).toString()).toBe(q.stderr.toString());
    expect(r.exitCode).toBe(q.status);
    expect(r.unsupported).toEqual([]);
  });

  it("rvjit emu passes output and exit status through", async () => {
    const io = memoryIo();
    expect(await main(["emu", sample, "one", "two"], io)).toBe(7);
    expect(io.stdout).toContain("argc=3 [one] [two]\n");
    expect(io.stderr).toBe("to stderr\n");
  });

  it("rvjit emu: a fault is reported and exits as the signal would", async () => {
    const crash = build("crash", ".globl _start\n_start:\n  li a0, 16\n  sd a0, 0(a0)\n", true);
    const io = memoryIo();
    expect(await main(["emu", crash], io)).toBe(128 + 11);
    expect(io.stderr).toContain("store-fault at 0x");
    expect(io.stderr).toContain("sd      a0,0(a0)");
    expect(io.stderr).toContain("store of 8 bytes at 0x0000000000000010: no memory region there");
  });

  it("the stack grows on demand up to 8 MiB, then overflows into its guard as under qemu", async () => {
    const recurse = (pad: number) => `#include <stdio.h>
static int depth(int n) { volatile char pad[${pad}]; pad[n % ${pad}] = 1; if (n == 0) return 0; int r = depth(n - 1); return r + pad[n % ${pad}]; }
int main(void) { printf("%d\\n", depth(20000)); return 0; }
`;
    const deep = build("deep", recurse(256), false); // ~6 MiB of stack
    const r = runElf(readFileSync(deep), deep);
    expect([r.outcome, Buffer.from(r.stdout).toString()]).toEqual(["exit", "20000\n"]);
    const deeper = build("deeper", recurse(1024), false); // ~22 MiB: too deep
    expect(spawnSync(qemu!, [deeper]).signal).toBe("SIGSEGV");
    const io = memoryIo();
    expect(await main(["emu", deeper], io)).toBe(128 + 11);
    expect(io.stderr).toContain("stack overflow (into 'stack guard'");
  });

  it("rvjit emu: budget, unknown syscalls, files that are not static RV64 executables", async () => {
    const spin = build("spin", ".globl _start\n_start:\n  li a7, 999\n  ecall\n1: j 1b\n", true);
    const io = memoryIo();
    expect(await main(["emu", spin, "--budget", "1000"], io)).toBe(124);
    expect(io.stderr).toContain("instruction budget of 1000 exhausted");
    expect(io.stderr).toContain("syscalls answered ENOSYS: unknown (999)");
    const notElf = memoryIo();
    expect(await main(["emu", join(dir, "crash.S")], notElf)).toBe(2);
    expect(notElf.stderr).toContain("not an ELF file");
    const dyn = join(dir, "dyn");
    execFileSync(gcc!, ["-O2", "-o", dyn, join(dir, "sample.c")]);
    const dynIo = memoryIo();
    expect(await main(["emu", dyn], dynIo)).toBe(2);
    expect(dynIo.stderr).toContain("is dynamically linked");
  });
});
