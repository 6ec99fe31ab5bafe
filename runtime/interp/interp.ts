/**
 * @fileoverview The reference eBPF interpreter: runs a verified (xlated) program with the Linux kernel's semantics.
 * It is the oracle the JIT is compared with, so it is written to be obviously right rather than fast: BigInt
 * registers, one plain switch over the instruction classes, no pre-decoding, and nothing shared with the RV64
 * emulator except the helper and map definitions of runtime/kernel (which both engines must agree on by design).
 *
 * Model of the kernel around the program:
 * - Frames: every bpf-to-bpf call gets a new frame with its own 512-byte stack (R10 at layout.stackTop(depth));
 *   R6-R9 are the caller's again after the call returns (the callee works on its own copies, as the JITs' callee
 *   saving gives); R1-R5 are whatever the callee left (the verifier makes them unreadable after a call).
 * - Tail calls (xlated `call 12`): the target's main function replaces the current frame, at most
 *   MAX_TAIL_CALL_CNT (33) times per run; an index out of range, an empty slot or an exhausted count fall through.
 * - bpf_throw: unwinds to the exception boundary, the innermost frame that is the first frame of a *main* program
 *   (the entry program or a tail-call target), and runs that program's exception callback with R1 = cookie in its
 *   place; the callback's R0 is what the boundary frame returns to its caller.
 */
import { type Insn, isLdImm64, ldImm64Value } from "../../compiler/bpf/insn.js";
import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_END, BPF_EXIT, BPF_FETCH, BPF_FUNC_tail_call, BPF_JA,
  BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_LOAD_ACQ, BPF_MEM, BPF_MEMSX, BPF_NEG, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC,
  BPF_PSEUDO_KFUNC_CALL, BPF_ST, BPF_STORE_REL, BPF_STX, BPF_TAIL_CALL, BPF_TO_BE, BPF_X, BPF_XCHG, bpfClass, bpfMode, bpfOp,
  bpfSize, sizeBytes,
} from "../../compiler/bpf/opcodes.js";
import { MAX_CALL_FRAMES, MAX_TAIL_CALL_CNT } from "../../compiler/kernel-abi.js";
import type { Verified } from "../../compiler/passes/verify-types.js";
import { GuestFault, hex64 } from "../kernel/guest-memory.js";
import { createHelperEnv, HELPERS, type HelperDef, type HelperEnv } from "../kernel/helpers.js";
import { mapAddress } from "../kernel/layout.js";
import { createMaps, HelperArgError, mapFootprint, type MapTable, ProgArrayMap } from "../kernel/maps.js";
import { alu32, alu64, endian, jumpTaken, sext, u32, u64 } from "../../compiler/bpf/alu-semantics.js";
import { describeInsn } from "./describe.js";
import { codeAddress, CTX_ADDR, progObject, STACK_SIZE, stackTop } from "./layout.js";
import { InterpMemory, type Region } from "./memory.js";
import { HelperExit, type InterpFrame, type InterpInput, type InterpOptions, type InterpResult } from "./types.js";

const DEFAULT_BUDGET = 10_000_000;

interface Frame {
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

class Interpreter {
  private readonly mem = new InterpMemory();
  private readonly programs: readonly Verified[];
  private readonly maps: MapTable;
  private readonly env: HelperEnv;
  private readonly helpers: ReadonlyMap<number, HelperDef>;
  /** R0-R10, and R11 = the verifier's AX (BPF_REG_AX), which xlated rewrites use. */
  private readonly regs: bigint[] = new Array<bigint>(12).fill(0n);
  private readonly frames: Frame[] = [];
  private readonly ctx?: Uint8Array;
  private readonly traceLines?: string[];
  private prog!: Verified;
  private progIndex = 0;
  private pc = 0;
  private steps = 0;
  private tailCalls = 0;
  private stackUsed = 0;
  private thrown?: InterpResult["thrown"];
  private readonly calls: InterpResult["calls"] = [];

  constructor(entry: Verified, private readonly input: InterpInput, opts: InterpOptions) {
    this.programs = input.programs ?? [entry];
    this.progIndex = this.programs.indexOf(entry);
    if (this.progIndex < 0) throw new Error("interpret: the entry program is not in input.programs (prog arrays index that list)");
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
    this.env = createHelperEnv(this.mem, this.maps, { seed: input.seed });
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

  private fault(message: string): never {
    throw new Stop("fault", `${this.where(this.pc)}: ${message}`);
  }

  // ----- frames -----

  /** Pushes a frame for function `func` of program `prog` and jumps to its first instruction. */
  private enter(prog: number, func: number, retPc: number, main: boolean): void {
    const depth = this.frames.length;
    if (depth >= MAX_CALL_FRAMES) this.fault(`call stack deeper than ${MAX_CALL_FRAMES} frames`);
    const stack = this.mem.map(`stack of frame ${depth}`, stackTop(depth) - BigInt(STACK_SIZE), new Uint8Array(STACK_SIZE));
    this.frames.push({ prog, func, depth, retPc, saved: this.regs.slice(6, 10), main, stack, touched: 0 });
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

  /** Replaces the top frame by a fresh one for (prog, func), keeping its depth, return point and saved registers. */
  private replaceTop(prog: number, func: number, main: boolean): void {
    const f = this.frames[this.frames.length - 1]!;
    f.stack.bytes.fill(0);
    Object.assign(f, { prog, func, main, touched: 0 });
    this.switchTo(prog, func);
    this.regs[10] = stackTop(f.depth);
  }

  private funcAt(prog: Verified, start: number): number {
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
        else if (op === BPF_CALL) return this.call(x);
        else if (op === BPF_EXIT) return this.leave();
        else if (op === BPF_TAIL_CALL) this.tailCall();
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

  /** CALL: helper (src 0), bpf-to-bpf (src 1) or kfunc (src 2). Sets pc itself; returns true when the run ended. */
  private call(x: Insn): boolean {
    if (x.src === BPF_PSEUDO_CALL) {
      const target = this.pc + 1 + x.imm;
      this.enter(this.progIndex, this.funcAt(this.prog, target), this.pc + 1, false);
      return false;
    }
    if (x.src === BPF_PSEUDO_KFUNC_CALL) {
      const name = this.prog.kfuncs.get(x.imm);
      if (name === undefined) this.fault(`kfunc #${x.imm} is not modelled`);
      if (name === "bpf_throw") {
        this.calls.push({ name, args: [this.regs[1]!] });
        return this.throwException(this.regs[1]!);
      }
      // The lock/irq pairs exist for the verifier's rules; at run time they do nothing and return 0 (as in
      // runtime/kernel/calls.ts).
      this.calls.push({ name, args: [] });
      this.regs[0] = 0n;
      this.pc++;
      return false;
    }
    if (x.src !== 0 || (x.code & BPF_X)) this.fault("callx and other call forms are not supported");
    if (x.imm === BPF_FUNC_tail_call) {
      this.tailCall();
      this.pc++;
      return false;
    }
    const def = this.helpers.get(x.imm);
    if (!def) this.fault(`helper #${x.imm} is not modelled`);
    const args = this.regs.slice(1, 1 + def.args);
    const rec: InterpResult["calls"][number] = { name: def.name, args };
    this.calls.push(rec);
    try {
      this.regs[0] = rec.ret = u64(def.call(args, this.env));
    } catch (e) {
      if (e instanceof GuestFault || e instanceof HelperArgError) this.fault(`in ${def.name}: ${e.message}`);
      throw e;
    }
    this.pc++;
    return false;
  }

  /** bpf_tail_call(ctx = r1, prog_array = r2, index = r3): on success the target replaces the current frame. */
  private tailCall(): void {
    const r = this.regs;
    const map = this.maps.list.find((m) => m.addr === r[2]);
    if (!(map instanceof ProgArrayMap)) this.fault(`tail call: r2 = ${hex64(r[2]!)} is not a prog array`);
    const target = map.program(Number(u32(r[3]!)));
    if (u32(r[3]!) >= BigInt(map.spec.maxEntries) || this.tailCalls >= MAX_TAIL_CALL_CNT || target === undefined) return;
    if (!this.programs[target]) this.fault(`tail call: prog array entry names program ${target}, not in the run's program list`);
    this.tailCalls++;
    this.replaceTop(target, 0, true);
    this.pc--; // exec() advances pc after the instruction; the target starts at its first slot
  }

  /** bpf_throw(cookie): unwind to the boundary and run the exception callback in its place. */
  private throwException(cookie: bigint): boolean {
    const frames: InterpFrame[] = [];
    let pc = this.pc;
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i]!;
      const sub = this.programs[f.prog]!.subprogs[f.func]!;
      frames.push({ prog: f.prog, func: f.func, ...(sub.name !== undefined && { name: sub.name }), kind: f.main ? "main" : "subprog", insn: pc });
      if (f.main) {
        this.thrown = { cookie, frames };
        while (this.frames.length - 1 > i) this.mem.unmap(this.frames.pop()!.stack);
        const prog = this.programs[f.prog]!;
        if (prog.exceptionCb === undefined) this.fault("bpf_throw in a program without an exception callback");
        this.regs[1] = cookie;
        this.replaceTop(f.prog, prog.exceptionCb, true);
        return false;
      }
      pc = f.retPc - 1;
    }
    this.fault("bpf_throw found no exception boundary");
  }

  private funcAddress(target: number): bigint {
    return codeAddress(this.progIndex, this.funcAt(this.prog, target));
  }
}
