/**
 * @fileoverview The Linux system calls a small static RV64 program makes (numbers from the asm-generic table that
 * RISC-V uses), with answers good enough for glibc's start-up and stdio: output is captured, the heap is a region
 * that brk grows, anonymous mmap hands out fresh regions, identity and time are fixed so runs are reproducible.
 * Anything else returns -ENOSYS and is recorded, so `rvjit emu` can say which call a program needed.
 *
 * Contract of a syscall entry: `fn(args, p)` receives a0..a5 as u64 and returns the value for a0 (negative errno
 * as two's complement); it may set `p.exitCode` to end the process.
 */
import { hex64 } from "../kernel/guest-memory.js";
import type { Machine } from "../rv64/machine.js";
import type { Memory, Region } from "../rv64/memory.js";

export interface ProcessState {
  m: Machine;
  mem: Memory;
  /** The program's path, as /proc/self/exe reads. */
  exePath: string;
  heap: Region;
  brk: bigint;
  mmapNext: bigint;
  mmaps: Map<bigint, Region>;
  /** Called with every write to fd 1 or 2. */
  onWrite: (fd: number, bytes: Uint8Array) => void;
  stdin: Uint8Array;
  stdinPos: number;
  exitCode: number | undefined;
  /** Set when the program sent itself a fatal signal (abort() raises SIGABRT). */
  signal: number | undefined;
  /** Syscall numbers that were answered -ENOSYS. */
  unsupported: Set<number>;
  /** getrandom's bytes: deterministic. */
  randomState: number;
}

const ENOENT = 2, EBADF = 9, ENOMEM = 12, EFAULT = 14, EINVAL = 22, ENOTTY = 25, ENOSYS = 38;
const neg = (e: number): bigint => BigInt.asUintN(64, BigInt(-e));

const PAGE = 4096n;
const pageUp = (v: bigint): bigint => (v + PAGE - 1n) & ~(PAGE - 1n);

type Fn = (a: readonly bigint[], p: ProcessState) => bigint;
interface Syscall { name: string; fn: Fn }

function write(p: ProcessState, fd: number, buf: bigint, n: number): bigint {
  if (fd !== 1 && fd !== 2) return neg(EBADF);
  try {
    p.onWrite(fd, p.mem.readBytes(buf, n));
  } catch {
    return neg(EFAULT);
  }
  return BigInt(n);
}

/** Fills a struct stat (asm-generic, 128 bytes) describing a character device, as a terminal would be. */
function statChar(p: ProcessState, buf: bigint): bigint {
  const st = new Uint8Array(128);
  const dv = new DataView(st.buffer);
  dv.setUint32(16, 0o020620, true); // st_mode: S_IFCHR | rw--w----
  dv.setUint32(20, 1, true); // st_nlink
  dv.setInt32(56, 1024, true); // st_blksize
  p.mem.writeBytes(buf, st);
  return 0n;
}

function cstring(p: ProcessState, addr: bigint): string {
  let s = "";
  for (let i = 0n; i < 4096n; i++) {
    const c = Number(p.mem.read(addr + i, 1));
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

const TABLE: Record<number, Syscall> = {
  29: { name: "ioctl", fn: () => neg(ENOTTY) },
  56: { name: "openat", fn: () => neg(ENOENT) },
  57: { name: "close", fn: () => 0n },
  63: {
    name: "read",
    fn: ([fd, buf, n], p) => {
      if (fd !== 0n) return neg(EBADF);
      const chunk = p.stdin.subarray(p.stdinPos, p.stdinPos + Number(n!));
      p.mem.writeBytes(buf!, chunk);
      p.stdinPos += chunk.length;
      return BigInt(chunk.length);
    },
  },
  64: { name: "write", fn: ([fd, buf, n], p) => write(p, Number(fd), buf!, Number(n!)) },
  66: {
    name: "writev",
    fn: ([fd, iov, cnt], p) => {
      let total = 0n;
      for (let i = 0n; i < cnt!; i++) {
        const base = p.mem.read(iov! + 16n * i, 8);
        const len = Number(p.mem.read(iov! + 16n * i + 8n, 8));
        const r = write(p, Number(fd), base, len);
        if (BigInt.asIntN(64, r) < 0n) return r;
        total += r;
      }
      return total;
    },
  },
  78: {
    name: "readlinkat",
    fn: ([, path, buf, size], p) => {
      if (cstring(p, path!) !== "/proc/self/exe") return neg(ENOENT);
      const bytes = new TextEncoder().encode(p.exePath).subarray(0, Number(size!));
      p.mem.writeBytes(buf!, bytes);
      return BigInt(bytes.length);
    },
  },
  79: { name: "newfstatat", fn: ([, , buf], p) => statChar(p, buf!) },
  80: { name: "fstat", fn: ([, buf], p) => statChar(p, buf!) },
  93: { name: "exit", fn: ([code], p) => ((p.exitCode = Number(code! & 0xffn)), 0n) },
  94: { name: "exit_group", fn: ([code], p) => ((p.exitCode = Number(code! & 0xffn)), 0n) },
  96: { name: "set_tid_address", fn: () => 1000n },
  99: { name: "set_robust_list", fn: () => 0n },
  113: {
    name: "clock_gettime",
    fn: ([, ts], p) => {
      const ns = BigInt(p.m.steps); // a clock that advances with the program: 1 ns per instruction
      p.mem.write(ts!, 8, ns / 1_000_000_000n);
      p.mem.write(ts! + 8n, 8, ns % 1_000_000_000n);
      return 0n;
    },
  },
  124: { name: "sched_yield", fn: () => 0n },
  129: { name: "kill", fn: ([, sig], p) => selfSignal(p, Number(sig)) },
  130: { name: "tkill", fn: ([, sig], p) => selfSignal(p, Number(sig)) },
  131: { name: "tgkill", fn: ([, , sig], p) => selfSignal(p, Number(sig)) },
  134: { name: "rt_sigaction", fn: () => 0n },
  135: { name: "rt_sigprocmask", fn: () => 0n },
  160: {
    name: "uname",
    fn: ([buf], p) => {
      const fields = ["Linux", "rvjit", "6.12.0-rvjit", "#1 SMP", "riscv64", "(none)"];
      const out = new Uint8Array(65 * 6);
      fields.forEach((f, i) => out.set(new TextEncoder().encode(f), 65 * i));
      p.mem.writeBytes(buf!, out);
      return 0n;
    },
  },
  172: { name: "getpid", fn: () => 1000n },
  174: { name: "getuid", fn: () => 0n },
  175: { name: "geteuid", fn: () => 0n },
  176: { name: "getgid", fn: () => 0n },
  177: { name: "getegid", fn: () => 0n },
  178: { name: "gettid", fn: () => 1000n },
  214: { name: "brk", fn: ([addr], p) => brk(p, addr!) },
  215: {
    name: "munmap",
    fn: ([addr], p) => {
      const r = p.mmaps.get(addr!);
      if (r) {
        p.mem.remove(r);
        p.mmaps.delete(addr!);
      }
      return 0n;
    },
  },
  222: { name: "mmap", fn: ([addr, len, , flags, fd], p) => mmap(p, addr!, len!, flags!, fd!) },
  226: { name: "mprotect", fn: () => 0n },
  261: {
    name: "prlimit64",
    fn: ([, , , old], p) => {
      if (old !== 0n) {
        p.mem.write(old!, 8, 8n << 20n); // rlim_cur: 8 MiB, how far the stack grows
        p.mem.write(old! + 8n, 8, 0xffff_ffff_ffff_ffffn); // rlim_max: RLIM_INFINITY
      }
      return 0n;
    },
  },
  278: {
    name: "getrandom",
    fn: ([buf, len], p) => {
      const out = new Uint8Array(Number(len!));
      for (let i = 0; i < out.length; i++) {
        p.randomState = (Math.imul(p.randomState, 1103515245) + 12345) >>> 0;
        out[i] = p.randomState >>> 24;
      }
      p.mem.writeBytes(buf!, out);
      return len!;
    },
  },
};

/** A signal to ourselves: there are no handlers, so anything but 0 ends the process (abort raises SIGABRT). */
function selfSignal(p: ProcessState, sig: number): bigint {
  if (sig !== 0) p.signal = sig;
  return 0n;
}

function brk(p: ProcessState, addr: bigint): bigint {
  if (addr === 0n || addr < p.heap.base) return p.brk;
  const size = addr - p.heap.base;
  if (size > BigInt(p.heap.maxSize)) return p.brk; // out of reserve: the kernel returns the old break
  p.mem.setSize(p.heap, Number(pageUp(size)));
  p.brk = addr;
  return p.brk;
}

const MAP_ANONYMOUS = 0x20n;
const MAP_FIXED = 0x10n;

function mmap(p: ProcessState, addr: bigint, len: bigint, flags: bigint, fd: bigint): bigint {
  if ((flags & MAP_ANONYMOUS) === 0n || BigInt.asIntN(64, fd) !== -1n) return neg(ENOSYS); // no files to map
  if ((flags & MAP_FIXED) !== 0n) return neg(EINVAL);
  const size = pageUp(len);
  if (size === 0n || size > 1n << 30n) return neg(ENOMEM);
  void addr; // a hint only: we always choose
  const base = p.mmapNext;
  p.mmapNext = pageUp(base + size + PAGE); // an unmapped page between mappings
  const r = p.mem.add({ name: `mmap ${hex64(base)}`, base, size: Number(size), perm: "rw-" });
  p.mmaps.set(base, r);
  return base;
}

/** Runs syscall a7 with a0..a5; returns a0. */
export function syscall(p: ProcessState): bigint {
  const m = p.m;
  const nr = Number(m.reg(17));
  const args = [10, 11, 12, 13, 14, 15].map((r) => m.reg(r));
  const s = TABLE[nr];
  if (!s) {
    p.unsupported.add(nr);
    return neg(ENOSYS);
  }
  return s.fn(args, p);
}

/** "write (64)" for reports. */
export function syscallName(nr: number): string {
  return `${TABLE[nr]?.name ?? "unknown"} (${nr})`;
}
