/**
 * @fileoverview Verifier rules about calls, each with the kernel's message: call depth, recursion, the combined
 * stack, helpers and kfuncs, global functions, tail calls; and the per-function flags the JIT reads.
 */
import { describe, expect, it } from "vitest";
import { BPF_JMP, BPF_TAIL_CALL } from "../../compiler/bpf/opcodes.js";
import { accept, reason } from "./support.js";

/** A chain of `n` functions, each calling the next. */
function chain(n: number): string {
  const lines = [];
  for (let k = 0; k < n; k++) lines.push(k === 0 ? "" : `f${k}:`, k + 1 < n ? `call f${k + 1}` : "r0 = 0", "exit");
  return lines.join("\n");
}

describe("call frames", () => {
  it("8 frames deep is allowed", () => {
    expect(accept(chain(8)).subprogs).toHaveLength(8);
  });
  it("9 frames deep: the call stack of 9 frames is too deep", () => {
    expect(reason(chain(9))).toBe("the call stack of 9 frames is too deep");
  });
  it("recursion never ends the walk: the call stack of 9 frames is too deep", () => {
    expect(reason("call f\nexit\nf:\ncall f\nr0 = 0\nexit")).toBe("the call stack of 9 frames is too deep");
  });
  it("recursion through a global function is caught on the call graph: ... frames is too deep !", () => {
    expect(reason(".func g global args=0\ncall g\nexit\ng:\ncall g\nr0 = 0\nexit")).toBe("the call stack of 8 frames is too deep !");
  });
  it("512 bytes of stack along any call chain, each function rounded up to 16", () => {
    const fn = (depth: number) => `r1 = 0\n*(u32 *)(r10 - ${depth}) = r1\n`;
    expect(() => accept(`${fn(256)}call f\nexit\nf:\n${fn(256)}r0 = 0\nexit`)).not.toThrow();
    expect(reason(`${fn(256)}call f\nexit\nf:\n${fn(260)}r0 = 0\nexit`)).toBe("combined stack size of 2 calls is 528. Too large");
  });
});

describe("helpers and kfuncs", () => {
  it("a helper the program type does not offer", () => {
    expect(reason("call bpf_skb_store_bytes\nr0 = 0\nexit")).toBe("program of this type cannot use helper bpf_skb_store_bytes#9");
  });
  it("a helper number that does not exist", () => {
    expect(reason("call 999999\nr0 = 0\nexit")).toBe("invalid func unknown#999999");
  });
  it("arguments must be initialised", () => {
    const maps = [{ name: "m", type: "hash", keySize: 4, valueSize: 8, maxEntries: 4 }];
    expect(reason("r1 = map[m] ll\nr2 = r10\nr3 = r10\ncall bpf_map_update_elem\nr0 = 0\nexit", { maps })).toBe("R4 !read_ok");
  });
  it("a map load names a map that exists", () => {
    expect(reason("r1 = map[3] ll\nr0 = 0\nexit")).toBe("fd 3 is not pointing to valid bpf_map");
  });
  it("a kfunc id nothing defines", () => {
    expect(reason("call kfunc[99]\nr0 = 0\nexit")).toBe("kernel btf_id 99 is not a function");
  });
  it("the conformance suite's helper 5 (unwind) reads r1", () => {
    const helpers = new Map([[5, { name: "unwind", args: 1 }]]);
    expect(() => accept("r1 = 1\ncall 5\nexit", { helpers })).not.toThrow();
    expect(reason("r1 = 1\ncall 5\ncall 5\nexit", { helpers })).toBe("R1 !read_ok");
  });
});

describe("global functions", () => {
  const g = (body: string, decl = ".func g global args=2") => `${decl}\nr1 = 1\nr2 = 2\ncall g\nexit\ng:\n${body}`;
  it("are checked on their own: their arguments are scalars and nothing else is set", () => {
    expect(() => accept(g("r0 = r1\nr0 += r2\nexit"))).not.toThrow();
    expect(reason(g("r0 = r3\nexit"))).toBe("R3 !read_ok");
  });
  it("callers must set the arguments", () => {
    expect(reason(".func g global args=3\nr1 = 1\nr2 = 2\ncall g\nexit\ng:\nr0 = 0\nexit")).toBe("R3 !read_ok");
  });
  it("a void function needs no R0, and leaves none for its caller", () => {
    const v = ".func g global args=0 ret=void\ncall g\nr0 = 0\nexit\ng:\nexit";
    expect(() => accept(v)).not.toThrow();
    expect(reason(v.replace("r0 = 0\nexit\ng", "exit\ng"))).toBe("R0 !read_ok");
  });
  it("must return a scalar", () => {
    expect(reason(g("r0 = r10\nexit"))).toBe("At subprogram exit the register R0 is not a scalar value (fp)");
    expect(reason(g("r0 = 0\nexit", ".func g global args=2 ret=ptr"))).toBe("Global function g() doesn't return scalar. Only those are supported.");
  });
});

describe("tail calls", () => {
  const prog = [{ name: "jmp", type: "prog_array", keySize: 4, valueSize: 4, maxEntries: 2 }];
  const tail = "r2 = map[jmp] ll\nr3 = 0\ncall bpf_tail_call\nr0 = 0\nexit";
  it("become BPF_JMP | BPF_TAIL_CALL with imm 0", () => {
    const v = accept(tail, { maps: prog });
    expect(v.insns[3]).toEqual({ code: BPF_JMP | BPF_TAIL_CALL, dst: 0, src: 0, off: 0, imm: 0 });
    expect(v.origin[3]).toBe(3);
  });
  it("a single function that tail-calls reserves the whole stack (MAX_BPF_STACK) for its target", () => {
    const s = accept(tail, { maps: prog }).subprogs[0]!;
    expect([s.hasTailCalls, s.hasCalls, s.stackDepth]).toEqual([true, false, 512]);
  });
  it("need a prog array", () => {
    const maps = [{ name: "jmp", type: "array", keySize: 4, valueSize: 8, maxEntries: 2 }];
    expect(reason(tail, { maps })).toBe("cannot pass map_type 2 into func bpf_tail_call#12");
  });
  it("cannot mix with bpf-to-bpf calls on RISC-V 6.12; can when the JIT supports it", () => {
    const mixed = `call f\nexit\nf:\n${tail}`;
    expect(reason(mixed, { maps: prog })).toBe("tail_calls are not allowed in programs with bpf-to-bpf calls");
    const v = accept(mixed, { maps: prog, subprogTailCalls: true });
    expect(v.subprogs.map((s) => [s.hasCalls, s.hasTailCalls])).toEqual([[true, false], [false, true]]);
  });
});

describe("per-function flags", () => {
  it("hasCalls marks functions that call helpers, kfuncs or functions", () => {
    const v = accept("call f\nexit\nf:\ncall bpf_ktime_get_ns\ncall g\nexit\ng:\nr0 = 0\nexit");
    expect(v.subprogs.map((s) => s.hasCalls)).toEqual([true, true, false]);
    expect(v.subprogs.every((s) => !s.hidden && !s.isExceptionCb && !s.isExceptionBoundary)).toBe(true);
  });
});
