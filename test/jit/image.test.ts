/**
 * @fileoverview The unit lengths the output keeps instead of a table of positions (compiler/jit/image.ts): lengths
 * past what a byte holds go to the side map, also when var items push a unit over, and slotStarts sums them up into
 * the positions the line map and the instruction list read. Real units stay far below that size (the longest, a tail
 * call, is ~60 halfwords), so the boundary is tried here directly.
 */
import { describe, expect, it } from "vitest";
import { addUnitLength, LONG, slotStarts, type UnitLengths, unitStartOf } from "../../compiler/jit/image.js";

/** Units as encode.ts records them: per unit its first slot and slot count, its fixed halfwords, then its var items. */
function record(units: readonly { slots: number; fixed: number; vars: number[] }[]): UnitLengths {
  const nslots = units.reduce((n, u) => n + u.slots, 0);
  const out: UnitLengths = { lens: new Uint8Array(nslots), long: new Map() };
  let slot = 0;
  for (const u of units) {
    addUnitLength(out, slot, 1 + u.fixed); // 0 + (1 + fixed): a unit's byte starts at 0
    for (const hw of u.vars) addUnitLength(out, slot, hw);
    slot += u.slots;
  }
  return out;
}

describe("unit lengths", () => {
  const units = [
    { slots: 1, fixed: 3, vars: [] },
    { slots: 2, fixed: 0, vars: [] }, // an empty unit that consumes the next slot
    { slots: 1, fixed: LONG - 2, vars: [] }, // the longest a byte holds
    { slots: 1, fixed: LONG - 1, vars: [] }, // the first that does not
    { slots: 1, fixed: 250, vars: [2, 6] }, // pushed over by its var items
    { slots: 2, fixed: 1000, vars: [4] }, // long already, then longer
    { slots: 1, fixed: 0, vars: [2] },
  ];
  const bodyStart = 7;

  it("keeps every length, long ones beside the bytes", () => {
    const u = record(units);
    expect(Array.from(u.lens)).toEqual([4, 1, 0, LONG - 1, LONG, LONG, LONG, 0, 3]);
    expect([...u.long]).toEqual([[4, LONG - 1], [5, 258], [6, 1004]]);
  });

  it("sums them into the slot table: each unit after the ones before it, consumed slots pointing at their unit", () => {
    const starts = slotStarts(record(units), bodyStart);
    const expected: number[] = [];
    let p = bodyStart;
    for (const u of units) {
      const len = u.fixed + u.vars.reduce((a, b) => a + b, 0);
      for (let k = 0; k < u.slots; k++) expected.push(p);
      p += len;
    }
    expect(Array.from({ length: expected.length }, (_, k) => unitStartOf(starts, k))).toEqual(expected);
    expect(starts[2]).toBeLessThan(0); // the consumed slot is marked, not just equal to the next unit's start
    expect(starts[expected.length]).toBe(p); // the epilogue
  });
});
