/**
 * @fileoverview The verifier and BPF exceptions (reference linux-rv64-bpf-jit.md §5.2, §6.3): the exception
 * boundary, the hidden default callback exactly as the kernel appends it, declared callbacks and their form, and
 * every rejection with the kernel's message.
 */
import { describe, expect, it } from "vitest";
import { assemble } from "../../compiler/bpf/asm.js";
import { exit, mov64Reg } from "../../compiler/bpf/build.js";
import { accept, reason, reject } from "./support.js";

describe("a program that throws", () => {
  const src = "r1 = 64\ncall bpf_throw\nr0 = 0\nexit";

  it("gets the hidden callback `r0 = r1; exit` appended, marked as the exception callback", () => {
    const v = accept(src);
    expect(v.insns.slice(4)).toEqual([mov64Reg(0, 1), exit()]);
    expect(v.insns.slice(0, 4)).toEqual(assemble(src).insns);
    expect(v.origin).toEqual([0, 1, 2, 3, -1, -1]);
    expect(v.exceptionCb).toBe(1);
    expect(v.subprogs[1]).toEqual({ start: 4, end: 6, stackDepth: 0, isExceptionCb: true, isExceptionBoundary: false, hasCalls: false, hasTailCalls: false, hidden: true });
  });

  it("makes its main function, and only that, the exception boundary", () => {
    const v = accept("call f\nexit\nf:\nr1 = 1\ncall bpf_throw\nr0 = 0\nexit");
    expect(v.subprogs.map((s) => s.isExceptionBoundary)).toEqual([true, false, false]);
    expect(v.subprogs.map((s) => s.hidden)).toEqual([false, false, true]);
  });

  it("needs a JIT that supports exceptions", () => {
    expect(reason(src, { jitSupportsExceptions: false })).toBe("JIT does not support calling kfunc bpf_throw#1");
  });

  it("a throw on a path the values rule out does not make a boundary (seen_exception stays false)", () => {
    const v = accept("r1 = 0\nif r1 != 0 goto +2\nr0 = 0\nexit\ncall bpf_throw\nexit");
    expect(v.exceptionCb).toBeUndefined();
    expect(v.subprogs).toHaveLength(1);
  });

  it("bpf_throw needs its cookie in r1", () => {
    expect(reason("call bpf_ktime_get_ns\ncall bpf_throw\nexit")).toBe("R1 !read_ok");
  });
});

describe("regions bpf_throw and exit may not leave open", () => {
  it("RCU read lock", () => {
    expect(reason("call bpf_rcu_read_lock\nr1 = 0\ncall bpf_throw\nexit")).toBe("bpf_throw cannot be used inside bpf_rcu_read_lock-ed region");
    expect(reason("call bpf_rcu_read_lock\nr0 = 0\nexit")).toBe("BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region");
    expect(() => accept("call bpf_rcu_read_lock\ncall bpf_rcu_read_unlock\nr0 = 0\nexit")).not.toThrow();
    expect(reason("call bpf_rcu_read_unlock\nr0 = 0\nexit")).toBe("unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)");
  });
  it("preemption disabled", () => {
    expect(reason("call bpf_preempt_disable\nr1 = 0\ncall bpf_throw\nexit")).toBe("bpf_throw cannot be used inside bpf_preempt_disable-ed region");
    expect(reason("call bpf_preempt_enable\nr0 = 0\nexit")).toBe("unmatched attempt to enable preemption (kernel function bpf_preempt_enable)");
  });
  it("interrupts saved", () => {
    const save = "r1 = r10\nr1 += -8\ncall bpf_local_irq_save\n";
    expect(reason(`${save}r1 = 0\ncall bpf_throw\nexit`)).toBe("bpf_throw cannot be used inside bpf_local_irq_save-ed region");
    expect(reason(`${save}r0 = 0\nexit`)).toBe("BPF_EXIT instruction in main prog cannot be used inside bpf_local_irq_save-ed region");
  });
});

describe("a declared exception callback", () => {
  const withCb = (decl: string, body = "r0 = r1\nexit") => `.exception_callback cb\n${decl}\nr1 = 1\ncall bpf_throw\nr0 = 0\nexit\ncb:\n${body}`;

  it("is the exception callback; no hidden one is added", () => {
    const v = accept(withCb(".func cb global args=1 ret=scalar"));
    expect(v.exceptionCb).toBe(1);
    expect(v.subprogs.map((s) => [s.name, s.isExceptionCb, s.hidden])).toEqual([["main", false, false], ["cb", true, false]]);
    expect(v.insns).toHaveLength(6);
  });
  it("must exist", () => {
    expect(reason(".exception_callback nope\nr0 = 0\nexit")).toBe("exception callback 'nope' could not be found in BTF");
  });
  it("must be global", () => {
    expect(reason(withCb(".func cb static args=1"))).toBe("exception callback 'cb' must have global linkage");
  });
  it("takes exactly one scalar", () => {
    expect(reason(withCb(".func cb global args=0"))).toBe("exception cb only supports single integer argument");
    expect(reason(withCb(".func cb global args=2"))).toBe("exception cb only supports single integer argument");
  });
  it("returns a scalar", () => {
    expect(reason(withCb(".func cb global args=1 ret=ptr"))).toBe("Global function cb() doesn't return scalar. Only those are supported.");
    expect(reason(withCb(".func cb global args=1 ret=void"))).toBe("exception cb cannot return void");
    expect(reason(withCb(".func cb global args=1", "r0 = r10\nexit"))).toBe("At program exit the register R0 is not a known value (fp)");
  });
  it("only one may be declared", () => {
    const p = assemble(".func a global args=1\n.func b global args=1\nr0 = 0\nexit\na:\nr0 = r1\nexit\nb:\nr0 = r1\nexit");
    const err = reject({ ...p, insns: p.insns, exceptionCallback: ["a", "b"] });
    expect(err.reason).toBe("multiple exception callback tags for main subprog");
  });
  it("may not throw", () => {
    const e = reject(withCb(".func cb global args=1", "r1 = 2\ncall bpf_throw\nr0 = 0\nexit"));
    expect(e.reason).toBe("bpf_throw kfunc (insn 5) cannot be called from callback subprog 1");
    expect(e.insnIndex).toBe(5);
  });
  it("may not call anything that throws", () => {
    const src = withCb(".func cb global args=1", "call helper\nexit\nhelper:\nr1 = 3\ncall bpf_throw\nr0 = 0\nexit");
    expect(reason(src)).toBe("bpf_throw kfunc (insn 7) cannot be called from callback subprog 2");
  });
  it("may not be called directly", () => {
    const src = ".exception_callback cb\n.func cb global args=1\nr1 = 5\ncall cb\nexit\ncb:\nr0 = r1\nexit";
    expect(reason(src)).toBe("insn 1 cannot call exception cb directly");
  });
});

describe("the exception callback's place", () => {
  it("cannot be the main function: invalid exception callback insn_off in func_info: 0", () => {
    expect(reason(".exception_callback main\n.func main global args=1\nmain:\nr0 = 0\nexit")).toBe("invalid exception callback insn_off in func_info: 0");
  });
});
