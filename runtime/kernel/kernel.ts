/**
 * @fileoverview The kernel around a JIT-compiled program: builds the emulated address space of layout.ts (stack,
 * ctx, maps, program images, task_struct, per-cpu offsets, struct bpf_prog objects, trap regions for helpers,
 * kfuncs and return sentinels), the maps and the helper environment, and the hart. The entry points that run on it
 * are caller.ts (bpf_prog_run), calls.ts (helpers and kfuncs), throw.ts (bpf_throw); run.ts drives them.
 *
 * A program is what the JIT returns (compiler/pipeline.ts `JitOutput`); only the fields below are read, so any
 * object of that shape runs. Function 0 is the main program, as in the kernel's jit_subprogs.
 *
 * The constructor builds the layout; begin() sets everything a run starts from. A kernel can therefore serve
 * several runs of the same programs with the same layout (run.ts reuses one when `fits` says so), each of them
 * starting from exactly the state a new kernel would give it.
 */
import { ARRAY_PTRS_OFF, PROG_BPF_FUNC_OFF, THREAD_INFO_CPU_OFF } from "../../compiler/kernel-abi.js";
import type { IsaConfig } from "../../compiler/riscv/isa-config.js";
import { Machine } from "../rv64/machine.js";
import { Memory, type PermString, type Region } from "../rv64/memory.js";
import type { Symbolizer } from "../rv64/report.js";
import { hex64 } from "./guest-memory.js";
import { createHelperEnv, type HelperDef, type HelperEnv, HELPERS } from "./helpers.js";
import {
  CTX_ADDR, HELPER_REGION, KFUNC_REGION, mapAddress, mapAddresses, PER_CPU_REGION, PROG_OBJ_BASE, PROG_OBJ_SIZE, progObjectAddr,
  SENTINEL_BASE, STACK_ADDR, STACK_GUARD_ADDR, STACK_GUARD_SIZE, STACK_SIZE, TASK_ADDR, TASK_SIZE,
} from "./layout.js";
import { createMaps, mapFootprint, type MapSpec, MapTable } from "./maps.js";
import { layoutKey, shareDecoded } from "./shared-code.js";
import type { WalkedFrame } from "./throw.js";

/** One JIT-compiled function, as JitOutput describes it. */
export interface JitFunctionImage {
  name: string;
  addr: bigint;
  code: Uint8Array;
  /** RV instructions with the eBPF slot each came from (-1: prologue/epilogue). */
  insns?: readonly { offset: number; size: number; bpf: number }[];
  /** eBPF slot -> byte offset of its first RV instruction. */
  lineMap?: readonly number[];
  isExceptionCb?: boolean;
  isExceptionBoundary?: boolean;
}

/** A JIT-compiled program (compiler/pipeline.ts JitOutput): its functions, and which is the exception callback. */
export interface JitImage {
  funcs: readonly JitFunctionImage[];
  exceptionCb?: number;
}

/** What a run starts from. */
export interface RunInput {
  /** The program's ctx, copied into the ctx region; r1 points to it. */
  ctx?: Uint8Array;
  /** r1..r5 as the program sees them (a0..a4); args[0] replaces the ctx pointer in r1. */
  args?: readonly bigint[];
  /** Maps, in fd order: map i is at layout.ts mapAddress(i). Prog-array values are indexes into the programs. */
  maps?: readonly MapSpec[];
  /** Instructions before the run is stopped (default 10,000,000). */
  budget?: number;
  /** bpf_get_prandom_u32's seed. */
  seed?: number;
  /** bpf_get_smp_processor_id and thread_info.cpu. */
  cpu?: number;
}

export interface RunOptions {
  isa?: IsaConfig;
  /** Hot-block translation (default on). */
  blocks?: boolean;
  /** Text of eBPF slot `slot` of program `prog`, for fault reports. */
  describeSlot?: (prog: number, slot: number) => string | undefined;
  /** Helper definitions by number, replacing or adding to helpers.ts HELPERS (e.g. a test suite's own helper). */
  helpers?: ReadonlyMap<number, HelperDef>;
  /**
   * Build a new kernel for this run instead of reusing the one the last run of the same programs left (run.ts);
   * for comparing the two. Results are the same either way.
   */
  fresh?: boolean;
}

/** Where a function of a loaded program lives. */
export interface LoadedFunc {
  prog: number;
  index: number;
  f: JitFunctionImage;
  region: Region;
  start: bigint;
  end: bigint;
}

/** Why control left the program for good (from calls.ts and throw.ts). */
export type Stop = { kind: "return" } | { kind: "fault"; what: string; why: string };

/** A run's memory layout besides its programs: the ctx size and each map's shape (names show in fault reports). */
function layoutOf(input: RunInput): string {
  const maps = (input.maps ?? []).map((m) => `${m.name}:${m.type}:${m.keySize}:${m.valueSize}:${m.maxEntries}`);
  return `ctx ${input.ctx?.length ?? 0}; ${maps.join(", ")}`;
}

/** The poison call number `call` (its index in Kernel.calls) leaves in caller-saved register r. */
export function callPoison(call: number, r: number): bigint {
  return 0xdead_c000_0000_0000n | (BigInt(call & 0xffff) << 16n) | BigInt(r);
}

/** Fill of the kernel stack before a run, to measure how much of it was used. */
export const STACK_PAINT = 0xa5;
/** Fill of struct bpf_prog fields other than bpf_func: not an address anything is mapped at. */
const PROG_OBJ_POISON = 0x6b;

export class Kernel {
  readonly mem = new Memory();
  readonly m: Machine;
  maps!: MapTable;
  env!: HelperEnv;
  readonly funcs: LoadedFunc[] = [];
  readonly stack: Region;
  readonly ctx: Region | undefined;
  budget = 0;
  /** The helpers this run offers, by number. */
  readonly helpers: ReadonlyMap<number, HelperDef>;
  /** Helper and kfunc calls, in order, for results and goldens. */
  calls: { name: string; args: bigint[]; ret?: bigint }[] = [];
  /** Set by bpf_throw: the cookie and the frames it walked. */
  thrown: { cookie: bigint; frames: WalkedFrame[] } | undefined;
  /** The input and options of the current run (begin() replaces them when a kernel is reused). */
  input: RunInput;
  opts: RunOptions;
  private readonly task: Region;
  private readonly mapRegions: { region: Region; perm: PermString }[] = [];
  /** What the memory layout depends on besides the programs: the ctx size and the maps' shapes (fits()). */
  private readonly layout: string;

  constructor(readonly programs: readonly JitImage[], input: RunInput, opts: RunOptions) {
    const mem = this.mem;
    this.input = input;
    this.opts = opts;
    this.layout = layoutOf(input);
    this.helpers = opts.helpers ? new Map([...HELPERS, ...opts.helpers]) : HELPERS;
    mem.add({ name: "kernel stack guard", base: STACK_GUARD_ADDR, size: STACK_GUARD_SIZE, perm: "---", guardOf: "kernel stack" });
    this.stack = mem.add({ name: "kernel stack", base: STACK_ADDR, size: STACK_SIZE, perm: "rw-" });
    this.ctx = input.ctx && input.ctx.length > 0 ? mem.add({ name: "ctx", base: CTX_ADDR, size: input.ctx.length, perm: "rw-" }) : undefined;
    this.loadPrograms();
    this.addMaps(input.maps ?? []);
    mem.add({ name: "helpers", ...HELPER_REGION, perm: "--x", trap: true });
    mem.add({ name: "kfuncs", ...KFUNC_REGION, perm: "--x", trap: true });
    mem.add({ name: "return sentinels", base: SENTINEL_BASE, size: 0x100, perm: "--x", trap: true });
    mem.add({ name: "__per_cpu_offset", ...PER_CPU_REGION, perm: "r--" });
    this.task = mem.add({ name: "current (task_struct)", base: TASK_ADDR, size: TASK_SIZE, perm: "r--" });
    // Every region is in place: the code can take the instructions earlier runs decoded (shared-code.ts).
    const layout = layoutKey(mem);
    for (const lf of this.funcs) shareDecoded(lf.region, lf.f.code, opts.isa, layout);
    this.m = new Machine(mem, { isa: opts.isa, blocks: opts.blocks });
    this.begin(input, opts);
  }

  /**
   * Whether a run with this input and these options can reuse this kernel (begin()): same programs (the caller's
   * business), same memory layout, same hart. Everything else a run starts from, begin() sets anew.
   */
  fits(input: RunInput, opts: RunOptions): boolean {
    const o = this.opts;
    return opts.isa === o.isa && opts.blocks === o.blocks && opts.helpers === o.helpers && layoutOf(input) === this.layout;
  }

  /**
   * The state a run starts from, on top of the layout the constructor built: the stack painted again where the
   * last run wrote (all of it the first time: zeros are not paint), the ctx and the maps filled from the input, thread_info.cpu, a fresh helper environment and
   * call record, the hart's counters and reservation cleared. A reused kernel is then what a new one would be,
   * except for what depends only on the code: pre-decoded instructions and translated blocks.
   */
  begin(input: RunInput, opts: RunOptions): void {
    this.input = input;
    this.opts = opts;
    this.budget = input.budget ?? 10_000_000;
    this.stack.bytes.fill(STACK_PAINT, STACK_SIZE - this.stackUsed());
    this.lowWater = STACK_SIZE;
    if (this.ctx) this.ctx.bytes.set(input.ctx!);
    this.maps = this.fillMaps(input.maps ?? []);
    this.task.view.setUint32(THREAD_INFO_CPU_OFF, input.cpu ?? 0, true);
    this.env = createHelperEnv(this.mem, this.maps, { seed: input.seed, cpu: input.cpu });
    this.calls = [];
    this.thrown = undefined;
    const m = this.m;
    m.steps = 0;
    m.resHi = m.resLo = m.resSize = 0;
    this.mem.misaligned = 0;
  }

  /** Code regions, one per function, and a struct bpf_prog per program. */
  private loadPrograms(): void {
    const objs = new Uint8Array(Math.max(1, this.programs.length) * PROG_OBJ_SIZE).fill(PROG_OBJ_POISON);
    const dv = new DataView(objs.buffer);
    this.programs.forEach((p, prog) => {
      if (p.funcs.length === 0) throw new Error(`program ${prog} has no functions`);
      p.funcs.forEach((f, index) => {
        const name = this.programs.length === 1 ? f.name : `prog${prog}:${f.name}`;
        const region = this.mem.add({ name, base: f.addr, size: f.code.length, perm: "r-x", bytes: f.code });
        this.funcs.push({ prog, index, f, region, start: f.addr, end: f.addr + BigInt(f.code.length) });
      });
      dv.setBigUint64(prog * PROG_OBJ_SIZE + PROG_BPF_FUNC_OFF, p.funcs[0]!.addr, true);
    });
    this.funcs.sort((a, b) => (a.start < b.start ? -1 : 1));
    this.mem.add({ name: "struct bpf_prog objects", base: PROG_OBJ_BASE, size: objs.length, perm: "r--", bytes: objs });
  }

  /** Each map's regions: its struct (r--) and its values (rw-; a prog array's ptrs[] are r--). */
  private addMaps(specs: readonly MapSpec[]): void {
    const addrs = mapAddresses(specs);
    specs.forEach((s, i) => {
      const base = addrs[i]!;
      this.mapRegions.push({ region: this.mem.add({ name: `map '${s.name}'`, base, size: ARRAY_PTRS_OFF, perm: "r--" }), perm: "r--" });
      const valuesSize = mapFootprint(s) - ARRAY_PTRS_OFF;
      if (valuesSize > 0) {
        const [kind, perm] = s.type === "prog_array" ? ["ptrs", "r--" as const] : ["values", "rw-" as const];
        this.mapRegions.push({ region: this.mem.add({ name: `map '${s.name}' ${kind}`, base: base + BigInt(ARRAY_PTRS_OFF), size: valuesSize, perm }), perm });
      }
    });
  }

  /**
   * The maps' headers and contents for this run, written by maps.ts createMaps into zeroed regions, which are
   * writable while it writes and then get their final permissions back (no hart runs meanwhile).
   */
  private fillMaps(specs: readonly MapSpec[]): MapTable {
    specs.forEach((s) => {
      for (const e of s.type === "prog_array" ? s.entries ?? [] : []) {
        const p = Number(e.value instanceof Uint8Array ? e.value[0] : e.value);
        if (!(p >= 0 && p < this.programs.length)) {
          throw new Error(`map '${s.name}': entry refers to program ${p}, but the run has ${this.programs.length}`);
        }
      }
    });
    for (const { region } of this.mapRegions) {
      region.bytes.fill(0);
      this.mem.setPerm(region, "rw-");
    }
    const table = createMaps(specs, this.mem, mapAddress, progObjectAddr);
    for (const { region, perm } of this.mapRegions) this.mem.setPerm(region, perm);
    return table;
  }

  /** The loaded function containing `pc`. */
  funcAt(pc: bigint): LoadedFunc | undefined {
    return this.funcs.find((f) => pc >= f.start && pc < f.end);
  }

  /** The eBPF slot the RV instruction at `pc` came from. */
  slotAt(pc: bigint): { prog: number; slot: number } | undefined {
    const lf = this.funcAt(pc);
    if (!lf) return undefined;
    const off = Number(pc - lf.start);
    const rv = lf.f.insns?.find((i) => off >= i.offset && off < i.offset + i.size);
    if (rv) return rv.bpf >= 0 ? { prog: lf.prog, slot: rv.bpf } : undefined;
    const map = lf.f.lineMap;
    if (!map) return undefined;
    let best = -1;
    map.forEach((o, slot) => {
      if (o <= off && (best < 0 || o >= map[best]!)) best = slot;
    });
    return best >= 0 ? { prog: lf.prog, slot: best } : undefined;
  }

  /** Symbols and eBPF origins for fault reports. */
  symbolizer(): Symbolizer {
    return {
      symbol: (pc) => {
        const lf = this.funcAt(pc);
        if (!lf) return undefined;
        const name = this.programs.length === 1 ? lf.f.name : `prog${lf.prog}:${lf.f.name}`;
        return `${name}+0x${(pc - lf.start).toString(16)}`;
      },
      origin: (pc) => {
        const s = this.slotAt(pc);
        return s ? { slot: s.slot, text: this.opts.describeSlot?.(s.prog, s.slot) } : undefined;
      },
    };
  }

  /** Lowest stack offset the program wrote, among bytes the kernel has repainted since (see scrub). */
  private lowWater = STACK_SIZE;

  /**
   * Overwrites the stack bytes [from, to) as a callee's frames would (helpers, bpf_throw), with the paint, so that
   * stale data there cannot be relied on and the high-water mark still measures the program alone. What the program
   * had written there is remembered first.
   */
  scrubStack(from: bigint, to: bigint): void {
    const b = this.stack.bytes;
    const lo = Number(from - STACK_ADDR), hi = Number(to - STACK_ADDR);
    for (let i = Math.max(lo, 0); i < hi && i < this.lowWater; i++) {
      if (b[i] !== STACK_PAINT) {
        this.lowWater = i;
        break;
      }
    }
    b.fill(STACK_PAINT, Math.max(lo, 0), Math.min(hi, b.length));
  }

  /** Bytes of the kernel stack the program used: from the top down to the lowest byte it ever wrote. */
  stackUsed(): number {
    const b = this.stack.bytes;
    const words = new Int32Array(b.buffer, b.byteOffset, b.length >>> 2); // four bytes per compare
    const paint = STACK_PAINT * 0x01010101 | 0;
    let low = this.lowWater;
    for (let w = 0; w * 4 < low; w++) {
      if (words[w] !== paint) {
        for (let i = w * 4; i < w * 4 + 4; i++) if (b[i] !== STACK_PAINT) return b.length - Math.min(i, low);
      }
    }
    return b.length - low;
  }

  hex(v: bigint): string {
    return hex64(v);
  }
}
