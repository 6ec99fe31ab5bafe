/**
 * @fileoverview bpf_throw in the interpreter, on programs shaped like the kernel's exceptions selftests
 * (tools/testing/selftests/bpf/progs/exceptions.c), with the return values prog_tests/exceptions.c expects
 * (reference linux-rv64-bpf-jit.md §6.1): the throw unwinds to the first frame of the current main program and the
 * exception callback's R0 becomes that frame's return value.
 */
import { describe, expect, it } from "vitest";
import { interpret } from "../../runtime/interp/interp.js";
import { build, progArray, run } from "./run.js";

describe("bpf_throw with the default (hidden) callback: the program returns the cookie", () => {
  it("exception_throw_always_1: bpf_throw(64) returns 64", () => {
    const r = run("r1 = 64\ncall bpf_throw\nr0 = 0\nexit");
    expect(r.r0).toBe(64n);
    expect(r.thrown?.cookie).toBe(64n);
  });

  it("exception_throw_default: bpf_throw(0) returns 0, not what the code after the call would", () => {
    expect(run("r0 = 5\nr1 = 0\ncall bpf_throw\nr0 = 7\nexit").r0).toBe(0n);
  });

  it("exception_throw_always_2: a throw two static calls deep unwinds them all (32)", () => {
    const src = `
      call global2static_simple
      r0 += 1000
      exit
    global2static_simple:
      call static_func
      r0 += 100
      exit
    static_func:
      r1 = 32
      call bpf_throw
      r0 = 0
      exit`;
    const r = run(src);
    expect(r.r0).toBe(32n);
    // innermost first: the throw in static_func, the call in global2static_simple, the call in main (the boundary)
    expect(r.thrown?.frames.map((f) => [f.name, f.kind, f.insn])).toEqual([
      ["static_func", "subprog", 7], ["global2static_simple", "subprog", 3], ["main", "main", 0],
    ]);
  });

  it("exception_throw_unwind_1: main -> static -> global -> static throws 16 from inside a global function", () => {
    const src = `
      .func global2static global args=1
      r1 = 0x0800
      call static2global
      r0 += 1
      exit
    static2global:
      call global2static
      r0 += 2
      exit
    global2static:
      if r1 == 0x0800 goto throw16
      r0 = 0
      exit
    throw16:
      r1 = 16
      call bpf_throw
      exit`;
    expect(run(src).r0).toBe(16n);
  });

  it("exception_throw_from_void_global: a void global function throws 11", () => {
    const src = ".func throw_11 global args=0 ret=void\ncall throw_11\nr0 = 0\nexit\nthrow_11:\nr1 = 11\ncall bpf_throw\nexit";
    expect(run(src).r0).toBe(11n);
  });

  it("exception_throw_subprog: the default case of a switch throws 1", () => {
    const src = `
      r2 = 8
      if r2 == 1 goto one
      if r2 == 2 goto two
      r1 = 1
      call bpf_throw
      exit
    one:
      r0 = 10
      exit
    two:
      r0 = 20
      exit`;
    expect(run(src).r0).toBe(1n);
  });

  it("bpf_assert_with(x s> 0, 100): passes for 5, throws 100 for -1", () => {
    const prog = (x: number) => `r6 = ${x}\nif r6 s> 0 goto +2\nr1 = 100\ncall bpf_throw\nr0 = r6\nexit`;
    expect(run(prog(5)).r0).toBe(5n);
    expect(run(prog(-1)).r0).toBe(100n);
  });
});

describe("a declared exception callback", () => {
  it("exception_ext_mod_cb_runtime: callback = global(cookie) + cookie + 10; bpf_throw(25) returns 35", () => {
    const src = `
      .exception_callback exception_cb_mod
      .func exception_cb_mod global args=1 ret=scalar
      .func exception_cb_mod_global global args=1 ret=scalar
      r1 = 25
      call bpf_throw
      r0 = 0
      exit
    exception_cb_mod:
      r6 = r1
      call exception_cb_mod_global
      r0 += r6
      r0 += 10
      exit
    exception_cb_mod_global:
      r0 = 0
      exit`;
    const v = build(src);
    expect(v.subprogs[v.exceptionCb!]!.name).toBe("exception_cb_mod");
    expect(interpret(v).r0).toBe(35n);
  });

  it("the callback runs in the boundary's place: the program's caller sees its R0", () => {
    const src = `
      .exception_callback cb
      .func cb global args=1
      r6 = 3
      call f
      r0 = 0
      exit
    f:
      r1 = 4
      call bpf_throw
      exit
    cb:
      r0 = r1
      r0 *= 3
      exit`;
    expect(run(src).r0).toBe(12n);
  });
});

describe("bpf_throw after a tail call (subprogram tail calls enabled, as x86 and arm64 allow)", () => {
  it("exception_tail_call: the throw unwinds only to the tail-called program's frame; 16 + 8 = 24", () => {
    const maps = [progArray("jmp_table", [1])];
    const main = `
      call subprog
      r0 += 8
      exit
    subprog:
      r2 = map[jmp_table] ll
      r3 = 0
      call bpf_tail_call
      r0 = 10
      exit`;
    const target = "r1 = 16\ncall bpf_throw\nr0 = 0\nexit";
    const opts = { maps, subprogTailCalls: true };
    const a = build(main, opts);
    const b = build(target, opts);
    const r = interpret(a, { programs: [a, b], maps, ctx: new Uint8Array(4) });
    expect(r.r0).toBe(24n);
    expect(r.thrown?.frames).toEqual([{ prog: 1, func: 0, name: "main", kind: "main", insn: 1 }]);
  });
});
