/**
 * @fileoverview The kernel model (runtime/kernel) with hand-written RV64 programs, independent of our JIT:
 * bpf_prog_run's register contract and its ABI checks, helpers under the C calling convention (results, poisoned
 * caller-saved registers, maps in emulated memory), bpf_throw with an exception boundary and callback written by
 * hand after reference §5.6, and tail calls through prog-array and struct bpf_prog objects laid out at the offsets
 * of compiler/kernel-abi.ts.
 */
import { describe, expect, it } from "vitest";
import { helperAddress, IMAGE_ADDR, kfuncAddress } from "../../compiler/kernel-abi.js";
import { assemble } from "../../compiler/riscv/asm.js";
import { X } from "../../compiler/riscv/regs.js";
import { canary } from "../../runtime/kernel/caller.js";
import { callPoison, type JitFunctionImage, type JitImage } from "../../runtime/kernel/kernel.js";
import { mapAddress, programImageAddr, STACK_TOP } from "../../runtime/kernel/layout.js";
import { runJit } from "../../runtime/kernel/run.js";

function func(name: string, addr: bigint, text: string): JitFunctionImage {
  return { name, addr, code: assemble(text, { base: addr, file: name }).bytes };
}
const prog = (...funcs: JitFunctionImage[]): JitImage => ({ funcs });

/** Loads a sign-extended 32-bit kernel address (helpers, kfuncs) into `reg`. */
function la32(reg: string, addr: bigint): string {
  const v = Number(BigInt.asIntN(32, addr));
  const hi = (v + 0x800) >> 12;
  return `lui ${reg}, ${hi & 0xfffff}; addi ${reg}, ${reg}, ${v - (hi << 12)}`;
}
const callHelper = (id: number) => `${la32("t1", helperAddress(id))}; jalr ra, 0(t1)`;
const callKfunc = (id: number) => `${la32("t1", kfuncAddress(id))}; jalr ra, 0(t1)`;
/** a0 = the address of map i (0xffffffe0_0000_0000 + i MiB). */
const mapPtr = (reg: string, i: number) => `li ${reg}, -1; slli ${reg}, ${reg}, 37; lui t0, ${i * 0x100}; add ${reg}, ${reg}, t0`;

describe("bpf_prog_run", () => {
  it("returns a0 as the kernel reads it and R0 (a5) in full 64 bits", () => {
    const p = prog(func("main", IMAGE_ADDR, "li a5, -1; slli a5, a5, 33; addi a5, a5, -5; addiw a0, a5, 0; ret"));
    const r = runJit([p]);
    expect(r.kind).toBe("return");
    expect(r.r0).toBe(BigInt.asUintN(64, -(2n ** 33n) - 5n));
    expect(r.a0).toBe(BigInt.asUintN(64, -5n));
    expect(r.steps).toBe(5);
  });

  it("passes ctx in a0 and returns it modified", () => {
    const p = prog(func("main", IMAGE_ADDR, "lw a5, 4(a0); addi a5, a5, 1; sw a5, 0(a0); addiw a0, a5, 0; ret"));
    const r = runJit([p], { ctx: Uint8Array.from([0, 0, 0, 0, 41, 0, 0, 0]) });
    expect([r.kind, r.a0]).toEqual(["return", 42n]);
    expect(Array.from(r.ctxAfter!)).toEqual([42, 0, 0, 0, 41, 0, 0, 0]);
  });

  it("gives r1..r5 from args, and callee-saved registers hold canaries at entry", () => {
    const p = prog(func("main", IMAGE_ADDR, "add a5, a0, a4; add a5, a5, s3; addiw a0, a5, 0; ret"));
    const r = runJit([p], { args: [1n, 2n, 3n, 4n, 5n] });
    expect(r.r0).toBe(6n + canary(X.s3));
  });

  it("names every callee-saved register and sp that were not restored", () => {
    const p = prog(func("main", IMAGE_ADDR, "li s1, 1; li s11, 2; addi sp, sp, -16; addi tp, tp, 8; li gp, 0; ret"));
    const r = runJit([p]);
    expect(r.kind).toBe("abi-violation");
    expect(r.report).toContain("registers not restored on return to bpf_prog_run");
    expect(r.report).toContain(`sp   expected 0x${STACK_TOP.toString(16)}, found 0x${(STACK_TOP - 16n).toString(16)}`);
    expect(r.report).toMatch(/s1 +expected 0xca11ed0000000009, found 0x0000000000000001/);
    expect(r.report).toMatch(/s11 +expected 0xca11ed000000001b, found 0x0000000000000002/);
    expect(r.report).toMatch(/tp +expected 0xffffffff81000000, found 0xffffffff81000008/);
    expect(r.report).toMatch(/gp +expected 0xca11ed0000000003, found 0x0000000000000000/);
    expect(r.report).not.toMatch(/s2 /);
  });

  it("stops a program that never returns at its budget, saying where", () => {
    const r = runJit([prog(func("main", IMAGE_ADDR, "loop: j loop"))], { budget: 1000 });
    expect(r.kind).toBe("budget");
    expect(r.steps).toBe(1000);
    expect(r.report).toContain("<main+0x0>");
  });

  it("ebreak and ecall in program text stop the run (the kernel would trap)", () => {
    const brk = runJit([prog(func("main", IMAGE_ADDR, "nop; ebreak; ret"))]);
    expect(brk.kind).toBe("fault");
    expect(brk.report).toContain("breakpoint at 0xffffffff01000004 <main+0x4>");
    expect(brk.report).toContain("ebreak in eBPF program text");
    expect(runJit([prog(func("main", IMAGE_ADDR, "ecall; ret"))]).report).toContain("environment-call at");
  });

  it("reports a fault with the function, the instruction and the eBPF slot it came from", () => {
    const f = func("main", IMAGE_ADDR, "li a1, 0; ld a5, 0(a1); ret");
    f.insns = [{ offset: 0, size: 4, bpf: 0 }, { offset: 4, size: 4, bpf: 1 }, { offset: 8, size: 4, bpf: -1 }];
    const r = runJit([prog(f)], {}, { describeSlot: (p, s) => `prog ${p} slot ${s}: r0 = *(u64 *)(r1 + 0)` });
    expect(r.kind).toBe("fault");
    expect(r.report).toContain("load-fault at 0xffffffff01000004 <main+0x4>");
    expect(r.report).toContain("ld      a5,0(a1)");
    expect(r.report).toContain("eBPF   #1  prog 0 slot 1: r0 = *(u64 *)(r1 + 0)");
  });
});

describe("helpers under the C calling convention", () => {
  const frame = (body: string) => `addi sp, sp, -32; sd ra, 24(sp); ${body}; ld ra, 24(sp); addi sp, sp, 32; addiw a0, a5, 0; ret`;

  it("poisons every caller-saved register that does not carry the result", () => {
    // bpf_ktime_get_ns, then return what a1 and t0 hold after the call
    const p = prog(func("main", IMAGE_ADDR, frame(`${callHelper(5)}; mv a5, a1; sd t0, 0(sp)`)));
    const r = runJit([p]);
    expect(r.kind).toBe("return");
    expect(r.r0).toBe(callPoison(0, X.a1));
    expect(r.calls.map((c) => c.name)).toEqual(["bpf_ktime_get_ns"]);
  });

  it("maps live in emulated memory: lookup returns a pointer the program writes through", () => {
    // key 1 on the stack; *lookup(map, &key) += 5; return the new value
    const body = `sw zero, 0(sp); li t0, 1; sw t0, 0(sp); ${mapPtr("a0", 0)}; mv a1, sp; ${callHelper(1)};
      beqz a0, miss; ld a5, 0(a0); addi a5, a5, 5; sd a5, 0(a0); j out; miss: li a5, -1; out: nop`;
    const maps = [{ name: "counts", type: "array" as const, keySize: 4, valueSize: 8, maxEntries: 2, entries: [{ key: 1n, value: 37n }] }];
    const r = runJit([prog(func("main", IMAGE_ADDR, frame(body)))], { maps });
    expect([r.kind, r.r0]).toEqual(["return", 42n]);
    expect(r.mapsAfter[0]!.entries[1]!.value[0]).toBe(42);
    expect(r.calls[0]!.args[0]).toBe(mapAddress(0));
  });

  it("stack used counts the program's frames, not the helper's scribbles below sp", () => {
    const shallow = runJit([prog(func("main", IMAGE_ADDR, frame(`sd zero, 0(sp); ${callHelper(5)}; li a5, 0`)))]);
    expect(shallow.stackUsed).toBe(32);
    // a write 100 bytes below the frame, later overwritten by the helper's frame, still counts
    const deep = runJit([prog(func("main", IMAGE_ADDR, frame(`li t0, 1; sd t0, -100(sp); ${callHelper(5)}; li a5, 0`)))]);
    expect(deep.stackUsed).toBe(132);
  });

  it("a run can bring its own helpers (by number), called under the same convention", () => {
    const twice = { id: 200, name: "twice", args: 1, call: ([a]: readonly bigint[]) => 2n * a! };
    const p = prog(func("main", IMAGE_ADDR, frame(`li a0, 21; ${callHelper(200)}; mv a5, a0`)));
    const r = runJit([p], {}, { helpers: new Map([[200, twice]]) });
    expect([r.kind, r.r0]).toEqual(["return", 42n]);
    expect(r.calls).toEqual([{ name: "twice", args: [21n], ret: 42n }]);
  });

  it("a bad pointer handed to a helper stops the run with the helper named", () => {
    const body = `${mapPtr("a0", 0)}; li a1, 16; ${callHelper(1)}`;
    const maps = [{ name: "m", type: "hash" as const, keySize: 4, valueSize: 4, maxEntries: 1 }];
    const r = runJit([prog(func("main", IMAGE_ADDR, frame(body)))], { maps });
    expect(r.kind).toBe("fault");
    expect(r.report).toContain("bpf_map_lookup_elem: read of 4 bytes at 0x0000000000000010: no memory region there");
  });

  it("refuses unknown helpers, calls into the middle of a stub, and the tail-call helper", () => {
    const unknown = runJit([prog(func("main", IMAGE_ADDR, frame(callHelper(200))))]);
    expect(unknown.report).toContain("call to helper 200, which the kernel model does not implement");
    const middle = runJit([prog(func("main", IMAGE_ADDR, frame(`${la32("t1", helperAddress(1) + 8n)}; jalr ra, 0(t1)`)))]);
    expect(middle.report).toContain("jump into helper 1 at +0x8, not to its entry");
    const tail = runJit([prog(func("main", IMAGE_ADDR, frame(callHelper(12))))]);
    expect(tail.report).toContain("the JIT must emit the inline tail-call sequence");
    expect(tail.report).toContain("<main+0x10>"); // the jalr that made the call
  });
});

/** The boundary's save area (reference §5.6): ra, s0 first, then s1-s11; 13 registers in 112 bytes. */
const SAVED = ["ra", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11"];
const saveAll = (skip: string[] = []) =>
  ["addi sp, sp, -112", ...SAVED.map((r, i) => (skip.includes(r) ? "nop" : `sd ${r}, ${104 - 8 * i}(sp)`)), "addi s0, sp, 112"].join("\n");
const restoreAll = (skip: string[] = []) =>
  [...SAVED.map((r, i) => (skip.includes(r) ? "nop" : `ld ${r}, ${104 - 8 * i}(sp)`)), "addi sp, sp, 112", "addiw a0, a5, 0", "ret"].join("\n");

const MAIN = IMAGE_ADDR, SUB = IMAGE_ADDR + 0x100n, CB = IMAGE_ADDR + 0x200n;

interface ThrowOpts {
  /** Registers the boundary does not save. */
  skip?: string[];
  /** The callback returns to bpf_throw instead of through the boundary's frame. */
  cbRet?: boolean;
  /** The callback forgets `mv s0, a2` and builds its frame on the s0 it was given. */
  cbKeepsS0?: boolean;
  noCb?: boolean;
  /** sub keeps a frame record (default) or not. */
  subRecord?: boolean;
  /** main throws itself instead of calling sub. */
  fromMain?: boolean;
}

/** main (boundary) calls sub, which throws 42; the callback returns the cookie, as the kernel's default one. */
function throwingProgram(opts: ThrowOpts = {}): JitImage {
  const body = opts.fromMain ? `li a0, 42\n${callKfunc(1)}` : `li s1, 7\njal ra, ${SUB}`;
  const main = func("main", MAIN, `${saveAll(opts.skip)}\n${body}\nli a5, 1\n${restoreAll(opts.skip)}`);
  const subFrame = opts.subRecord === false ? "addi sp, sp, -16; sd ra, 8(sp); li s0, 8" : "addi sp, sp, -16; sd ra, 8(sp); sd s0, 0(sp); addi s0, sp, 16";
  const sub = func("sub", SUB, `${subFrame}; li a0, 42; ${callKfunc(1)}; ld ra, 8(sp); ld s0, 0(sp); addi sp, sp, 16; ret`);
  const enter = opts.cbKeepsS0 ? "nop" : "mv s0, a2"; // reference §5.6: the callback takes the boundary's fp from a2
  const cb = func("cb", CB, opts.cbRet ? "mv a5, a0; addiw a0, a5, 0; ret" : `${enter}\naddi sp, s0, -112\nmv a5, a0\n${restoreAll(opts.skip)}`);
  return { funcs: [main, sub, cb], ...(opts.noCb ? {} : { exceptionCb: 2 }) };
}

describe("bpf_throw", () => {
  it("walks to the main program's frame, calls its callback, and returns through the boundary", () => {
    const r = runJit([throwingProgram()]);
    expect(r.report).toBeUndefined();
    expect([r.kind, r.a0, r.r0]).toEqual(["return", 42n, 42n]);
    expect(r.thrown!.cookie).toBe(42n);
    // sub: called from main's frame (sp STACK_TOP - 112), threw 8 instructions in; main: its jal is the 17th.
    expect(r.thrown!.frames).toEqual([
      { pc: SUB + 32n, fp: STACK_TOP - 112n, sp: STACK_TOP - 128n, prog: 0, func: "sub", kind: "subprog" },
      { pc: MAIN + 68n, fp: STACK_TOP, sp: STACK_TOP - 112n, prog: 0, func: "main", kind: "main" },
    ]);
    expect(r.calls.map((c) => c.name)).toEqual(["bpf_throw"]);
  });

  it("a throw from the main program itself: the boundary is the thrower's own frame", () => {
    const r = runJit([throwingProgram({ fromMain: true })]);
    expect([r.kind, r.a0, r.r0]).toEqual(["return", 42n, 42n]);
    // saveAll is 15 instructions, then li (4 bytes) and lui/addi/jalr (12): bpf_throw returns to main + 76
    expect(r.thrown!.frames).toEqual([{ pc: MAIN + 76n, fp: STACK_TOP, sp: STACK_TOP - 112n, prog: 0, func: "main", kind: "main" }]);
  });

  it("calls the callback with s0 = bpf_throw's own frame pointer: a callback without `mv s0, a2` fails", () => {
    // main's frame is [STACK_TOP - 112, STACK_TOP); bpf_throw's s0 is main's sp, below it, and bpf_throw's frames
    // there are scrubbed: the callback's epilogue loads ra = 0xa5a5... and returns into nothing.
    for (const fromMain of [true, false]) {
      const r = runJit([throwingProgram({ cbKeepsS0: true, fromMain })]);
      expect(r.kind).toBe("fault");
      expect(r.report).toContain("instruction fetch at 0xa5a5a5a5a5a5a5a4: no memory region there");
    }
  });

  it("clobbers s1-s11 as C code may: a boundary that does not save s7 loses it", () => {
    const r = runJit([throwingProgram({ skip: ["s7"] })]);
    expect(r.kind).toBe("abi-violation");
    expect(r.report).toMatch(/s7 +expected 0xca11ed0000000017, found 0xc10bbe0000000017/);
  });

  it("a program without an exception callback is no boundary", () => {
    const r = runJit([throwingProgram({ noCb: true })]);
    expect(r.kind).toBe("fault");
    expect(r.report).toContain("bpf_throw(0x000000000000002a): the main program main is not an exception boundary");
    expect(r.thrown!.frames.map((f) => f.func)).toEqual(["sub", "main"]);
  });

  it("a callback that returns to bpf_throw is the kernel's WARN", () => {
    const r = runJit([throwingProgram({ cbRet: true })]);
    expect(r.report).toContain("A call to BPF exception callback should never return");
  });

  it("a frame without a valid record ends the walk with an error", () => {
    const r = runJit([throwingProgram({ subRecord: false })]);
    expect(r.kind).toBe("fault");
    expect(r.report).toContain("frame pointer 0x0000000000000008 of sub is not a valid frame on the stack");
  });
});

describe("tail calls", () => {
  /** bpf_func: two fentry nops, then the TCC init the tail call skips (reference §1.4). */
  const entry = "nop; nop; addi a6, zero, 33";
  /** The inline sequence of reference §4.11 with a1 = prog array, a2 = index; struct offsets as parameters. */
  const tailCall = (o: { maxEntries?: number; ptrs?: number; bpfFunc?: number; skip?: number } = {}) => `
    slli a2, a2, 32; srli a2, a2, 32
    lwu t1, ${o.maxEntries ?? 36}(a1); bgeu a2, t1, out
    addi a6, a6, -1; blt a6, zero, out
    slli t2, a2, 3; add t2, t2, a1; ld t2, ${o.ptrs ?? 264}(t2); beqz t2, out
    ld t3, ${o.bpfFunc ?? 48}(t2)
    jalr zero, ${o.skip ?? 12}(t3)
    out: li a5, -1; addiw a0, a5, 0; ret`;
  const callee = prog(func("callee", programImageAddr(1), `${entry}; li a5, 77; addiw a0, a5, 0; ret`));
  const progArray = [{ name: "jmp", type: "prog_array" as const, keySize: 4, valueSize: 4, maxEntries: 4, entries: [{ key: 2n, value: 1n }] }];
  const caller = (index: number, o = {}) => prog(func("caller", programImageAddr(0), `${entry}; ${mapPtr("a1", 0)}; li a2, ${index}; ${tailCall(o)}`));

  it("jump through prog_array->ptrs[i]->bpf_func + 12 into the callee", () => {
    const r = runJit([caller(2), callee], { maps: progArray });
    expect([r.kind, r.r0]).toEqual(["return", 77n]);
  });

  it("an empty slot or an index past max_entries falls through", () => {
    expect(runJit([caller(1), callee], { maps: progArray }).a0).toBe(BigInt.asUintN(64, -1n));
    expect(runJit([caller(9), callee], { maps: progArray }).a0).toBe(BigInt.asUintN(64, -1n));
  });

  it("a wrong struct offset reads something else and the run fails", () => {
    const r = runJit([caller(2, { bpfFunc: 40 }), callee], { maps: progArray });
    expect(r.kind).toBe("fault");
    expect(r.report).toContain("instruction fetch at 0x6b6b6b6b6b6b6b76: no memory region there");
  });

  it("the counter allows 33 tail calls: a program tail-calling itself runs 34 times", () => {
    // each run: count++ in a6's shadow t4 is not possible across the jump, so count in memory: *(ctx) += 1
    const self = prog(func("self", programImageAddr(0), `${entry}; lw t4, 0(a0); addi t4, t4, 1; sw t4, 0(a0); ${mapPtr("a1", 0)}; li a2, 0; ${tailCall()}`));
    const arr = [{ name: "jmp", type: "prog_array" as const, keySize: 4, valueSize: 4, maxEntries: 1, entries: [{ key: 0n, value: 0n }] }];
    const r = runJit([self], { maps: arr, ctx: new Uint8Array(4) });
    expect(r.kind).toBe("return");
    expect(r.ctxAfter![0]).toBe(34);
    // 3 entry instructions once (tail calls land after them), 33 runs of 20 (count 3, array pointer 4, index 1, the
    // sequence 12), and the last run's 8 + 6 up to `blt a6, zero, out` + 3 at out: 3 + 660 + 17
    expect(r.steps).toBe(680);
  });
});
