/**
 * @fileoverview Runs a static RV64 Linux executable: maps its segments, builds the initial stack the kernel would
 * (argc, argv, envp, auxv; psABI "Process initialization"), and runs the hart, answering ecall with syscalls.ts.
 * `rvjit emu` and the QEMU differential test use it, so our emulator and qemu-riscv64 run the same binaries.
 *
 *     0x40_0000_0000  ┐ stack top (up to 8 MiB, rw-), strings and AT_RANDOM bytes at the top, sp below them;
 *                     │ it starts at 128 KiB and grows down on a fault below it, as Linux grows a stack VMA
 *                     ┘ stack guard (64 KiB, ---) under the 8 MiB: overflow faults here
 *     0x10_0000_0000    anonymous mmap regions, one per call
 *     end of segments   heap (brk), grown by brk within a 64 MiB reserve
 *     segments          at their p_vaddr (static-pie: + 0x10000)
 */
import type { IsaConfig } from "../../compiler/riscv/isa-config.js";
import { GuestFault } from "../kernel/guest-memory.js";
import type { BlockPolicy } from "../rv64/blocks.js";
import { EXIT_BUDGET, EXIT_EBREAK, EXIT_ECALL, EXIT_FAULT, type Fault, Machine } from "../rv64/machine.js";
import { Memory, type PermString, type Region } from "../rv64/memory.js";
import { formatFault } from "../rv64/report.js";
import { type ElfImage, parseElf } from "./elf.js";
import { FpRegs } from "./fp-shim.js";
import { type ProcessState, syscall, syscallName } from "./syscalls.js";

export interface LinuxRunOptions {
  /** What readlink("/proc/self/exe") returns: an absolute path (default: the `path` given). */
  exePath?: string;
  /** argv, argv[0] included (default: [path]). */
  argv?: string[];
  env?: string[];
  stdin?: Uint8Array;
  /** Instruction budget (default 10^10: effectively unlimited, but a runaway loop still ends). */
  budget?: number;
  isa?: IsaConfig;
  /** Hot-block translation (default on), and how hot a block must be (see MachineOptions). */
  blocks?: boolean;
  blockPolicy?: BlockPolicy;
  /** Receives output as it is written (default: collected into the result only). */
  onWrite?: (fd: number, bytes: Uint8Array) => void;
}

export interface LinuxRunResult {
  outcome: "exit" | "fault" | "budget" | "signal";
  /** The fatal signal the program sent itself (outcome "signal"). */
  signal?: number;
  exitCode: number | undefined;
  stdout: Uint8Array;
  stderr: Uint8Array;
  steps: number;
  misaligned: number;
  fault?: Fault;
  /** Human-readable account of a fault or an exhausted budget. */
  report?: string;
  /** Syscalls that were not implemented (answered -ENOSYS), by name. */
  unsupported: string[];
}

const STACK_TOP = 0x40_0000_0000n;
/** RLIMIT_STACK: how far the stack may grow. */
const STACK_MAX = 8 << 20;
/** Initial stack: small, because allocating 8 MiB up front costs a garbage collection in a short run. */
const STACK_INITIAL = 128 << 10;
const GUARD_SIZE = 64 << 10;
const HEAP_RESERVE = 64 << 20;
const MMAP_BASE = 0x10_0000_0000n;
const PIE_BIAS = 0x10000n;
const PAGE = 4096n;

function perm(r: boolean, w: boolean, x: boolean): PermString {
  return `${r ? "r" : "-"}${w ? "w" : "-"}${x ? "x" : "-"}` as PermString;
}

/** Maps the segments; returns the first address past them. */
function mapSegments(mem: Memory, img: ElfImage): bigint {
  let end = 0n;
  img.segments.forEach((s, i) => {
    if (s.memsz === 0) return;
    const name = s.x ? "text" : s.w ? "data" : "rodata";
    mem.add({ name: `${name} (segment ${i})`, base: s.vaddr, size: s.memsz, perm: perm(s.r, s.w, s.x), bytes: s.data });
    const e = s.vaddr + BigInt(s.memsz);
    if (e > end) end = e;
  });
  return end;
}

/** Builds argc/argv/envp/auxv on the stack; returns the initial sp. */
function buildStack(mem: Memory, img: ElfImage, argv: string[], env: string[], hwcap: bigint): bigint {
  const enc = new TextEncoder();
  let top = STACK_TOP;
  const push = (bytes: Uint8Array): bigint => {
    top -= BigInt(bytes.length);
    mem.writeBytes(top, bytes);
    return top;
  };
  const cstr = (s: string) => push(enc.encode(`${s}\0`));
  const execfn = cstr(argv[0] ?? "a.out");
  const argvPtrs = argv.map(cstr);
  const envPtrs = env.map(cstr);
  const random = push(Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff));
  const auxv: [number, bigint][] = [
    [3, img.phdrAddr ?? 0n], [4, BigInt(img.phentsize)], [5, BigInt(img.phnum)], [6, PAGE], [7, 0n], [8, 0n],
    [9, img.entry], [11, 0n], [12, 0n], [13, 0n], [14, 0n], [16, hwcap], [17, 100n], [23, 0n], [25, random],
    [31, execfn], [0, 0n],
  ];
  const words = [BigInt(argv.length), ...argvPtrs, 0n, ...envPtrs, 0n, ...auxv.flatMap(([k, v]) => [BigInt(k), v])];
  top = (top - BigInt(words.length * 8)) & ~15n;
  words.forEach((w, i) => mem.write(top + BigInt(i * 8), 8, w));
  return top;
}

/** AT_HWCAP: one bit per single-letter extension ('a' = bit 0). */
function hwcapOf(isa: IsaConfig | undefined): bigint {
  let v = 1n << BigInt("i".charCodeAt(0) - 97);
  for (const e of ["m", "a", "c"] as const) if (!isa || isa[e]) v |= 1n << BigInt(e.charCodeAt(0) - 97);
  return v;
}

/** Loads and runs `elf`. Throws ElfError for files it cannot load. */
export function runElf(elf: Uint8Array, path: string, opts: LinuxRunOptions = {}): LinuxRunResult {
  const img = parseElf(elf, path, PIE_BIAS);
  const mem = new Memory();
  const end = mapSegments(mem, img);
  const heapBase = (end + PAGE - 1n) & ~(PAGE - 1n);
  const heap = mem.add({ name: "heap", base: heapBase, size: 0, perm: "rw-", reserve: HEAP_RESERVE });
  mem.add({ name: "stack guard", base: STACK_TOP - BigInt(STACK_MAX + GUARD_SIZE), size: GUARD_SIZE, perm: "---", guardOf: "stack" });
  let stack = mem.add({ name: "stack", base: STACK_TOP - BigInt(STACK_INITIAL), size: STACK_INITIAL, perm: "rw-" });
  const m = new Machine(mem, { isa: opts.isa, blocks: opts.blocks, blockPolicy: opts.blockPolicy });
  m.setReg(2, buildStack(mem, img, opts.argv ?? [path], opts.env ?? [], hwcapOf(opts.isa)));
  m.pc = img.entry;

  const out: Record<1 | 2, Uint8Array[]> = { 1: [], 2: [] };
  const p: ProcessState = {
    m, mem, exePath: opts.exePath ?? path, heap, brk: heapBase, mmapNext: MMAP_BASE, mmaps: new Map(),
    onWrite: (fd, b) => {
      out[fd as 1 | 2].push(b);
      opts.onWrite?.(fd, b);
    },
    stdin: opts.stdin ?? new Uint8Array(0), stdinPos: 0, exitCode: undefined, signal: undefined, unsupported: new Set(), randomState: 1,
  };
  const fp = new FpRegs();
  const total = opts.budget ?? 1e10;
  const finish = (outcome: LinuxRunResult["outcome"], report?: string): LinuxRunResult => ({
    outcome, exitCode: p.exitCode, signal: p.signal, stdout: concat(out[1]), stderr: concat(out[2]), steps: m.steps,
    misaligned: mem.misaligned, fault: m.fault, report, unsupported: [...p.unsupported].map(syscallName),
  });

  for (;;) {
    const remaining = total - m.steps;
    if (remaining <= 0) return finish("budget", `instruction budget of ${total} exhausted at ${hex(m.pc)}`);
    const exit = m.run(remaining);
    if (exit === EXIT_ECALL) {
      let ret: bigint;
      try {
        ret = syscall(p);
      } catch (e) {
        if (!(e instanceof GuestFault)) throw e;
        return finish("fault", `syscall ${syscallName(Number(m.reg(17)))} at ${hex(m.pc)}: ${e.message}`);
      }
      if (p.exitCode !== undefined) return finish("exit");
      if (p.signal !== undefined) return finish("signal", `killed by signal ${p.signal}${p.signal === 6 ? " (SIGABRT)" : ""}`);
      m.setReg(10, ret);
      m.pc += 4n;
      continue;
    }
    if (exit === EXIT_FAULT) {
      const grown = growStack(mem, stack, m.fault!);
      if (grown) {
        stack = grown;
        continue;
      }
      try {
        if (fp.tryExecute(m)) continue;
      } catch (e) {
        if (!(e instanceof GuestFault)) throw e;
        return finish("fault", `floating-point move at ${hex(m.pc)}: ${e.message}`);
      }
      return finish("fault", formatFault(m.fault!, m));
    }
    if (exit === EXIT_EBREAK) {
      m.fault = { kind: "breakpoint", pc: m.pc, message: `ebreak at ${hex(m.pc)} (SIGTRAP)` };
      return finish("fault", formatFault(m.fault, m));
    }
    if (exit === EXIT_BUDGET) continue;
    return finish("fault", `stopped at ${hex(m.pc)}: a trap address outside the program`);
  }
}

/**
 * When a load or store faulted below the stack but above its 8 MiB limit, replaces the stack region with a larger
 * one (contents kept at the top) so the instruction can run again; Linux grows the stack VMA the same way.
 */
function growStack(mem: Memory, stack: Region, f: Fault): Region | undefined {
  if ((f.kind !== "load-fault" && f.kind !== "store-fault") || f.addr === undefined) return undefined;
  const low = STACK_TOP - BigInt(STACK_MAX);
  if (f.addr < low || f.addr >= stack.base) return undefined;
  let size = stack.size;
  while (STACK_TOP - BigInt(size) > f.addr) size = Math.min(size * 2, STACK_MAX);
  const old = stack.bytes.slice(0, stack.size);
  mem.remove(stack);
  const grown = mem.add({ name: "stack", base: STACK_TOP - BigInt(size), size, perm: "rw-" });
  grown.bytes.set(old, size - old.length);
  return grown;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}
