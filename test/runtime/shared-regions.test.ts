/**
 * @fileoverview What the kernel model shares between runs, and the checks that must hold all the same: the helper
 * and kfunc trap regions have no backing store yet a fetch there still calls the helper and a load or store there
 * still faults; guard regions have none either and still report an overflow; the overlap check works on the
 * low words without BigInt and still refuses every overlap; the pre-decoded program text (runtime/kernel/shared-code.ts) is reused by later runs of the same
 * code, but never by a run whose memory numbers its regions differently (the per-instruction region cache would
 * then name another region, and a store could skip its permission check); a whole kernel is reused by the next run
 * of the same programs with the same layout, and that run's result is exactly a new kernel's.
 */
import { describe, expect, it } from "vitest";
import { helperAddress, IMAGE_ADDR, kfuncAddress } from "../../compiler/kernel-abi.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { assemble } from "../../compiler/riscv/asm.js";
import { assemble as assembleBpf } from "../../compiler/bpf/asm.js";
import { verify } from "../../compiler/passes/verify.js";
import { jit } from "../../compiler/pipeline.js";
import { GuestFault } from "../../runtime/kernel/guest-memory.js";
import { Kernel, type JitFunctionImage, type JitImage, type RunInput } from "../../runtime/kernel/kernel.js";
import { programImageAddr, STACK_GUARD_ADDR } from "../../runtime/kernel/layout.js";
import { runJit, type RunResult } from "../../runtime/kernel/run.js";
import { join64, Memory, split64 } from "../../runtime/rv64/memory.js";

function prog(text: string): JitImage {
  const f: JitFunctionImage = { name: "main", addr: IMAGE_ADDR, code: assemble(text, { base: IMAGE_ADDR, file: "main" }).bytes };
  return { funcs: [f] };
}

/** Loads a sign-extended 32-bit kernel address (helpers, kfuncs) into `reg`. */
function la32(reg: string, addr: bigint): string {
  const v = Number(BigInt.asIntN(32, addr));
  const hi = (v + 0x800) >> 12;
  return `lui ${reg}, ${hi & 0xfffff}; addi ${reg}, ${reg}, ${v - (hi << 12)}`;
}
const frame = (body: string) => `addi sp, sp, -32; sd ra, 24(sp); ${body}; ld ra, 24(sp); addi sp, sp, 32; addiw a0, a5, 0; ret`;

describe("trap regions (helpers, kfuncs): no backing store, every check kept", () => {
  it("a call to a helper's entry still calls it, run after run", () => {
    const p = prog(frame(`${la32("t1", helperAddress(7))}; jalr ra, 0(t1); mv a5, a0`)); // bpf_get_prandom_u32
    for (const seed of [1, 2]) {
      const r = runJit([p], { seed });
      expect(r.kind).toBe("return");
      expect(r.calls.map((c) => c.name)).toEqual(["bpf_get_prandom_u32"]);
      expect(r.r0).toBe(r.calls[0]!.ret);
    }
  });

  it("a store into the helper or kfunc region faults, naming the region", () => {
    const helpers = runJit([prog(`${la32("t1", helperAddress(1))}; sd zero, 0(t1); ret`)]);
    expect(helpers.kind).toBe("fault");
    expect(helpers.report).toMatch(/store-fault .*'helpers' --x/s);
    const kfuncs = runJit([prog(`${la32("t1", kfuncAddress(1))}; sw zero, 8(t1); ret`)]);
    expect(kfuncs.kind).toBe("fault");
    expect(kfuncs.report).toMatch(/store-fault .*'kfuncs' --x/s);
  });

  it("a load from the helper region faults too (it is execute-only)", () => {
    const r = runJit([prog(`${la32("t1", helperAddress(1))}; ld a5, 0(t1); ret`)]);
    expect(r.kind).toBe("fault");
    expect(r.report).toMatch(/load-fault .*'helpers' --x/s);
  });
});

describe("guard regions: no backing store, every check kept", () => {
  it("a store below the kernel stack is a stack overflow, and a jump there a fetch fault, both reported", () => {
    // sp = STACK_TOP; 16 KiB below is the stack's first byte, 8 below that the guard
    const store = runJit([prog("lui t0, 4; sub t0, sp, t0; sd zero, -8(t0); ret")]);
    expect(store.kind).toBe("fault");
    expect(store.report).toContain("store of 8 bytes at 0xffffffc800000ff8: kernel stack overflow (into 'kernel stack guard' ---");
    const jump = runJit([prog("lui t0, 4; sub t0, sp, t0; jalr zero, -8(t0)")]);
    expect(jump.kind).toBe("fault");
    expect(jump.report).toContain("instruction fetch at 0xffffffc800000ff8: 'kernel stack guard' --- [0xffffffc800000000, 0xffffffc800001000) is not executable");
    expect(jump.report).not.toContain("insn"); // nothing there to disassemble
  });

  it("has no bytes behind it: host access and a change to readable are refused, guest access faults", () => {
    const mem = new Memory();
    const guard = mem.add({ name: "g", base: STACK_GUARD_ADDR, size: 0x1000, perm: "---", guardOf: "s" });
    const stack = mem.add({ name: "s", base: STACK_GUARD_ADDR + 0x1000n, size: 0x1000, perm: "rw-" });
    expect([guard.hasBytes(), stack.hasBytes(), guard.size]).toEqual([false, true, 0x1000]);
    expect(() => mem.poke(STACK_GUARD_ADDR, new Uint8Array(1))).toThrow("no region holds 1 bytes at 0xffffffc800000000");
    expect(() => mem.peek(STACK_GUARD_ADDR + 8n, 4)).toThrow("no region holds 4 bytes");
    expect(() => mem.setPerm(guard, "rw-")).toThrow("region 'g' has no memory behind it");
    expect(() => mem.read(STACK_GUARD_ADDR + 0xff8n, 8)).toThrow(GuestFault);
    expect(() => mem.read(STACK_GUARD_ADDR + 0xff8n, 8)).toThrow("s overflow (into 'g' ---");
  });
});

describe("region placement without BigInt", () => {
  const HI = 0xffff_ffd0_0000_0000n;
  const add = (mem: Memory, base: bigint, size: number, reserve?: number) =>
    mem.add({ name: `at ${base.toString(16)}`, base, size, perm: "rw-", ...(reserve !== undefined && { reserve }) });

  it("refuses every overlap, touching or not, and a region crossing 4 GiB", () => {
    const mem = new Memory();
    add(mem, HI + 0x1000n, 0x1000);
    expect(() => add(mem, HI + 0x1fffn, 1)).toThrow("overlaps 'at ffffffd000001000'");
    expect(() => add(mem, HI + 0x800n, 0x801)).toThrow("overlaps");
    expect(() => add(mem, HI, 0x4000)).toThrow("overlaps"); // around it
    expect(() => add(mem, HI + 0x800n, 0x100, 0x800)).toThrow("overlaps"); // its reserve reaches in
    add(mem, HI + 0x2000n, 0x10); // right after: fine
    add(mem, HI + 0x800n, 0x800); // right before: fine
    expect(() => add(mem, HI + 0xffff_f000n, 0x2000)).toThrow("crosses a 4 GiB boundary");
    add(mem, HI + 0xffff_f000n, 0x1000); // up to the boundary: fine
    add(mem, HI + 0x1_0000_0000n, 0x1000); // the same low words in the next 4 GiB: fine
    expect(() => add(mem, HI + 0x1_0000_0000n + 0xfffn, 1)).toThrow("overlaps");
  });

  it("splits addresses into int32 words (negative bigints as their two's complement) and joins them back", () => {
    expect(split64(0xffff_ffff_8000_0001n)).toEqual([-1, -0x7fff_ffff]);
    expect(split64(-2n)).toEqual([-1, -2]);
    expect(split64(0x1234_5678_9abc_def0n)).toEqual([0x1234_5678, 0x9abc_def0 | 0]);
    expect([join64(-1, -2), join64(0x1234_5678, 0x9abc_def0 | 0), join64(0, 1)]).toEqual([0xffff_ffff_ffff_fffen, 0x1234_5678_9abc_def0n, 1n]);
    expect(new Memory().add({ name: "n", base: -0x1000n, size: 16, perm: "r--" }).base).toBe(0xffff_ffff_ffff_f000n);
  });
});

describe("pre-decoded program text shared between runs", () => {
  const isa = parseIsa("rv64imac");
  // stores zero through a0: into the ctx when a0 is the ctx pointer, wherever a0 points otherwise
  const store = prog("sd zero, 0(a0); li a5, 7; addiw a0, a5, 0; ret");
  const ctx = new Uint8Array(8).fill(0xff);

  it("is reused by a later run of the same code with the same memory layout, and runs the same", () => {
    const a = new Kernel([store], { ctx }, { isa });
    const b = new Kernel([store], { ctx: new Uint8Array(8) }, { isa });
    expect(b.funcs[0]!.region.dec).toBe(a.funcs[0]!.region.dec);
    const r1 = runJit([store], { ctx }, { isa });
    const r2 = runJit([store], { ctx }, { isa });
    expect([r1.kind, r1.r0, [...r1.ctxAfter!]]).toEqual(["return", 7n, [0, 0, 0, 0, 0, 0, 0, 0]]);
    expect([r2.kind, r2.r0, r2.steps, [...r2.ctxAfter!]]).toEqual([r1.kind, r1.r0, r1.steps, [...r1.ctxAfter!]]);
  });

  it("is not shared across memory layouts: a store cached on the ctx still faults on code in the next run", () => {
    // run 1: the store writes the ctx, region 2 of that memory, and caches it; run 2 has no ctx, so region 2 is
    // the program's code, and the store is aimed at it
    expect(runJit([store], { ctx }, { isa }).kind).toBe("return");
    const a = new Kernel([store], { ctx }, { isa });
    const b = new Kernel([store], { args: [IMAGE_ADDR] }, { isa });
    expect(b.funcs[0]!.region.dec).not.toBe(a.funcs[0]!.region.dec);
    const r = runJit([store], { args: [IMAGE_ADDR] }, { isa });
    expect(r.kind).toBe("fault");
    expect(r.report).toMatch(/store-fault .*'main' r-x/s);
  });

  it("is not shared across ISAs", () => {
    const a = new Kernel([store], { ctx }, { isa });
    const b = new Kernel([store], { ctx }, { isa: parseIsa("rv64ima") });
    expect(b.funcs[0]!.region.dec).not.toBe(a.funcs[0]!.region.dec);
  });
});

describe("a kernel reused by the next run of the same programs", () => {
  // The JIT's code for a program that touches everything a run starts from: ctx, stack (deeper for x >= 4), a map
  // element, helpers with state (prandom seed, cpu), and a throw for x == 9.
  const src = `
    r6 = r1
    r7 = *(u64 *)(r6 + 0)
    *(u64 *)(r10 - 8) = r7
    if r7 < 4 goto shallow
    *(u64 *)(r10 - 256) = r7
  shallow:
    if r7 != 9 goto no_throw
    r1 = 5
    call bpf_throw
  no_throw:
    *(u32 *)(r10 - 12) = 0
    r2 = r10
    r2 += -12
    r1 = map[counts] ll
    call bpf_map_lookup_elem
    if r0 == 0 goto out
    r1 = *(u64 *)(r0 + 0)
    r1 += r7
    *(u64 *)(r0 + 0) = r1
    *(u64 *)(r6 + 0) = r1
    call bpf_get_prandom_u32
    r8 = r0
    call bpf_get_smp_processor_id
    r0 += r8
    exit
  out:
    r0 = 0
    exit`;
  const counts = { name: "counts", type: "array" as const, keySize: 4, valueSize: 8, maxEntries: 2 };
  const isa = parseIsa("rv64imac_zba_zbb");
  const programs = (() => {
    const asmProg = assembleBpf(src, "t.s", { maps: ["counts"] });
    const v = verify(asmProg, { maps: [counts], ctxSize: 8 });
    return [jit(v, { isa, framePointer: true, imageAddr: programImageAddr(0) })];
  })();
  const ctx = (x: number, n = 8) => { const b = new Uint8Array(n); b[0] = x; return b; };
  const inputs: RunInput[] = [
    { ctx: ctx(1), maps: [counts] },
    { ctx: ctx(9), maps: [counts] },
    { ctx: ctx(5), maps: [{ ...counts, entries: [{ key: 0n, value: 100n }] }], cpu: 1, seed: 7 },
    { ctx: ctx(2), maps: [counts], budget: 20 },
    { ctx: ctx(3, 16), maps: [counts] },
    { ctx: ctx(1), maps: [counts] },
  ];
  const plain = (r: RunResult): unknown => JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? `${v}` : v instanceof Uint8Array ? [...v] : v)));

  it("gives every run exactly what a new kernel gives it", () => {
    const results = inputs.map((input) => {
      const reused = runJit(programs, input, { isa });
      const fresh = runJit(programs, input, { isa, fresh: true });
      expect(plain(reused)).toEqual(plain(fresh));
      return reused;
    });
    // the sequence covers a plain return, a throw, a deep stack, a budget stop and a layout change
    expect(results.map((r) => (r.thrown ? "throw" : r.kind))).toEqual(["return", "throw", "return", "budget", "return", "return"]);
    // and what a new kernel gives is right: the stack is painted again (the deep run's slot at r10-256 shows only
    // in its own run), the map starts from its declaration, thread_info.cpu is the run's
    const [first, , deep, , , last] = results;
    expect(deep!.stackUsed).toBeGreaterThanOrEqual(first!.stackUsed + 240); // r10-256 against r10-12
    expect(last!.stackUsed).toBe(first!.stackUsed);
    expect([first!.mapsAfter[0]!.entries[0]!.value[0], deep!.mapsAfter[0]!.entries[0]!.value[0], last!.mapsAfter[0]!.entries[0]!.value[0]]).toEqual([1, 105, 1]);
    expect(deep!.r0).toBe(deep!.calls.find((c) => c.name === "bpf_get_prandom_u32")!.ret! + 1n);
  });

  it("forgets what a helper's frame covered in the last run (the stack high-water mark starts over)", () => {
    // a write 100 bytes below sp when a0 != 0, then a helper whose frame overwrites it (kernel.test.ts has the
    // single-run case): the next run, without that write, uses only the 8 bytes where it saves ra
    const text = `addi sp, sp, -32; sd ra, 24(sp); beqz a0, skip; li t0, 1; sd t0, -100(sp); skip: ${la32("t1", helperAddress(5))};
      jalr ra, 0(t1); li a5, 0; ld ra, 24(sp); addi sp, sp, 32; addiw a0, a5, 0; ret`;
    const p = [prog(text)];
    expect(runJit(p, { args: [1n] }).stackUsed).toBe(132);
    expect(runJit(p, { args: [0n] }).stackUsed).toBe(8);
  });

  it("clears the hart's reservation and the misaligned-access count", () => {
    // a0 != 0: lr.d and a misaligned load, then return; a0 == 0: sc.d, returning its result (0 = stored: a
    // reservation left by the last run would make it succeed)
    const text = `addi t2, sp, -16; beqz a0, second; lr.d t0, (t2); ld t1, -15(sp); li a5, 7; addiw a0, a5, 0; ret;
      second: sc.d a5, zero, (t2); addiw a0, a5, 0; ret`;
    const p = [prog(text)];
    const one = runJit(p, { args: [1n] });
    expect([one.kind, one.misaligned]).toEqual(["return", 1]);
    const two = runJit(p, { args: [0n] });
    expect([two.kind, two.r0, two.misaligned]).toEqual(["return", 1n, 0]);
  });

  it("leaves earlier results alone", () => {
    const first = runJit(programs, inputs[2]!, { isa });
    const before = plain(first);
    for (const input of inputs) runJit(programs, input, { isa });
    expect(plain(first)).toEqual(before);
    expect(first.mapsAfter[0]!.entries[0]!.value[0]).toBe(105);
  });

  it("fits only a run with the same layout and hart", () => {
    const k = new Kernel(programs, inputs[0]!, { isa });
    expect(k.fits(inputs[2]!, { isa })).toBe(true); // other contents, seed and cpu
    expect(k.fits(inputs[4]!, { isa })).toBe(false); // a 16-byte ctx
    expect(k.fits({ ctx: ctx(1) }, { isa })).toBe(false); // no map
    expect(k.fits(inputs[0]!, { isa: parseIsa("rv64imac") })).toBe(false);
    expect(k.fits(inputs[0]!, { isa, blocks: false })).toBe(false);
  });
});
