/**
 * @fileoverview One RV64 hart over a region memory: registers as (lo, hi) int32 pairs, the program counter, the
 * LR/SC reservation, and `run(budget)`, which executes until something needs the host: a trap address (helpers,
 * the return sentinel), ecall, ebreak, a fault, or the end of the budget.
 *
 * The host owns the policy: the kernel model (runtime/kernel) turns traps into helper calls and ecall into a fault;
 * the Linux layer (runtime/linux-user) turns ecall into a syscall. Values cross this API as bigint; the hot loop
 * (interp.ts, blocks.ts) never sees one.
 */
import type { IsaConfig } from "../../compiler/riscv/isa-config.js";
import { FULL_ISA, isaName } from "../../compiler/riscv/isa-config.js";
import { type BlockCache, blockCacheFor, type BlockPolicy } from "./blocks.js";
import { buildInterpreter, EXIT_FAULT, EXIT_JUMP, EXIT_TRAP, type InterpFn } from "./interp.js";
import { describeFault, join64, type Memory, PERM_X, type Region, split64 } from "./memory.js";
import { decodeCache, predecode } from "./predecode.js";

export { EXIT_BUDGET, EXIT_EBREAK, EXIT_ECALL, EXIT_FAULT, EXIT_TRAP } from "./interp.js";

export type FaultKind =
  /** A load or store outside every region, or to one without the permission. */
  | "load-fault" | "store-fault"
  /** An access into a guard region: stack overflow. */
  | "guard"
  /** Executing outside executable memory. */
  | "fetch-fault"
  | "illegal-instruction"
  /** LR/SC/AMO at an address not aligned to its size (plain loads and stores may be misaligned). */
  | "misaligned-atomic"
  /** ebreak or ecall where the host allows neither (the hart itself only stops on them; hosts report this kind). */
  | "breakpoint" | "environment-call";

export interface Fault {
  kind: FaultKind;
  /** The instruction that faulted (for fetch faults: the address that could not be fetched). */
  pc: bigint;
  message: string;
  addr?: bigint;
  size?: number;
  region?: Region;
  /** The undecodable bits, for illegal instructions. */
  word?: number;
  wordSize?: 2 | 4;
}

export interface MachineOptions {
  isa?: IsaConfig;
  /** Translate hot blocks to JavaScript (blocks.ts). Default true. */
  blocks?: boolean;
  /** When hot blocks are translated (blocks.ts); tests use { hot: 1, hotStraight: 1, minStraight: 1 } to translate everything. */
  blockPolicy?: BlockPolicy;
}

let interp: InterpFn | undefined;

export class Machine {
  /** Registers: x[2r] low word, x[2r + 1] high word; pair 32 is the sink for writes to x0. */
  readonly x = new Int32Array(2 * 33);
  readonly isa: IsaConfig;
  readonly blocksEnabled: boolean;
  readonly blockPolicy: BlockPolicy | undefined;

  /** The program counter while stopped. */
  pcHi = 0;
  pcLo = 0;
  /** LR reservation: address and size (0 = none). */
  resHi = 0;
  resLo = 0;
  resSize = 0;
  /** Instructions executed, over all runs. */
  steps = 0;
  /** Why the last run stopped with EXIT_FAULT. */
  fault: Fault | undefined;

  // State of the current run, shared with the interpreter and translated blocks.
  region!: Region;
  off = 0;
  left = 0;

  constructor(readonly mem: Memory, opts: MachineOptions = {}) {
    this.isa = opts.isa ?? FULL_ISA;
    this.blocksEnabled = opts.blocks ?? true;
    this.blockPolicy = opts.blockPolicy;
    interp ??= buildInterpreter();
  }

  get pc(): bigint {
    return join64(this.pcHi, this.pcLo);
  }
  set pc(v: bigint) {
    [this.pcHi, this.pcLo] = split64(v);
  }

  /** Register r as a u64. */
  reg(r: number): bigint {
    return r === 0 ? 0n : join64(this.x[2 * r + 1]!, this.x[2 * r]!);
  }
  setReg(r: number, v: bigint): void {
    if (r === 0) return;
    const [hi, lo] = split64(v);
    this.x[2 * r] = lo;
    this.x[2 * r + 1] = hi;
  }

  /**
   * Runs at most `budget` instructions from pc. Returns EXIT_TRAP (pc is in a trap region), EXIT_ECALL or
   * EXIT_EBREAK (pc is at the instruction), EXIT_FAULT (`fault` says why) or EXIT_BUDGET.
   */
  run(budget: number): number {
    this.left = budget;
    this.fault = undefined;
    try {
      for (;;) {
        const code = this.enter();
        if (code !== 0) return code;
        const exit = interp!(this);
        if (exit !== EXIT_JUMP) return exit;
      }
    } finally {
      this.steps += budget - this.left;
    }
  }

  /** Moves into the code region holding pc; 0 on success, else the exit code. */
  private enter(): number {
    const i = this.mem.find(this.pcHi, this.pcLo);
    const r = i >= 0 ? this.mem.regions[i]! : undefined;
    if (!r || (r.perm & PERM_X) === 0) {
      const what = r ? `${r.describe()} is not executable` : "no memory region there";
      this.fault = { kind: "fetch-fault", pc: this.pc, addr: this.pc, region: r, message: `instruction fetch at ${hex(this.pc)}: ${what}` };
      return EXIT_FAULT;
    }
    if (r.trap) return EXIT_TRAP;
    this.region = r;
    this.off = (this.pcLo - r.baseLo) >>> 0;
    decodeCache(r);
    return 0;
  }

  // --- called from the interpreter and translated blocks ---

  /** The translated-block cache of a code region, or null when translation is off. */
  blockCache(r: Region): BlockCache | null {
    return this.blocksEnabled ? blockCacheFor(this, r) : null;
  }

  /**
   * Runs the translated block at `off` of the current region, translating it first if it is due (blocks.ts decides);
   * returns where to continue (an offset, or -1 with pcHi/pcLo set). Budget in and out through `left`.
   */
  enterBlock(T: BlockCache, off: number): number {
    let j = T.index[off >>> 1]!;
    if (j === 0) {
      T.compile(off);
      j = T.index[off >>> 1]!;
      if (j === 0) return off;
    }
    return T.fns[j]!(this.x, this);
  }

  /** Stops at offset `off` of the current region. */
  stop(code: number, off: number, left: number): number {
    this.left = left;
    this.setPcFromOff(off);
    return code;
  }
  private setPcFromOff(off: number): void {
    [this.pcHi, this.pcLo] = split64(this.region.base + BigInt(off));
  }

  /** Left the current region by falling or branching out of it. */
  leave(off: number, left: number): number {
    this.left = left;
    this.setPcFromOff(off);
    return EXIT_JUMP;
  }

  /** An indirect jump to (hi, lo) outside the current region. */
  jump(hi: number, lo: number, left: number): number {
    this.left = left;
    this.pcHi = hi;
    this.pcLo = lo;
    return EXIT_JUMP;
  }

  /** Decodes the instruction at `off` of the current region: its op number, or 0 after recording a fault. */
  decodeAt(off: number): number {
    const res = predecode(this.region, off, this.isa);
    if (typeof res === "number") return res;
    this.setPcFromOff(off);
    const pc = this.pc;
    if (res.kind === "fetch") {
      this.fault = {
        kind: "fetch-fault", pc, addr: pc, region: this.region,
        message: `instruction fetch of ${res.bytes} bytes at ${hex(pc)}: runs past the end of ${this.region.describe()}`,
      };
    } else {
      const w = res.word.toString(16).padStart(res.size * 2, "0");
      this.fault = {
        kind: "illegal-instruction", pc, word: res.word, wordSize: res.size, region: this.region,
        message: `illegal instruction 0x${w} at ${hex(pc)} (not an instruction of ${isaName(this.isa)})`,
      };
    }
    return 0;
  }

  /** A load/store/AMO that no region allows; returns EXIT_FAULT. */
  memFault(off: number, left: number, hi: number, lo: number, size: number, access: "load" | "store" | "amo"): number {
    this.stop(EXIT_FAULT, off, left);
    const addr = join64(hi, lo);
    const f = this.mem.lastFault;
    const kind: FaultKind = f.kind === "guard" ? "guard" : access === "load" ? "load-fault" : "store-fault";
    this.fault = { kind, pc: this.pc, addr, size, region: f.region, message: describeFault(f, access, addr, size) };
    return EXIT_FAULT;
  }

  atomicFault(off: number, left: number, hi: number, lo: number, size: number): number {
    this.stop(EXIT_FAULT, off, left);
    const addr = join64(hi, lo);
    this.fault = {
      kind: "misaligned-atomic", pc: this.pc, addr, size,
      message: `atomic access of ${size} bytes at ${hex(addr)} is not ${size}-byte aligned`,
    };
    return EXIT_FAULT;
  }
}

function hex(v: bigint): string {
  return `0x${v.toString(16).padStart(16, "0")}`;
}
