/**
 * @fileoverview Verifier rules checked on every path with register and stack state, each with the kernel's message:
 * uninitialised registers, R10, stack bounds and alignment, division by an immediate zero, shifts, pointer
 * arithmetic, memory through the various pointer kinds, loops.
 */
import { describe, expect, it } from "vitest";
import { accept, reason, reject } from "./support.js";

describe("registers", () => {
  it("reading a register nothing wrote: R2 !read_ok", () => {
    const e = reject("r0 = r2\nexit");
    expect(e.reason).toBe("R2 !read_ok");
    expect(e.message).toBe("t.s:1:1: R2 !read_ok");
  });
  it("exit with R0 unset: R0 !read_ok", () => {
    expect(reason("exit")).toBe("R0 !read_ok");
  });
  it("the kernel contract gives r1 only; the conformance contract gives r1 and r2", () => {
    expect(reason("r0 = r2\nexit")).toBe("R2 !read_ok");
    expect(() => accept("r0 = r2\nexit", { entry: "conformance" })).not.toThrow();
    expect(reason("r0 = r3\nexit", { entry: "conformance" })).toBe("R3 !read_ok");
  });
  it("a call clobbers R1-R5: reading r1 after it is R1 !read_ok", () => {
    expect(reason("call bpf_ktime_get_ns\nr0 = r1\nexit")).toBe("R1 !read_ok");
  });
  it("a path the values rule out is not checked (the verifier is path-sensitive)", () => {
    // r0 = r5 is reachable in the graph, but r1 is known to be 0, so the path to it is never taken.
    expect(() => accept("r1 = 0\nif r1 != 0 goto +2\nr0 = 1\nexit\nr0 = r5\nexit")).not.toThrow();
  });
  it("R10 is read-only: frame pointer is read only", () => {
    expect(reason("r10 = 0\nr0 = 0\nexit")).toBe("frame pointer is read only");
    expect(reason("r10 += 8\nr0 = 0\nexit")).toBe("frame pointer is read only");
    expect(reason("r10 = *(u64 *)(r1 + 0)\nr0 = 0\nexit")).toBe("frame pointer is read only");
  });
});

describe("ALU immediates", () => {
  it("division by an immediate zero: div by zero", () => {
    expect(reason("r0 = 1\nr0 /= 0\nexit")).toBe("div by zero");
    expect(reason("w0 = 1\nw0 %= 0\nexit")).toBe("div by zero");
    expect(reason("r0 = 1\nr0 s/= 0\nexit")).toBe("div by zero");
  });
  it("division by a register that holds zero is fine (the rewrites guard it)", () => {
    expect(() => accept("r0 = 1\nr1 = 0\nr0 /= r1\nexit")).not.toThrow();
  });
  it("a shift by an immediate outside the width: invalid shift", () => {
    expect(reason("r0 = 1\nr0 <<= 64\nexit")).toBe("invalid shift 64");
    expect(reason("w0 = 1\nw0 >>= 32\nexit")).toBe("invalid shift 32");
    expect(reason("r0 = 1\nr0 s>>= -1\nexit")).toBe("invalid shift -1");
  });
});

describe("the stack", () => {
  it("a write below the 512 bytes: invalid write to stack R10 off=-520 size=8", () => {
    expect(reason("r1 = 0\n*(u64 *)(r10 - 520) = r1\nr0 = 0\nexit")).toBe("invalid write to stack R10 off=-520 size=8");
  });
  it("a read at or above R10: invalid read from stack R10 off=0 size=8", () => {
    expect(reason("r0 = *(u64 *)(r10 + 0)\nexit")).toBe("invalid read from stack R10 off=0 size=8");
  });
  it("through a copy of R10 the register is named: invalid write to stack R1 off=-513 size=1", () => {
    expect(reason("r1 = r10\nr1 += -513\nr2 = 0\n*(u8 *)(r1 + 0) = r2\nr0 = 0\nexit")).toBe("invalid write to stack R1 off=-513 size=1");
  });
  it("stack accesses are aligned to their size: misaligned stack access", () => {
    expect(reason("r1 = 0\n*(u64 *)(r10 - 12) = r1\nr0 = 0\nexit")).toBe("misaligned stack access off (0x0; 0x0)+0+-12 size 8");
  });
  it("a variable offset within bounds is fine, and counts its deepest byte (the conformance suite's stack.data)", () => {
    const src = "r1 = 51\n*(u64 *)(r10 - 16) = r1\n*(u64 *)(r10 - 8) = r1\nr1 &= 1\nr1 <<= 3\nr2 = r10\nr2 += r1\nr0 = *(u64 *)(r2 - 16)\nexit";
    expect(accept(src).subprogs[0]!.stackDepth).toBe(16);
  });
  it("a variable offset that can leave the stack: invalid variable-offset read from stack", () => {
    const src = "r1 = *(u64 *)(r1 + 0)\nr1 &= 31\nr2 = r10\nr2 += r1\nr0 = *(u8 *)(r2 - 16)\nexit";
    expect(reason(src)).toMatch(/^invalid variable-offset read from stack R2 var_off=\(0x0; 0x1f\) off=-16 size=1$/);
  });
  it("each function's depth is the deepest byte it touches below its own R10", () => {
    const v = accept("r1 = 0\n*(u64 *)(r10 - 16) = r1\ncall f\nexit\nf:\nr1 = 0\n*(u32 *)(r10 - 40) = r1\nr0 = 0\nexit");
    expect(v.subprogs.map((s) => s.stackDepth)).toEqual([16, 40]);
  });
  it("a pointer spilled to the stack comes back as a pointer; part of one is refused", () => {
    expect(() => accept("*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u8 *)(r2 + 0)\nexit")).not.toThrow();
    expect(reason("*(u64 *)(r10 - 8) = r1\nr2 = *(u32 *)(r10 - 8)\nr0 = 0\nexit")).toBe("invalid size of register fill");
    expect(reason("*(u32 *)(r10 - 8) = r1\nr0 = 0\nexit")).toBe("invalid size of register spill");
  });
});

describe("pointers", () => {
  it("dereferencing a number: R1 invalid mem access 'scalar'", () => {
    expect(reason("r1 = 4096\nr0 = *(u64 *)(r1 + 0)\nexit")).toBe("R1 invalid mem access 'scalar'");
  });
  it("bitwise operations on a pointer: R1 bitwise operator &= on pointer prohibited", () => {
    expect(reason("r1 &= 7\nr0 = 0\nexit")).toBe("R1 bitwise operator &= on pointer prohibited");
  });
  it("other operations on a pointer: R1 pointer arithmetic with *= operator prohibited", () => {
    expect(reason("r1 *= 2\nr0 = 0\nexit")).toBe("R1 pointer arithmetic with *= operator prohibited");
  });
  it("32-bit arithmetic on a pointer: R1 32-bit pointer arithmetic prohibited", () => {
    expect(reason("w1 += 8\nr0 = 0\nexit")).toBe("R1 32-bit pointer arithmetic prohibited");
  });
  it("subtracting from the stack pointer: R1 subtraction from stack pointer prohibited", () => {
    expect(reason("r1 = r10\nr1 -= 8\nr0 = 0\nexit")).toBe("R1 subtraction from stack pointer prohibited");
  });
  it("pointer minus pointer is a number (privileged), pointer plus pointer is not", () => {
    expect(() => accept("r2 = r10\nr2 -= r1\nr0 = r2\nexit")).not.toThrow();
    expect(reason("r2 = r10\nr2 += r1\nr0 = 0\nexit")).toBe("R2 pointer += pointer prohibited");
  });
  it("ctx is read at fixed offsets inside it", () => {
    expect(reason("r1 += 8\nr0 = *(u64 *)(r1 + 0)\nexit")).toBe("dereference of modified ctx ptr R1 off=8 disallowed");
    expect(reason("r0 = *(u64 *)(r1 + 8)\nexit", { ctxSize: 8 })).toBe("invalid bpf_context access off=8 size=8");
    expect(reason("*(u64 *)(r1 + 0) = 1\nr0 = 0\nexit")).toBe("BPF_ST stores into R1 ctx is not allowed");
    expect(reason("r2 = 1\nlock *(u64 *)(r1 + 0) += r2\nr0 = 0\nexit")).toBe("BPF_ATOMIC stores into R1 ctx is not allowed");
  });
  it("the conformance memory is bounded by its size", () => {
    expect(reason("r0 = *(u8 *)(r1 + 4)\nexit", { entry: "conformance", ctxSize: 4 })).toBe("invalid access to memory, mem_size=4 off=4 size=1");
  });
  it("without efficient unaligned access (RISC-V) every access is aligned; with it, only the stack", () => {
    const src = "r0 = *(u32 *)(r1 + 2)\nexit";
    expect(reason(src, { entry: "conformance", ctxSize: 8 })).toBe("misaligned access off (0x0; 0x0)+0+2 size 4");
    expect(() => accept(src, { entry: "conformance", ctxSize: 8, efficientUnalignedAccess: true })).not.toThrow();
  });
  it("a map value pointer must be NULL-checked, then stays inside the value", () => {
    const maps = [{ name: "m", type: "array", keySize: 4, valueSize: 8, maxEntries: 1 }];
    const lookup = "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map[m] ll\ncall bpf_map_lookup_elem\n";
    expect(reason(`${lookup}r0 = *(u64 *)(r0 + 0)\nexit`, { maps })).toBe("R0 invalid mem access 'map_value_or_null'");
    expect(() => accept(`${lookup}if r0 == 0 goto +1\nr0 = *(u64 *)(r0 + 0)\nexit`, { maps })).not.toThrow();
    expect(reason(`${lookup}if r0 == 0 goto +1\nr0 = *(u64 *)(r0 + 8)\nexit`, { maps })).toBe("invalid access to map value, value_size=8 off=8 size=8");
    expect(reason(`${lookup}r0 += 8\nexit`, { maps })).toBe("R0 pointer arithmetic on map_value_or_null prohibited, null-check it first");
  });
  it("a map pointer is not memory: R1 type=scalar expected=map_ptr for a helper, invalid mem access to read it", () => {
    expect(reason("r1 = 0\nr2 = r10\ncall bpf_map_lookup_elem\nr0 = 0\nexit")).toBe("R1 type=scalar expected=map_ptr");
  });
  it("a function may not return a stack pointer, not even one into its caller's stack", () => {
    expect(reason("call f\nexit\nf:\nr0 = r10\nexit")).toBe("cannot return stack pointer to the caller frame");
    expect(reason("r1 = r10\ncall f\nexit\nf:\nr0 = r1\nexit")).toBe("cannot return stack pointer to the caller frame");
  });
});

describe("loops and limits", () => {
  it("a loop with a bounded counter is walked to its end", () => {
    expect(() => accept("r0 = 0\nr1 = 100\nl:\nr0 += r1\nr1 -= 1\nif r1 != 0 goto l\nexit")).not.toThrow();
  });
  it("a loop whose state never changes: infinite loop detected at insn 1", () => {
    expect(reason("r0 = 0\nl:\nr0 = 0\ngoto l")).toBe("infinite loop detected at insn 1");
  });
  it("too many instructions to walk: BPF program is too large", () => {
    const src = "r0 = 0\nr1 = 100000\nl:\nr0 += r1\nr1 -= 1\nif r1 != 0 goto l\nexit";
    expect(reason(src, { complexityLimit: 1000 })).toBe("BPF program is too large. Processed 1001 insn");
  });
  it("a loop over an unknown count is refused, one way or the other", () => {
    expect(reason("r1 = *(u64 *)(r1 + 0)\nr0 = 0\nl:\nr0 += 1\nr1 -= 1\nif r1 != 0 goto l\nexit", { complexityLimit: 5000 }))
      .toMatch(/^(BPF program is too large|infinite loop detected)/);
  });
});

describe("pointer offsets and variable indexes", () => {
  const maps = [{ name: "m", type: "array", keySize: 4, valueSize: 8, maxEntries: 1 }];
  const lookup = "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map[m] ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto +5\n";
  it("a constant too large for a pointer: math between fp pointer and 536870912 is not allowed", () => {
    expect(reason("r1 = r10\nr1 += 0x20000000\nr0 = 0\nexit")).toBe("math between fp pointer and 536870912 is not allowed");
  });
  it("an index with no lower bound: ... register with unbounded min value is not allowed", () => {
    expect(reason(`${lookup.replace("goto +5", "goto +4")}r1 = *(u64 *)(r0 + 0)\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nexit\nr0 = 0\nexit`, { maps }))
      .toBe("math between map_value pointer and register with unbounded min value is not allowed");
  });
  it("an index that can reach past the value: R0 max value is outside of the allowed memory range", () => {
    expect(reason(`${lookup}r1 = *(u64 *)(r0 + 0)\nr1 &= 0xff\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nexit\nr0 = 0\nexit`, { maps }))
      .toBe("R0 max value is outside of the allowed memory range");
  });
  it("a bounds check makes the same access fine", () => {
    const src = `${lookup}r1 = *(u64 *)(r0 + 0)\nif r1 > 7 goto +3\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nexit\nr0 = 0\nexit`;
    expect(() => accept(src.replace("if r0 == 0 goto +5", "if r0 == 0 goto +6"), { maps })).not.toThrow();
  });
});

describe("walk limits", () => {
  it("more than 8192 pending branches: The sequence of 8193 jumps is too complex.", () => {
    const branches = Array.from({ length: 8300 }, (_, k) => `if r2 == ${k} goto +0`).join("\n");
    expect(reason(`r2 = *(u64 *)(r1 + 0)\n${branches}\nr0 = 0\nexit`)).toBe("The sequence of 8193 jumps is too complex.");
  });
});

describe("linked registers", () => {
  const maps = [{ name: "m", type: "array", keySize: 4, valueSize: 8, maxEntries: 1 }];
  const lookup = "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map[m] ll\ncall bpf_map_lookup_elem\n";
  it("a bounds check on a copy narrows the original (and a spilled copy) too", () => {
    const src = `${lookup}if r0 == 0 goto out
      r1 = *(u64 *)(r0 + 0)
      r2 = r1
      *(u64 *)(r10 - 16) = r1
      if r2 > 7 goto out
      r3 = *(u64 *)(r10 - 16)
      r4 = r0
      r0 += r1
      r0 = *(u8 *)(r0 + 0)
      r4 += r3
      r0 = *(u8 *)(r4 + 0)
      exit
    out:
      r0 = 0
      exit`;
    expect(() => accept(src, { maps })).not.toThrow();
  });
  it("a copy changed after the check is not narrowed", () => {
    const src = `${lookup}if r0 == 0 goto out
      r1 = *(u64 *)(r0 + 0)
      r2 = r1
      r1 += 1
      if r2 > 7 goto out
      r0 += r1
      r0 = *(u8 *)(r0 + 0)
      exit
    out:
      r0 = 0
      exit`;
    expect(reason(src, { maps })).toBe("math between map_value pointer and register with unbounded min value is not allowed");
  });
});

describe("pruning by what still matters (precision)", () => {
  // Each branch tests its own bit of r2 (independent outcomes) and sets that bit of r0 or not: 2^30 different
  // values of r0 after the last one.
  const diamonds = (n: number, tail: string) =>
    `r2 = *(u64 *)(r1 + 0)\nr0 = 0\n${Array.from({ length: n }, (_, k) => `if r2 & ${1 << k} goto +1\nr0 |= ${1 << k}`).join("\n")}\n${tail}`;
  it("30 branches whose arms differ only in a value nothing decides on are walked in linear time", () => {
    expect(() => accept(diamonds(30, "exit"), { complexityLimit: 100_000 })).not.toThrow();
  });
  it("when that value decides something later, every combination is walked, as the kernel would", () => {
    expect(reason(diamonds(30, "if r0 == 7 goto +0\nexit"), { complexityLimit: 100_000 })).toBe("BPF program is too large. Processed 100001 insn");
  });
  it("a loop that changes only values nothing decides on, with an unknown exit condition: infinite loop detected", () => {
    expect(reason("r2 = *(u64 *)(r1 + 0)\nr0 = 0\nl:\nr0 += 1\nif r2 != 0 goto l\nexit")).toBe("infinite loop detected at insn 2");
  });
});

describe("pruning never skips a check", () => {
  it("a scalar added to a pointer is checked even when the sum is never used", () => {
    // Two paths reach `r3 = r10; r3 += r2`: r2 = 0, then r2 unbounded. The second must still be refused.
    const src = "r2 = *(u64 *)(r1 + 0)\nr4 = *(u64 *)(r1 + 8)\nif r4 == 0 goto +1\nr2 = 0\nr3 = r10\nr3 += r2\nr0 = 0\nexit";
    expect(reason(src)).toBe("math between fp pointer and register with unbounded min value is not allowed");
  });
});

describe("the remaining pointer and region rules", () => {
  const maps = [
    { name: "m", type: "array", keySize: 4, valueSize: 8, maxEntries: 1 },
    { name: "jmp", type: "prog_array", keySize: 4, valueSize: 4, maxEntries: 1 },
  ];
  const value = "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map[m] ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\n";
  const tail = "exit\nout:\nr0 = 0\nexit";
  it("an index that may be negative: R0 min value is negative, ...", () => {
    const src = `${value}r1 = *(u64 *)(r0 + 0)\nr1 s>>= 60\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\n${tail}`;
    expect(reason(src, { maps })).toBe("R0 min value is negative, either use unsigned index or do a if (index >=0) check.");
  });
  it("an index with a range but an offset before the value: R0 min value is outside of the allowed memory range", () => {
    const src = `${value}r1 = *(u64 *)(r0 + 0)\nr1 &= 3\nr0 += r1\nr0 = *(u8 *)(r0 + 8)\n${tail}`;
    expect(reason(src, { maps })).toBe("R0 min value is outside of the allowed memory range");
  });
  it("an index without an upper bound: R0 unbounded memory access", () => {
    const src = `${value}r1 = *(u64 *)(r0 + 0)\nr1 >>= 1\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\n${tail}`;
    expect(reason(src, { maps })).toBe("R0 unbounded memory access, make sure to bounds check any such access");
  });
  it("a constant that pushes a pointer past 2^29: value ... makes fp pointer be out of bounds", () => {
    expect(reason("r1 = r10\nr1 += 0x10000000\nr1 += 0x10000000\nr0 = 0\nexit")).toBe("value 536870912 makes fp pointer be out of bounds");
  });
  it("an unbounded variable offset into the stack: invalid unbounded variable-offset write to stack", () => {
    const src = "r2 = *(u64 *)(r1 + 0)\nr2 >>= 1\nr3 = r10\nr3 += r2\nr4 = 0\n*(u8 *)(r3 - 8) = r4\nr0 = 0\nexit";
    expect(reason(src)).toBe("invalid unbounded variable-offset write to stack R3");
  });
  it("a variable offset into ctx: variable ctx access ... disallowed", () => {
    const src = "r2 = *(u64 *)(r1 + 0)\nr2 &= 8\nr1 += r2\nr0 = *(u64 *)(r1 + 0)\nexit";
    expect(reason(src)).toBe("variable ctx access var_off=(0x0; 0x8) disallowed");
  });
  it("arithmetic on a map pointer: R1 pointer arithmetic on map_ptr prohibited", () => {
    expect(reason("r1 = map[m] ll\nr1 += 8\nr0 = 0\nexit", { maps })).toBe("R1 pointer arithmetic on map_ptr prohibited");
  });
  it("a scalar minus a pointer: R2 tried to subtract pointer from scalar", () => {
    expect(reason("r2 = 5\nr2 -= r10\nr0 = 0\nexit")).toBe("R2 tried to subtract pointer from scalar");
  });
  it("a key that is not a pointer: R2 type=scalar expected=...", () => {
    expect(reason("r1 = map[m] ll\nr2 = 0\ncall bpf_map_lookup_elem\nr0 = 0\nexit", { maps })).toMatch(/^R2 type=scalar expected=fp, /);
  });
  it("a prog array into a map helper: cannot pass map_type 3 into func bpf_map_lookup_elem#1", () => {
    expect(reason("r1 = map[jmp] ll\nr2 = r10\ncall bpf_map_lookup_elem\nr0 = 0\nexit", { maps })).toBe("cannot pass map_type 3 into func bpf_map_lookup_elem#1");
  });
  it("restoring interrupts that were not saved: expected an initialized irq flag as arg#0", () => {
    expect(reason("r1 = r10\nr1 += -8\ncall bpf_local_irq_restore\nr0 = 0\nexit")).toBe("expected an initialized irq flag as arg#0");
  });
});
