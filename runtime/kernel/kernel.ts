/**
 * @fileoverview The kernel around a JIT-compiled program: builds the emulated address space of layout.ts (stack,
 * ctx, maps, program images, task_struct, per-cpu offsets, struct bpf_prog objects, trap regions for helpers,
 * kfuncs and return sentinels), the maps and the helper environment, and the hart. The entry points that run on it
 * are caller.ts (bpf_prog_run), calls.ts (helpers and kfuncs), throw.ts (bpf_throw); run.ts drives them.
 *
 * A program is what the JIT returns (compiler/pipeline.ts `JitOutput`); only the fields below are read, so any
 * object of that shape runs. Function 0 is the main program, as in the kernel's jit_subprogs.
 */
import { ARRAY_PTRS_OFF, PROG_BPF_FUNC_OFF, THREAD_INFO_CPU_OFF } from "../../compiler/kernel-abi.js";
import type { IsaConfig } from "../../compiler/riscv/isa-config.js";
import { Machine } from "../rv64/machine.js";
import { Memory, type Region } from "../rv64/memory.js";
import type { Symbolizer } from "../rv64/report.js";
import { hex64 } from "./guest-memory.js";
import { createHelperEnv, type HelperDef, type HelperEnv, HELPERS } from "./helpers.js";
import {
  CTX_ADDR, HELPER_REGION, KFUNC_REGION, mapAddresses, PER_CPU_REGION, PROG_OBJ_BASE, PROG_OBJ_SIZE, progObjectAddr,
  SENTINEL_BASE, STACK_ADDR, STACK_GUARD_ADDR, STACK_GUARD_SIZE, STACK_SIZE, TASK_ADDR, TASK_SIZE,
} from "./layout.js";
import { createMaps, mapFootprint, type MapSpec, MapTable } from "./maps.js";
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
}

/** Where a function of a loaded program lives. */
export interface LoadedFunc {
  prog: number;
  index: number;
  f: JitFunctionImage;
  start: bigint;
  end: bigint;
}

/** Why control left the program for good (from calls.ts and throw.ts). */
export type Stop = { kind: "return" } | { kind: "fault"; what: string; why: string };

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
  readonly maps: MapTable;
  readonly env: HelperEnv;
  readonly funcs: LoadedFunc[] = [];
  readonly stack: Region;
  readonly ctx: Region | undefined;
  readonly budget: number;
  /** The helpers this run offers, by number. */
  readonly helpers: ReadonlyMap<number, HelperDef>;
  /** Helper and kfunc calls, in order, for results and goldens. */
  readonly calls: { name: string; args: bigint[]; ret?: bigint }[] = [];
  /** Set by bpf_throw: the cookie and the frames it walked. */
  thrown: { cookie: bigint; frames: WalkedFrame[] } | undefined;

  constructor(readonly programs: readonly JitImage[], readonly input: RunInput, readonly opts: RunOptions) {
    const mem = this.mem;
    this.budget = input.budget ?? 10_000_000;
    this.helpers = opts.helpers ? new Map([...HELPERS, ...opts.helpers]) : HELPERS;
    mem.add({ name: "kernel stack guard", base: STACK_GUARD_ADDR, size: STACK_GUARD_SIZE, perm: "---", guardOf: "kernel stack" });
    this.stack = mem.add({ name: "kernel stack", base: STACK_ADDR, size: STACK_SIZE, perm: "rw-" });
    this.stack.bytes.fill(STACK_PAINT);
    this.ctx = input.ctx && input.ctx.length > 0 ? mem.add({ name: "ctx", base: CTX_ADDR, size: input.ctx.length, perm: "rw-", bytes: input.ctx }) : undefined;
    this.loadPrograms();
    this.maps = this.createMaps(input.maps ?? []);
    mem.add({ name: "helpers", ...HELPER_REGION, perm: "--x", trap: true });
    mem.add({ name: "kfuncs", ...KFUNC_REGION, perm: "--x", trap: true });
    mem.add({ name: "return sentinels", base: SENTINEL_BASE, size: 0x100, perm: "--x", trap: true });
    mem.add({ name: "__per_cpu_offset", ...PER_CPU_REGION, perm: "r--" });
    const task = new Uint8Array(TASK_SIZE);
    new DataView(task.buffer).setUint32(THREAD_INFO_CPU_OFF, input.cpu ?? 0, true);
    mem.add({ name: "current (task_struct)", base: TASK_ADDR, size: TASK_SIZE, perm: "r--", bytes: task });
    this.env = createHelperEnv(mem, this.maps, { seed: input.seed, cpu: input.cpu });
    this.m = new Machine(mem, { isa: opts.isa, blocks: opts.blocks });
  }

  /** Code regions, one per function, and a struct bpf_prog per program. */
  private loadPrograms(): void {
    const objs = new Uint8Array(Math.max(1, this.programs.length) * PROG_OBJ_SIZE).fill(PROG_OBJ_POISON);
    const dv = new DataView(objs.buffer);
    this.programs.forEach((p, prog) => {
      if (p.funcs.length === 0) throw new Error(`program ${prog} has no functions`);
      p.funcs.forEach((f, index) => {
        const name = this.programs.length === 1 ? f.name : `prog${prog}:${f.name}`;
        this.mem.add({ name, base: f.addr, size: f.code.length, perm: "r-x", bytes: f.code });
        this.funcs.push({ prog, index, f, start: f.addr, end: f.addr + BigInt(f.code.length) });
      });
      dv.setBigUint64(prog * PROG_OBJ_SIZE + PROG_BPF_FUNC_OFF, p.funcs[0]!.addr, true);
    });
    this.funcs.sort((a, b) => (a.start < b.start ? -1 : 1));
    this.mem.add({ name: "struct bpf_prog objects", base: PROG_OBJ_BASE, size: objs.length, perm: "r--", bytes: objs });
  }

  /**
   * Each map: its struct (r--) and its values (rw-; a prog array's ptrs[] are r--). The regions are writable while
   * createMaps writes headers and initial contents, then get their final permissions.
   */
  private createMaps(specs: readonly MapSpec[]): MapTable {
    const addrs = mapAddresses(specs);
    const readOnly: Region[] = [];
    specs.forEach((s, i) => {
      const base = addrs[i]!;
      readOnly.push(this.mem.add({ name: `map '${s.name}'`, base, size: ARRAY_PTRS_OFF, perm: "rw-" }));
      const valuesSize = mapFootprint(s) - ARRAY_PTRS_OFF;
      if (valuesSize > 0) {
        const kind = s.type === "prog_array" ? "ptrs" : "values";
        const r = this.mem.add({ name: `map '${s.name}' ${kind}`, base: base + BigInt(ARRAY_PTRS_OFF), size: valuesSize, perm: "rw-" });
        if (s.type === "prog_array") readOnly.push(r);
      }
      for (const e of s.type === "prog_array" ? s.entries ?? [] : []) {
        const p = Number(e.value instanceof Uint8Array ? e.value[0] : e.value);
        if (!(p >= 0 && p < this.programs.length)) {
          throw new Error(`map '${s.name}': entry refers to program ${p}, but the run has ${this.programs.length}`);
        }
      }
    });
    const table = createMaps(specs, this.mem, (i) => addrs[i]!, progObjectAddr);
    for (const r of readOnly) this.mem.setPerm(r, "r--");
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
