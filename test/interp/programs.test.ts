/**
 * @fileoverview The interpreter on whole programs, through assemble -> verify -> interpret: instruction forms end to
 * end, frames of bpf-to-bpf calls, helpers and maps through the shared runtime/kernel definitions, tail calls and
 * their limit, the budget, and faults. Expected values are worked out from the programs by hand.
 */
import { describe, expect, it } from "vitest";
import { interpret } from "../../runtime/interp/interp.js";
import { CTX_ADDR, stackTop } from "../../runtime/interp/layout.js";
import { arrayMap, build, progArray, run } from "./run.js";

describe("instructions end to end", () => {
  it("LD_IMM64 loads all 64 bits", () => {
    expect(run("r0 = 0x1122334455667788 ll\nexit").r0).toBe(0x1122_3344_5566_7788n);
  });

  it("32-bit ALU results are zero-extended: w0 = -1 gives 0x00000000ffffffff", () => {
    expect(run("r0 = -1\nw0 = -1\nexit").r0).toBe(0xffff_ffffn);
  });

  it("division by a register holding 0 gives 0 and modulo gives the dividend (through the verifier's guards)", () => {
    expect(run("r0 = 77\nr1 = 0\nr0 /= r1\nexit").r0).toBe(0n);
    expect(run("r0 = 77\nr1 = 0\nr0 %= r1\nexit").r0).toBe(77n);
    expect(run("r0 = 0x100000007 ll\nw1 = 0\nw0 %= w1\nexit").r0).toBe(7n);
  });

  it("INT_MIN s/ -1 = INT_MIN and INT_MIN smod -1 = 0, by register and by immediate", () => {
    expect(run("r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s/= r1\nexit").r0).toBe(0x8000_0000_0000_0000n);
    expect(run("r0 = 0x8000000000000000 ll\nr0 s/= -1\nexit").r0).toBe(0x8000_0000_0000_0000n);
    expect(run("w0 = 0x80000000\nw1 = -1\nw0 s%= w1\nexit").r0).toBe(0n);
    expect(run("w0 = 0x80000000\nw0 s%= -1\nexit").r0).toBe(0n);
  });

  it("movsx, ldsx and bswap", () => {
    expect(run("r1 = 0xff80\nr0 = (s8)r1\nexit").r0).toBe(0xffff_ffff_ffff_ff80n);
    expect(run("r1 = 0x8000\n*(u64 *)(r10 - 8) = r1\nr0 = *(s16 *)(r10 - 8)\nexit").r0).toBe(0xffff_ffff_ffff_8000n);
    expect(run("r0 = 0x1122334455667788 ll\nr0 = bswap32 r0\nexit").r0).toBe(0x8877_6655n);
  });

  it("gotol jumps by its 32-bit immediate", () => {
    // 1 -> gotol to `r0 += 10` -> 11 < 50, back to `r0 += 100` -> 111. Without the jump: 101.
    expect(run("r0 = 1\ngotol +2\nr0 += 100\nexit\nr0 += 10\nif r0 < 50 goto -4\nexit").r0).toBe(111n);
  });

  it("JMP32 compares only the low halves", () => {
    expect(run("r0 = 0\nr1 = 0x100000000 ll\nif w1 == 0 goto +1\nexit\nr0 = 1\nexit").r0).toBe(1n);
  });
});

describe("atomics", () => {
  const prologue = "r1 = 10\n*(u64 *)(r10 - 8) = r1\n";
  it("fetch_add returns the old value and adds", () => {
    expect(run(`${prologue}r2 = 5\nr2 = atomic_fetch_add((u64 *)(r10 - 8), r2)\nr0 = *(u64 *)(r10 - 8)\nr0 <<= 8\nr0 |= r2\nexit`).r0).toBe((15n << 8n) | 10n);
  });
  it("lock add, or, and, xor without fetch change memory only", () => {
    const ops = "r2 = 3\nlock *(u64 *)(r10 - 8) += r2\nr2 = 0x40\nlock *(u64 *)(r10 - 8) |= r2\nr2 = 0x4c\nlock *(u64 *)(r10 - 8) &= r2\nr2 = 1\nlock *(u64 *)(r10 - 8) ^= r2\n";
    expect(run(`${prologue}${ops}r0 = *(u64 *)(r10 - 8)\nexit`).r0).toBe((((10n + 3n) | 0x40n) & 0x4cn) ^ 1n);
  });
  it("32-bit fetch ops zero-extend the old value", () => {
    const src = "r1 = -1\n*(u64 *)(r10 - 8) = r1\nw2 = 1\nw2 = atomic_fetch_add((u32 *)(r10 - 8), w2)\nr0 = r2\nexit";
    expect(run(src).r0).toBe(0xffff_ffffn);
  });
  it("cmpxchg stores when the old value equals r0, and returns the old value in r0", () => {
    const hit = `${prologue}r0 = 10\nr2 = 99\nr0 = cmpxchg_64(r10 - 8, r0, r2)\nr1 = *(u64 *)(r10 - 8)\nr0 <<= 8\nr0 |= r1\nexit`;
    expect(run(hit).r0).toBe((10n << 8n) | 99n);
    const miss = `${prologue}r0 = 11\nr2 = 99\nr0 = cmpxchg_64(r10 - 8, r0, r2)\nr1 = *(u64 *)(r10 - 8)\nr0 <<= 8\nr0 |= r1\nexit`;
    expect(run(miss).r0).toBe((10n << 8n) | 10n);
  });
  it("xchg swaps", () => {
    expect(run(`${prologue}r2 = 7\nr2 = xchg_64(r10 - 8, r2)\nr0 = *(u64 *)(r10 - 8)\nr0 <<= 8\nr0 |= r2\nexit`).r0).toBe((7n << 8n) | 10n);
  });
  it("load-acquire and store-release move values of every size", () => {
    const src = "r1 = 0x1234\nstore_release((u16 *)(r10 - 2), r1)\nw0 = load_acquire((u16 *)(r10 - 2))\nexit";
    expect(run(src).r0).toBe(0x1234n);
  });
});

describe("bpf-to-bpf calls", () => {
  it("R6-R9 survive a call that overwrites them; R0 comes back", () => {
    const src = `
      r6 = 6
      r7 = 7
      r8 = 8
      r9 = 9
      call f
      r0 += r6
      r0 += r7
      r0 += r8
      r0 += r9
      exit
    f:
      r6 = 100
      r7 = 100
      r8 = 100
      r9 = 100
      r0 = 1000
      exit`;
    expect(run(src).r0).toBe(1000n + 6n + 7n + 8n + 9n);
  });

  it("each frame has its own 512-byte stack; a pointer to the caller's stack reaches it", () => {
    const src = `
      r1 = 1
      *(u64 *)(r10 - 8) = r1
      r1 = r10
      r1 += -16
      call f
      r0 = *(u64 *)(r10 - 8)
      r2 = *(u64 *)(r10 - 16)
      r0 <<= 8
      r0 |= r2
      exit
    f:
      r2 = 2
      *(u64 *)(r10 - 8) = r2
      r2 = 3
      *(u64 *)(r1 + 0) = r2
      r0 = 0
      exit`;
    expect(run(src).r0).toBe((1n << 8n) | 3n);
  });

  it("R10 of a callee is the top of the next stack area", () => {
    const src = "r1 = r10\ncall f\nexit\nf:\nr0 = r1\nr0 -= r10\nexit";
    expect(run(src).r0).toBe(stackTop(0) - stackTop(1));
  });

  it("counts the deepest stack in use at once over the live frames", () => {
    const src = "r1 = 0\n*(u64 *)(r10 - 32) = r1\ncall f\nr0 = 0\nexit\nf:\n*(u64 *)(r10 - 64) = r1\nr0 = 0\nexit";
    expect(run(src).stackUsed).toBe(96);
  });
});

describe("helpers and maps (runtime/kernel definitions)", () => {
  const counter = `
    r1 = 0
    *(u32 *)(r10 - 4) = r1
    r2 = r10
    r2 += -4
    r1 = map[counts] ll
    call bpf_map_lookup_elem
    if r0 == 0 goto out
    r1 = *(u64 *)(r0 + 0)
    r1 += 5
    *(u64 *)(r0 + 0) = r1
    r0 = r1
    exit
  out:
    r0 = 0
    exit`;
  it("map_lookup_elem returns a pointer into the map's value; writes through it stay", () => {
    const maps = [arrayMap("counts", 2, [{ key: 0n, value: 37n }])];
    const r = run(counter, { maps });
    expect(r.r0).toBe(42n);
    const slot0 = r.mapsAfter![0]!.entries[0]!.value;
    expect(Buffer.from(slot0).readBigUInt64LE()).toBe(42n);
  });

  it("bpf_ktime_get_ns comes from the deterministic clock of the helper environment", () => {
    const r = run("call bpf_ktime_get_ns\nr6 = r0\ncall bpf_ktime_get_ns\nr0 -= r6\nexit");
    expect(r.r0).toBe(1000n);
  });

  it("records every helper and kfunc call with the arguments it reads and its result", () => {
    const r = run("call bpf_rcu_read_lock\ncall bpf_rcu_read_unlock\ncall bpf_get_prandom_u32\nr1 = 7\nr2 = 8\ncall bpf_throw\nexit");
    expect(r.calls.map((c) => [c.name, c.args])).toEqual([["bpf_rcu_read_lock", []], ["bpf_rcu_read_unlock", []], ["bpf_get_prandom_u32", []], ["bpf_throw", [7n]]]);
    expect(typeof r.calls[2]!.ret).toBe("bigint");
    expect(r.r0).toBe(7n);
  });
});

describe("tail calls", () => {
  const maps = [progArray("jmp", [1])];
  const caller = "r6 = r1\nr1 = r6\nr2 = map[jmp] ll\nr3 = 0\ncall bpf_tail_call\nr0 = 7\nexit";

  it("jump into the target program, which returns for the caller", () => {
    const a = build(caller, { maps });
    const b = build("r0 = 42\nexit", { maps });
    expect(interpret(a, { programs: [a, b], maps }).r0).toBe(42n);
  });

  it("an index out of range falls through to the next instruction", () => {
    const a = build(caller.replace("r3 = 0", "r3 = 1"), { maps });
    const b = build("r0 = 42\nexit", { maps });
    expect(interpret(a, { programs: [a, b], maps }).r0).toBe(7n);
  });

  it("at most MAX_TAIL_CALL_CNT (33) tail calls run: a program that tail-calls itself runs 34 times", () => {
    const self = `
      r6 = r1
      r1 = 0
      *(u32 *)(r10 - 4) = r1
      r2 = r10
      r2 += -4
      r1 = map[runs] ll
      call bpf_map_lookup_elem
      if r0 == 0 goto out
      r1 = *(u64 *)(r0 + 0)
      r1 += 1
      *(u64 *)(r0 + 0) = r1
      r1 = r6
      r2 = map[jmp] ll
      r3 = 0
      call bpf_tail_call
    out:
      r0 = 0
      exit`;
    const ms = [arrayMap("runs", 1), progArray("jmp", [0])];
    const p = build(self, { maps: ms });
    const r = interpret(p, { maps: ms });
    expect(Buffer.from(r.mapsAfter![0]!.entries[0]!.value).readBigUInt64LE()).toBe(34n);
  });

  it("the target gets the caller's r1 (ctx)", () => {
    const a = build(caller, { maps });
    const b = build("r0 = r1\nexit", { maps });
    expect(interpret(a, { programs: [a, b], maps, ctx: new Uint8Array(8) }).r0).toBe(CTX_ADDR);
  });

  describe("the counter, as the RV64 JIT keeps it (reference §1.2-§1.4, §4.11)", () => {
    // `first` (r8 = ctx[0]) attempts on slot 0, then one on slot 1 (program 1: r0 = 42); r0 = r7 (attempts made)
    // when that one falls through. `pre` goes before the loop, `slot0` is the program in slot 0 (-1: empty).
    const attempts = (pre: string, first: number, slot0 = -1) => {
      const src = `r6 = r1\n${pre}\nr8 = *(u8 *)(r6 + 0)\nr7 = 0
        loop: if r7 >= r8 goto last
        r1 = r6\nr2 = map[jmp] ll\nr3 = 0\ncall bpf_tail_call\nr7 += 1\ngoto loop
        last: r1 = r6\nr2 = map[jmp] ll\nr3 = 1\ncall bpf_tail_call\nr0 = r7\nexit`;
      const ms = [{ ...progArray("jmp", [], 4), entries: [...(slot0 >= 0 ? [{ key: 0n, value: BigInt(slot0) }] : []), { key: 1n, value: 1n }] }];
      const a = build(src, { maps: ms });
      const b = build("r0 = 42\nexit", { maps: ms });
      return interpret(a, { programs: [a, b], maps: ms, ctx: Uint8Array.of(first) }).r0;
    };

    it("without calls every attempt past the index check counts, on an empty slot too: 33 use it up", () => {
      expect([32, 33, 40].map((n) => attempts("", n))).toEqual([42n, 33n, 40n]);
    });

    it("with a helper call (counter in s6) a failed attempt leaves the count as it was", () => {
      expect([33, 40, 200].map((n) => attempts("call bpf_ktime_get_ns", n))).toEqual([42n, 42n, 42n]);
    });

    it("an inlined helper (bpf_get_smp_processor_id) is no call: attempts still count", () => {
      expect([32, 33].map((n) => attempts("call bpf_get_smp_processor_id", n))).toEqual([42n, 33n]);
    });

    it("a taken tail call hands on the count less one: a program tail-calling itself stops after 33", () => {
      // slot 0 holds program 0 itself: its one attempt is taken 33 times; the 34th run's falls through, and so does
      // the attempt on slot 1 after it (the count is below 0): r0 = 1. A count not handed on would never stop.
      expect(attempts("", 1, 0)).toBe(1n);
    });
  });
});

describe("limits and faults", () => {
  it("an instruction budget stops a long loop with a clear report", () => {
    const r = run("r1 = 5000\nr0 = 0\nl:\nr0 += 1\nr1 -= 1\nif r1 != 0 goto l\nexit", {}, { budget: 1000 });
    expect(r.kind).toBe("budget");
    expect(r.report).toMatch(/instruction budget of 1000 exhausted at insn \d+ \(`/);
  });

  it("a load outside every mapped area faults, naming the instruction and the areas", () => {
    const r = run("r0 = *(u64 *)(r1 + 64)\nexit", {}, { ctx: new Uint8Array(8) });
    expect(r.kind).toBe("fault");
    expect(r.report).toContain("insn 0 (`r0 = *(u64 *)(r1 + 64)`)");
    expect(r.report).toContain("outside every mapped area");
    expect(r.report).toContain("ctx [0xffff888000100000, 0xffff888000100008)");
  });

  it("ctx is writable and comes back in ctxAfter; the caller's buffer is not touched", () => {
    const ctx = new Uint8Array(8);
    const r = run("r2 = 0xab\n*(u8 *)(r1 + 3) = r2\nr0 = 0\nexit", {}, { ctx });
    expect([...r.ctxAfter!]).toEqual([0, 0, 0, 0xab, 0, 0, 0, 0]);
    expect(ctx[3]).toBe(0);
  });

  it("traces one line per executed instruction when asked", () => {
    const r = run("r0 = 1\nr0 += 2\nexit", {}, {}, { insnTrace: true });
    expect(r.insnTrace).toEqual(["0: r0 = 1", "1: r0 += 2", "2: exit"]);
  });
});

describe("the program list", () => {
  it("must hold the entry program, or prog array indexes would mean something else", () => {
    const a = build("r0 = 1\nexit");
    const b = build("r0 = 2\nexit");
    expect(() => interpret(a, { programs: [b] })).toThrow(/entry program is not in input.programs/);
    expect(interpret(b, { programs: [a, b] }).r0).toBe(2n);
  });
});
