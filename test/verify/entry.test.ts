/**
 * @fileoverview The entry contracts (VerifyOptions.entry): what r1-r5 hold when the program starts. "kernel" gives
 * r1 = ctx and nothing else; "scalars" gives five scalar arguments of unknown value (no ctx), which specs use for
 * run cases that set r1-r5.
 */
import { describe, expect, it } from "vitest";
import { accept, reason } from "./support.js";

const SUM = "r0 = r1\nr0 += r2\nr0 += r3\nr0 += r4\nr0 += r5\nexit";

describe("entry: scalars (r1-r5 initialised scalars)", () => {
  it("reading r2-r5 is allowed, where the kernel's entry refuses it", () => {
    expect(() => accept(SUM, { entry: "scalars" })).not.toThrow();
    expect(reason(SUM)).toBe("R2 !read_ok");
    expect(reason(SUM, { entry: "kernel" })).toBe("R2 !read_ok");
  });

  it("r6-r9 are still uninitialised", () => {
    expect(reason("r0 = r6\nexit", { entry: "scalars" })).toBe("R6 !read_ok");
  });

  it("r1 is a scalar, not a pointer: dereferencing it is refused", () => {
    expect(() => accept("r0 = *(u64 *)(r1 + 0)\nexit")).not.toThrow();
    expect(reason("r0 = *(u64 *)(r1 + 0)\nexit", { entry: "scalars" })).toBe("R1 invalid mem access 'scalar'");
  });

  it("the values are unknown: every branch on them is walked (a bad path behind r3 == 7 is found)", () => {
    const src = "r0 = 0\nif r3 != 7 goto +1\nr0 = r6\nexit";
    expect(reason(src, { entry: "scalars" })).toBe("R6 !read_ok");
    // nor is an argument taken for a constant: r2 & 0xff is anything in 0..255, a variable stack offset
    const idx = "r2 &= 0xff\nr1 = r10\nr1 += -8\nr1 += r2\n*(u8 *)(r1 + 0) = 0\nr0 = 0\nexit";
    expect(reason(idx, { entry: "scalars" })).toBe("invalid variable-offset write to stack R1 var_off=(0x0; 0xff) off=-8 size=1");
  });
});
