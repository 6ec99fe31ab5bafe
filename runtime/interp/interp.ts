/**
 * @fileoverview The reference eBPF interpreter: runs a verified (xlated) program with the Linux kernel's semantics.
 * It is the oracle the JIT is compared with, so it is written to be obviously right rather than fast: BigInt
 * registers, one plain switch over the instruction classes, no pre-decoding, and nothing shared with the RV64
 * emulator except the helper and map definitions of runtime/kernel (which both engines must agree on by design).
 *
 * This file holds the machine: registers, frames, memory accesses and the instruction switch. Calls out of the
 * straight line (bpf-to-bpf calls, helpers and kfuncs, tail calls, bpf_throw) are in calls.ts.
 *
 * Model of the kernel around the program:
 * - Frames: every bpf-to-bpf call gets a new frame with its own 512-byte stack (R10 at layout.stackTop(depth));
 *   R6-R9 are the caller's again after the call returns (the callee works on its own copies, as the JITs' callee
 *   saving gives); R1-R5 are whatever the callee left (the verifier makes them unreadable after a call).
 * - Tail calls: the target's main function replaces the current frame; the tail-call counter is counted as the
 *   RV64 JIT counts it (calls.ts has the rules and their sources).
 * - bpf_throw: unwinds to the exception boundary, the innermost frame that is the first frame of a *main* program
 *   (the entry program or a tail-call target), and runs that program's exception callback with R1 = cookie in its
 *   place; the callback's R0 is what the boundary frame returns to its caller.
 */
import { alu32, alu64, endian, jumpTaken, sext, u32, u64 } from "../../compiler/bpf/alu-semantics.js";
import { type Insn, isLdImm64, ldImm64Value } from "../../compiler/bpf/insn.js";
import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_END, BPF_EXIT, BPF_FETCH, BPF_JA, BPF_JMP, BPF_JMP32,
  BPF_LD, BPF_LDX, BPF_LOAD_ACQ, BPF_MEM, BPF_MEMSX, BPF_NEG, BPF_PSEUDO_FUNC, BPF_ST, BPF_STORE_REL, BPF_STX,
  BPF_TAIL_CALL, BPF_TO_BE, BPF_X, BPF_XCHG, bpfClass, bpfMode, bpfOp, bpfSize, sizeBytes,
} from "../../compiler/bpf/opcodes.js";
import { mapAddress, MAX_CALL_FRAMES, MAX_TAIL_CALL_CNT } from "../../compiler/kernel-abi.js";
import type { Verified } from "../../compiler/passes/verify-types.js";
import { GuestFault } from "../kernel/guest-memory.js";
import { createHelperEnv, HELPERS, type HelperDef, type HelperEnv } from "../kernel/helpers.js";
import { createMaps, mapFootprint, type MapTable } from "../kernel/maps.js";
import { call, makesCalls, tailCall } from "./calls.js";
import { describeInsn } from "./describe.js";
import { codeAddress, CTX_ADDR, progObject, STACK_SIZE, stackTop } from "./layout.js";
import { InterpMemory, type Region } from "./memory.js";
import { HelperExit, type InterpInput, type InterpOptions, type InterpResult } from "./types.js";

const DEFAULT_BUDGET = 10_000_000;

export interface Frame {
  prog: number;
  func: number;
  /** Call depth: which stack area the frame owns. */
  depth: number;
  /** Where the caller resumes; -1 for the entry frame. */
  retPc: number;
  /** The caller's R6..R9. */
  saved: bigint[];
  /** First frame of a main program: bpf_throw unwinds to the innermost such frame. */
  main: boolean;
  /** Tail calls this frame may still make: the JIT's tail-call counter (TCC) in it (calls.ts). */
  tcc: number;
  stack: Region;
  /** Deepest byte below R10 touched so far. */
  touched: number;
}

/** A run that ends abnormally: becomes a "fault" or "budget" result. */
class Stop extends Error {
  constructor(readonly kind: "fault" | "budget", message: string) {
    super(message);
  }
}

/** Runs `entry` (the program list's first program unless `input.programs` says otherwise) to completion. */
export function interpret(entry: Verified, input: InterpInput = {}, opts: InterpOptions = {}): InterpResult {
  return new Interpreter(entry, input, opts).run();
}

/** The machine; its state is open to calls.ts, which runs the instructions that leave the straight line. */
export class Interpreter {
  readonly mem = new InterpMemory();
  readonly programs: readonly Verified[];
  readonly maps: MapTable;
  readonly env: HelperEnv;
  readonly helpers: ReadonlyMap<number, HelperDef>;
  /** Per program, per function: does the JIT see calls in it (SEEN_CALL, calls.ts makesCalls)? */
  readonly seenCall: readonly boolean[][];
  /** R0-R10, and R11 = the verifier's AX (BPF_REG_AX), which xlated rewrites use. */
  readonly regs: bigint[] = new Array<bigint>(12).fill(0n);
  readonly frames: Frame[] = [];
  readonly calls: InterpResult["calls"] = [];
  thrown?: InterpResult["thrown"];
  prog!: Verified;
  progIndex = 0;
  pc = 0;
  private readonly ctx?: Uint8Array;
  private readonly traceLines?: string[];
  private steps = 0;
  private stackUsed = 0;

  constructor(entry: Verified, private readonly input: InterpInput, opts: InterpOptions) {
    this.programs = input.programs ?? [entry];
    this.progIndex = this.programs.indexOf(entry);
    if (this.progIndex < 0) throw new Error("interpret: the entry program is not in input.programs (prog arrays index that list)");
    this.seenCall = this.programs.map((p) => p.subprogs.map((s) => makesCalls(p.insns, s.start, s.end)));
    this.helpers = opts.helpers ?? HELPERS;
    if (opts.insnTrace) this.traceLines = [];
    if (input.ctx) {
      this.ctx = input.ctx.slice();
      this.mem.map("ctx", CTX_ADDR, this.ctx);
    }
    const specs = input.maps ?? [];
    const footprints = specs.map(mapFootprint);
    const addrs = specs.map((_, i) => input.mapAddrs?.[i] ?? mapAddress(i));
    specs.forEach((s, i) => this.mem.map(`map '${s.name}'`, addrs[i]!, new Uint8Array(footprints[i]!)));
    this.maps = createMaps(specs, this.mem, (i) => addrs[i]!, progObject);
    this.env = createHelperEnv(this.mem, this.maps, { seed: input.seed, cpu: input.cpu });
  }

  run(): InterpResult {
    const budget = this.input.budget ?? DEFAULT_BUDGET;
    this.regs[1] = this.ctx ? CTX_ADDR : 0n;
    (this.input.args ?? []).slice(0, 5).forEach((v, i) => (this.regs[i + 1] = u64(v)));
    this.enter(this.progIndex, 0, -1, true);
    let kind: InterpResult["kind"] = "return";
    let report: string | undefined;
    let r0 = 0n;
    try {
      for (;;) {
        if (this.steps >= budget) {
          throw new Stop("budget", `instruction budget of ${budget} exhausted at ${this.where(this.pc)} (an endless loop?)`);
        }
        this.steps++;
        const done = this.exec(this.prog.insns[this.pc]!);
        if (done) {
          r0 = this.regs[0]!;
          break;
        }
      }
    } catch (e) {
      if (e instanceof HelperExit) r0 = u64(e.r0);
      else if (e instanceof Stop) [kind, report] = [e.kind, e.message];
      else throw e;
    }
    return {
      kind,
      r0: kind === "return" ? r0 : 0n,
      ...(this.thrown ? { thrown: this.thrown } : {}),
      steps: this.steps,
      stackUsed: this.stackUsed,
      ...(this.ctx ? { ctxAfter: this.ctx } : {}),
      ...(this.maps.list.length ? { mapsAfter: this.maps.dump() } : {}),
      trace: this.env.trace,
      calls: this.calls,
      ...(report !== undefined ? { report } : {}),
      ...(this.traceLines ? { insnTrace: this.traceLines } : {}),
    };
  }

  /** "insn 7 (`r0 = *(u64 *)(r1 + 8)`) of prog 0" for reports. */
  private where(pc: number): string {
    const p = this.programs.length > 1 ? ` of prog ${this.progIndex}` : "";
    return `insn ${pc} (\`${describeInsn(this.prog.insns, pc)}\`)${p}`;
  }

  fault(message: string): never {
    throw new Stop("fault", `${this.where(this.pc)}: ${message}`);
  }

  // ----- frames -----

  /**
   * Pushes a frame for function `func` of program `prog` and jumps to its first instruction. Its tail-call counter
   * starts full: the JIT's prologue sets TCC = MAX_TAIL_CALL_CNT in every function it enters from the start
   * (reference §1.4 step 6; only a tail call skips that instruction).
   */
  enter(prog: number, func: number, retPc: number, main: boolean): void {
    const depth = this.frames.length;
    if (depth >= MAX_CALL_FRAMES) this.fault(`call stack deeper than ${MAX_CALL_FRAMES} frames`);
    const stack = this.mem.map(`stack of frame ${depth}`, stackTop(depth) - BigInt(STACK_SIZE), new Uint8Array(STACK_SIZE));
    this.frames.push({ prog, func, depth, retPc, saved: this.regs.slice(6, 10), main, tcc: MAX_TAIL_CALL_CNT, stack, touched: 0 });
    this.switchTo(prog, func);
    this.regs[10] = stackTop(depth);
  }

  private switchTo(prog: number, func: number): void {
    this.progIndex = prog;
    this.prog = this.programs[prog]!;
    this.pc = this.prog.subprogs[func]!.start;
  }

  /** Pops the top frame; returns true when it was the entry frame (the run is over). */
  private leave(): boolean {
    const f = this.frames.pop()!;
    this.mem.unmap(f.stack);
    if (this.frames.length === 0) return true;
    const caller = this.frames[this.frames.length - 1]!;
    f.saved.forEach((v, i) => (this.regs[6 + i] = v));
    this.regs[10] = stackTop(caller.depth);
    this.progIndex = caller.prog;
    this.prog = this.programs[caller.prog]!;
    this.pc = f.retPc;
    return false;
  }

  /**
   * Replaces the top frame by a fresh one for (prog, func) with tail-call counter `tcc`, keeping its depth, return
   * point and saved registers (a tail call, or bpf_throw's callback in the boundary's place).
   */
  replaceTop(prog: number, func: number, main: boolean, tcc: number): void {
    const f = this.frames[this.frames.length - 1]!;
    f.stack.bytes.fill(0);
    Object.assign(f, { prog, func, main, tcc, touched: 0 });
    this.switchTo(prog, func);
    this.regs[10] = stackTop(f.depth);
  }

  /** Drops the frames above index `keep` (bpf_throw's unwind). */
  unwindTo(keep: number): void {
    while (this.frames.length - 1 > keep) this.mem.unmap(this.frames.pop()!.stack);
  }

  funcAt(prog: Verified, start: number): number {
    const f = prog.subprogs.findIndex((s) => s.start === start);
    if (f < 0) this.fault(`no function starts at insn ${start}`);
    return f;
  }

  // ----- memory -----

  private load(addr: bigint, size: 1 | 2 | 4 | 8): bigint {
    try {
      const v = this.mem.read(addr, size);
      this.noteStack();
      return v;
    } catch (e) {
      if (e instanceof GuestFault) this.fault(e.message);
      throw e;
    }
  }

  private store(addr: bigint, size: 1 | 2 | 4 | 8, v: bigint): void {
    try {
      this.mem.write(addr, size, v);
      this.noteStack();
    } catch (e) {
      if (e instanceof GuestFault) this.fault(e.message);
      throw e;
    }
  }

  /** Stack accounting: how deep below its R10 each frame's accesses reach (after an access, from its region). */
  private noteStack(): void {
    const { region: r, offset } = this.mem.lastAccess();
    for (let k = this.frames.length - 1; k >= 0; k--) {
      const f = this.frames[k]!;
      if (f.stack !== r) continue;
      const below = f.stack.bytes.length - offset;
      if (below > f.touched) {
        f.touched = below;
        this.stackUsed = Math.max(this.stackUsed, this.frames.reduce((sum, fr) => sum + fr.touched, 0));
      }
      return;
    }
  }

  // ----- execution -----

  /**
   * Executes the instruction at pc and advances pc. Returns true when the entry program has exited.
   * One switch over the classes, each case the instruction's definition (RFC 9669 §4-5, kernel semantics).
   */
  private exec(x: Insn): boolean {
    const r = this.regs;
    if (this.traceLines) this.traceLines.push(`${this.pc}: ${describeInsn(this.prog.insns, this.pc)}`);
    const cls = bpfClass(x.code);
    const op = bpfOp(x.code);
    const srcVal = (x.code & BPF_X) === BPF_X ? r[x.src]! : u64(BigInt(x.imm));
    switch (cls) {
      case BPF_ALU64:
      case BPF_ALU:
        if (op === BPF_END) r[x.dst] = endian(r[x.dst]!, x.imm as 16 | 32 | 64, cls === BPF_ALU64, (x.code & BPF_TO_BE) !== 0);
        else if (op === BPF_NEG) r[x.dst] = cls === BPF_ALU64 ? alu64(op, r[x.dst]!, 0n, 0) : alu32(op, r[x.dst]!, 0n, 0);
        else r[x.dst] = cls === BPF_ALU64 ? alu64(op, r[x.dst]!, srcVal, x.off) : alu32(op, r[x.dst]!, srcVal, x.off);
        break;
      case BPF_LD:
        if (!isLdImm64(x)) this.fault("legacy packet loads (BPF_ABS/BPF_IND) are not modelled");
        r[x.dst] = x.src === BPF_PSEUDO_FUNC ? this.funcAddress(this.pc + 1 + x.imm) : ldImm64Value(this.prog.insns, this.pc);
        if (x.src !== 0 && x.src !== BPF_PSEUDO_FUNC) this.fault(`LD_IMM64 with src ${x.src} was not resolved by the verifier`);
        this.pc++;
        break;
      case BPF_LDX: {
        const size = sizeBytes(bpfSize(x.code));
        const v = this.load(u64(r[x.src]! + BigInt(x.off)), size);
        r[x.dst] = bpfMode(x.code) === BPF_MEMSX ? sext(v, size * 8) : v;
        break;
      }
      case BPF_ST:
        this.store(u64(r[x.dst]! + BigInt(x.off)), sizeBytes(bpfSize(x.code)), u64(BigInt(x.imm)));
        break;
      case BPF_STX:
        if (bpfMode(x.code) === BPF_ATOMIC) this.atomic(x);
        else if (bpfMode(x.code) === BPF_MEM) this.store(u64(r[x.dst]! + BigInt(x.off)), sizeBytes(bpfSize(x.code)), r[x.src]!);
        else this.fault(`no STX mode 0x${bpfMode(x.code).toString(16)}`);
        break;
      case BPF_JMP:
      case BPF_JMP32:
        if (op === BPF_JA) this.pc += cls === BPF_JMP ? x.off : x.imm; // JMP32 JA is gotol: the offset is in imm
        else if (op === BPF_CALL) {
          call(this, x); // sets pc itself
          return false;
        }
        else if (op === BPF_EXIT) return this.leave();
        else if (op === BPF_TAIL_CALL) tailCall(this);
        else if (jumpTaken(op, r[x.dst]!, srcVal, cls === BPF_JMP32)) this.pc += x.off;
        break;
      default:
        this.fault(`no instruction class ${cls}`);
    }
    this.pc++;
    return false;
  }

  /** BPF_STX | BPF_ATOMIC: the operation is in imm; W forms work on and return 32-bit values. */
  private atomic(x: Insn): void {
    const r = this.regs;
    const size = sizeBytes(bpfSize(x.code));
    const narrow = (v: bigint): bigint => (size === 4 ? u32(v) : v);
    if (x.imm === BPF_LOAD_ACQ) {
      // dst = smp_load_acquire((size *)(src + off)); a single-threaded run has no ordering to show.
      r[x.dst] = this.load(u64(r[x.src]! + BigInt(x.off)), size);
      return;
    }
    const addr = u64(r[x.dst]! + BigInt(x.off));
    if (x.imm === BPF_STORE_REL) {
      this.store(addr, size, r[x.src]!);
      return;
    }
    if (size !== 4 && size !== 8) this.fault("read-modify-write atomics need size W or DW");
    const old = this.load(addr, size);
    if (x.imm === BPF_CMPXCHG) {
      // r0 = cmpxchg(addr, r0, src): store src when *addr == r0 (compared in the access size); r0 = old value.
      if (old === narrow(r[0]!)) this.store(addr, size, r[x.src]!);
      r[0] = old;
      return;
    }
    if (x.imm === BPF_XCHG) {
      this.store(addr, size, r[x.src]!);
      r[x.src] = old;
      return;
    }
    const aluOp = x.imm & ~BPF_FETCH; // BPF_ADD, BPF_OR, BPF_AND, BPF_XOR
    this.store(addr, size, narrow(alu64(aluOp, old, r[x.src]!, 0)));
    if (x.imm & BPF_FETCH) r[x.src] = old;
  }

  /** BPF_PSEUDO_FUNC: the fake code address of the function starting at `target` (layout.codeAddress). */
  private funcAddress(target: number): bigint {
    return codeAddress(this.progIndex, this.funcAt(this.prog, target));
  }
}
