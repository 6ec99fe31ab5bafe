/**
 * @fileoverview BPF helper semantics, written once over {@link GuestMemory}: the emulator's kernel model calls them
 * when JIT code jumps to `helperAddress(k)`, the reference interpreter calls them for `call k`. Neither engine's
 * internals appear here.
 *
 * Contract of every helper entry point (`HelperDef.call`):
 * - `args` are r1..r5 (a0..a4 under the RISC-V C calling convention), as u64 bigints; only the first `def.args`
 *   mean anything.
 * - The result is r0 as a u64 (negative errnos are returned two's-complement, as the kernel's `long`).
 * - Memory is reached only through `env.mem`; a bad pointer throws GuestFault, a bad map pointer HelperArgError.
 *   Both are JIT or runner bugs (the verifier would have refused the program) and stop the run with a report.
 * - Everything is deterministic: the clock and the random numbers come from `env`, seeded per run.
 *
 * Helper numbers are the kernel's (include/uapi/linux/bpf.h, `__BPF_FUNC_MAPPER`); each helper's name, argument count
 * and return kind are its prototype in compiler/bpf/helper-protos.ts (what the verifier checks). The conformance suite's
 * helper 5 ("unwind") is a different contract, modelled only by the conformance runner.
 */
import { helperProto, type HelperProto } from "../../compiler/bpf/helper-protos.js";
import { GuestFault, type GuestMemory } from "./guest-memory.js";
import { EFAULT, EINVAL, errno, HelperArgError, type MapTable } from "./maps.js";

/** The world a helper sees. */
export interface HelperEnv {
  mem: GuestMemory;
  maps: MapTable;
  /** Lines written by bpf_trace_printk, in call order. */
  trace: string[];
  prng: Prng;
  clock: Clock;
  /** What bpf_get_smp_processor_id returns (and thread_info.cpu holds). */
  cpu: number;
  /** bpf_get_current_pid_tgid: tgid << 32 | pid. */
  pidTgid: bigint;
  /** bpf_get_current_uid_gid: gid << 32 | uid. */
  uidGid: bigint;
  /** bpf_get_current_comm. */
  comm: string;
}

/**
 * A helper's implementation, with its prototype (number, name, argument count, return kind). The kernel's helpers
 * take their prototype from compiler/bpf/helper-protos.ts, which the verifier checks calls against.
 */
export interface HelperDef extends HelperProto {
  call(args: readonly bigint[], env: HelperEnv): bigint;
}

/** bpf_ktime_get_ns without a real clock: starts at `start` and advances `step` ns per call. */
export class Clock {
  constructor(private ns = 1_000_000_000n, private readonly step = 1_000n) {}
  now(): bigint {
    const t = this.ns;
    this.ns += this.step;
    return t;
  }
}

/** bpf_get_prandom_u32 without entropy: xorshift32 (Marsaglia 2003) from a per-run seed. */
export class Prng {
  private s: number;
  constructor(seed = 0x2545f491) {
    this.s = seed >>> 0 || 0x2545f491; // xorshift has no zero state
  }
  nextU32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
}

export interface HelperEnvOptions {
  seed?: number;
  cpu?: number;
}

/** A fresh helper environment over `mem` and `maps`, with the default identities of the modelled task. */
export function createHelperEnv(mem: GuestMemory, maps: MapTable, opts: HelperEnvOptions = {}): HelperEnv {
  return {
    mem,
    maps,
    trace: [],
    prng: new Prng(opts.seed),
    clock: new Clock(),
    cpu: opts.cpu ?? 0,
    pidTgid: (4242n << 32n) | 4243n,
    uidGid: 0n,
    comm: "rvjit",
  };
}

/** Thrown by bpf_tail_call's helper body: the JIT must inline tail calls, so reaching the helper is a bug. */
export class TailCallHelperCalled extends HelperArgError {
  constructor() {
    super("bpf_tail_call (helper 12) was called as a function: the JIT must inline the tail-call sequence");
  }
}

/** Reads a NUL-terminated string of at most `max` bytes. */
function readCString(mem: GuestMemory, addr: bigint, max: number): string {
  let s = "";
  for (let i = 0; i < max; i++) {
    const c = Number(mem.read(addr + BigInt(i), 1));
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * The conversions bpf_trace_printk accepts (kernel/trace/bpf_trace.c via bpf_bprintf_prepare): %d %i %u %x %X with
 * l/ll, %p/%px/%pK, %s, %c and %%; at most three arguments.
 */
export function formatTrace(fmt: string, args: readonly bigint[], mem: GuestMemory): string {
  let out = "";
  let next = 0;
  const re = /%(%|(?:ll|l)?[diuxX]|p[xK]?|s|c)/g;
  let last = 0;
  for (let m = re.exec(fmt); m; m = re.exec(fmt)) {
    out += fmt.slice(last, m.index);
    last = re.lastIndex;
    const conv = m[1]!;
    if (conv === "%") {
      out += "%";
      continue;
    }
    const raw = args[next++] ?? 0n;
    const long = conv.startsWith("l");
    const kind = conv.at(-1)!;
    const width = long ? 64 : 32;
    if (kind === "d" || kind === "i") out += BigInt.asIntN(width, raw).toString();
    else if (kind === "u") out += BigInt.asUintN(width, raw).toString();
    else if (kind === "x") out += BigInt.asUintN(width, raw).toString(16);
    else if (kind === "X") out += BigInt.asUintN(width, raw).toString(16).toUpperCase();
    else if (conv.startsWith("p")) out += `0x${BigInt.asUintN(64, raw).toString(16)}`;
    else if (kind === "s") out += raw === 0n ? "(null)" : readCString(mem, raw, 256);
    else if (kind === "c") out += String.fromCharCode(Number(raw & 0xffn));
  }
  return out + fmt.slice(last);
}

/** bpf_probe_read_kernel and friends: copy, or zero the destination and fail with -EFAULT. */
function probeRead(args: readonly bigint[], env: HelperEnv): bigint {
  const [dst, size, src] = [args[0]!, Number(args[1]! & 0xffff_ffffn), args[2]!];
  let bytes: Uint8Array;
  try {
    bytes = env.mem.readBytes(src, size);
  } catch (e) {
    if (!(e instanceof GuestFault)) throw e;
    env.mem.writeBytes(dst, new Uint8Array(size));
    return errno(EFAULT);
  }
  env.mem.writeBytes(dst, bytes);
  return 0n;
}

const DEFS: HelperDef[] = [
  { ...helperProto(1), call: ([m, k], env) => env.maps.at(m!, "bpf_map_lookup_elem").lookup(k!) },
  {
    ...helperProto(2),
    call: ([m, k, v, f], env) => env.maps.at(m!, "bpf_map_update_elem").update(k!, v!, f!),
  },
  { ...helperProto(3), call: ([m, k], env) => env.maps.at(m!, "bpf_map_delete_elem").delete(k!) },
  { ...helperProto(4), call: probeRead },
  { ...helperProto(5), call: (_a, env) => env.clock.now() },
  {
    ...helperProto(6),
    call: ([fmt, size, a1, a2, a3], env) => {
      const n = Number(size! & 0xffff_ffffn);
      const bytes = env.mem.readBytes(fmt!, n);
      if (n === 0 || bytes[n - 1] !== 0) return errno(EINVAL); // the format must be NUL-terminated within fmt_size
      const text = formatTrace(String.fromCharCode(...bytes.subarray(0, bytes.indexOf(0))), [a1!, a2!, a3!], env.mem);
      env.trace.push(text);
      return BigInt(text.length);
    },
  },
  { ...helperProto(7), call: (_a, env) => BigInt(env.prng.nextU32()) },
  { ...helperProto(8), call: (_a, env) => BigInt(env.cpu) },
  {
    ...helperProto(12),
    call: () => {
      throw new TailCallHelperCalled();
    },
  },
  { ...helperProto(14), call: (_a, env) => env.pidTgid },
  { ...helperProto(15), call: (_a, env) => env.uidGid },
  {
    ...helperProto(16),
    call: ([buf, size], env) => {
      const n = Number(size! & 0xffff_ffffn);
      const out = new Uint8Array(n);
      for (let i = 0; i < Math.min(n - 1, env.comm.length); i++) out[i] = env.comm.charCodeAt(i);
      env.mem.writeBytes(buf!, out);
      return 0n;
    },
  },
  { ...helperProto(113), call: probeRead },
];

/** Every modelled helper, by kernel helper number: one for each prototype in compiler/bpf/helper-protos.ts. */
export const HELPERS: ReadonlyMap<number, HelperDef> = new Map(DEFS.map((d) => [d.id, d]));

/** BPF_FUNC_tail_call: JIT code inlines it (reference §4.11); its helper address must never be reached. */
export const BPF_FUNC_TAIL_CALL = 12;
