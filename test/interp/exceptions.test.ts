/**
 * @fileoverview bpf_throw in the interpreter: the kernel's exceptions selftests of test/support/exception-selftests.ts
 * (reference linux-rv64-bpf-jit.md §6.1, the return values prog_tests/exceptions.c expects), then what only the
 * interpreter shows: the frames a throw unwinds, the callback in the boundary's place, a throw after a tail call.
 * The throw unwinds to the first frame of the current main program and the exception callback's R0 becomes that
 * frame's return value.
 */
import { describe, expect, it } from "vitest";
import { interpret } from "../../runtime/interp/interp.js";
import { ctx64, EXCEPTION_SELFTESTS } from "../support/exception-selftests.js";
import { build, progArray, run } from "./run.js";

describe("the exceptions selftests", () => {
  for (const t of EXCEPTION_SELFTESTS) {
    it(t.name, () => {
      const r = run(t.src, {}, t.ctx !== undefined ? { ctx: ctx64(t.ctx) } : {});
      expect([r.kind, r.r0, r.thrown?.cookie]).toEqual(["return", t.r0, t.cookie]);
    });
  }
});

describe("the frames a throw unwinds", () => {
  it("a throw two static calls deep lists them innermost first, each at its call, down to main", () => {
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
    expect(r.thrown?.frames.map((f) => [f.name, f.kind, f.insn])).toEqual([
      ["static_func", "subprog", 7], ["global2static_simple", "subprog", 3], ["main", "main", 0],
    ]);
  });
});

describe("a declared exception callback", () => {
  it("the declared callback is the program's exception callback", () => {
    const t = EXCEPTION_SELFTESTS.find((x) => x.name.startsWith("exception_ext_mod_cb_runtime"))!;
    const v = build(t.src);
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
