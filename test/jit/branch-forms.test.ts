/**
 * @fileoverview The layout sizes a conditional branch with branchHw, a copy of BRANCH_FORMS' rules without the form
 * table (it runs for every branch in every pass); encode writes it with the table. Both must choose the same size for
 * every offset, at each form's edges above all, and refuse the same offsets.
 */
import { describe, expect, it } from "vitest";
import { BRANCH_FORMS, branchForm, branchHw } from "../../compiler/jit/branch.js";

/** Offsets around every edge of the three forms' ranges (B13: +-4 KiB; B_JAL and B_AUIPC: measured from pc + 4). */
const EDGES = [0, 4096, 4 + 1048576, 4 + 2147481600, -4096, 4 - 1048576, 4 - 2147485696];

describe("branch sizes", () => {
  it("branchHw is the size of the form branchForm picks, at every edge and between", () => {
    const offsets = EDGES.flatMap((e) => [e - 4, e - 2, e, e + 2, e + 4]);
    // and 2,000 more, even, spread over +-4 GiB: a fixed sequence (xorshift32), so that a failure repeats
    let s = 1;
    for (let k = 0; k < 2000; k++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      offsets.push(2 * (s | 0));
    }
    const perForm = [0, 0, 0];
    let refused = 0;
    for (const off of offsets) {
      let form: number;
      try {
        form = branchForm(off);
      } catch {
        expect(() => branchHw(off), `offset ${off}`).toThrow(/out of range/);
        refused++;
        continue;
      }
      expect(branchHw(off), `offset ${off}`).toBe(BRANCH_FORMS[form]!.hw);
      perForm[form]!++;
    }
    expect(Math.min(...perForm, refused)).toBeGreaterThan(0); // every form, and the refusal, was tried
    expect(perForm[2]! + refused).toBeGreaterThan(1000); // most offsets beyond 1 MiB: both sides of the auipc edge
  });

  it("uses each form, and refuses what none reaches", () => {
    expect([branchHw(4094), branchHw(4096), branchHw(1048580), branchHw(-2147485692)]).toEqual([2, 4, 6, 6]);
    expect(() => branchHw(2147481604)).toThrow(/out of range/);
  });
});
