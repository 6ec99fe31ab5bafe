/**
 * @fileoverview `rvjit emu <file.elf> [args...]`: runs a static RV64 Linux executable on our emulator (the same
 * binaries qemu-riscv64 runs), e.g. one built with `riscv64-linux-gnu-gcc -static`.
 *
 *   rvjit emu ./hello                 the program's output, and its exit status as ours
 *   rvjit emu ./prog -- -v input      arguments after `--` go to the program untouched
 *   rvjit emu ./prog --stats          instructions, speed, misaligned accesses, unsupported syscalls (stderr)
 *
 * Exit status: the program's; when it faults, 128 + the signal Linux would send (SIGSEGV 139, SIGILL 132,
 * SIGBUS 135, SIGTRAP 133; SIGABRT 134 from abort()) after the report on stderr; 124 when the instruction budget runs out; 2 for a file
 * that cannot be loaded.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CAC } from "cac";
import { IsaError, parseIsa } from "../../compiler/riscv/isa-config.js";
import { ElfError } from "../../runtime/linux-user/elf.js";
import { type LinuxRunResult, runElf } from "../../runtime/linux-user/process.js";
import type { FaultKind } from "../../runtime/rv64/machine.js";
import { asCliError, CliError, type CliIo } from "../io.js";

const SIGNAL: Record<FaultKind, number> = {
  "load-fault": 11, "store-fault": 11, guard: 11, "fetch-fault": 11, "illegal-instruction": 4, "misaligned-atomic": 7,
  breakpoint: 5, "environment-call": 4,
};

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("emu <file> [...args]", "Run a static RV64 Linux executable on the emulator (as qemu-riscv64 would)")
    .option("--budget <n>", "Stop after this many instructions (exit status 124)", { default: "1e10" })
    .option("--isa <name>", "Extensions the hart has (default: rv64imac_zacas_zba_zbb_zbs)")
    .option("--no-blocks", "Interpret every instruction (no hot-block translation)")
    .option("--stdin <file>", "Bytes the program reads from fd 0 (default: none)")
    .option("--stats", "Print instructions executed, speed and other counts to stderr")
    .example("  rvjit emu ./hello")
    .example("  rvjit emu ./prog --stats -- --its-own-flag")
    .action((file: string, _args: unknown[], opts: Record<string, unknown>) => emu(io, file, guestArgs(cli.rawArgs, file), opts));
}

/** The program's arguments, as typed: everything after the file name, minus our own options, plus all after `--`. */
function guestArgs(raw: readonly string[], file: string): string[] {
  const dash = raw.indexOf("--");
  const before = dash < 0 ? raw : raw.slice(0, dash);
  const after = dash < 0 ? [] : raw.slice(dash + 1);
  const start = before.indexOf(file);
  const own = new Set(["--budget", "--isa", "--stdin"]);
  const mine: string[] = [];
  for (let i = start + 1; i < before.length; i++) {
    const a = before[i]!;
    if (own.has(a)) i++;
    else if (!a.startsWith("--")) mine.push(a);
  }
  return [...mine, ...after];
}

function emu(io: CliIo, file: string, args: string[], opts: Record<string, unknown>): number {
  const path = resolve(io.cwd, file);
  if (!existsSync(path)) throw new CliError(`${file}: no such file`);
  const budget = Number(opts.budget);
  if (!(budget > 0)) throw new CliError(`--budget ${String(opts.budget)}: expected a positive number of instructions`);
  const isa = opts.isa === undefined ? undefined : asCliError(() => parseIsa(String(opts.isa)), IsaError);
  const stdin = opts.stdin === undefined ? undefined : readFileSync(resolve(io.cwd, String(opts.stdin)));
  const decoders = { 1: new TextDecoder(), 2: new TextDecoder() };
  const t0 = process.hrtime.bigint();
  const r: LinuxRunResult = asCliError(() => runElf(readFileSync(path), file, {
    argv: [file, ...args], exePath: path, budget, isa, blocks: opts.blocks !== false, stdin,
    onWrite: (fd, bytes) => (fd === 1 ? io.out : io.err)(decoders[fd as 1 | 2].decode(bytes, { stream: true })),
  }), ElfError);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (opts.stats) {
    io.err(`rvjit emu: ${r.steps} instructions in ${(seconds * 1000).toFixed(1)} ms (${(r.steps / seconds / 1e6).toFixed(1)} MIPS), ` +
      `${r.misaligned} misaligned accesses${r.unsupported.length ? `, unsupported syscalls: ${r.unsupported.join(", ")}` : ""}\n`);
  }
  if (r.outcome === "exit") return r.exitCode ?? 0;
  io.err(`rvjit emu: ${file}: ${r.report ?? r.outcome}\n`);
  if (r.unsupported.length) io.err(`rvjit emu: syscalls answered ENOSYS: ${r.unsupported.join(", ")}\n`);
  if (r.outcome === "budget") return 124;
  if (r.outcome === "signal") return 128 + r.signal!;
  return 128 + (r.fault ? SIGNAL[r.fault.kind] : 11);
}
