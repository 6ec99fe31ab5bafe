/**
 * @fileoverview The JIT's fast encoder (packers + row bits, no range checks) against the instruction layer's checked
 * encode(), for every op the JIT emits, over random operands in each op's encodable range.
 */
import { describe, expect, it } from "vitest";
import { encodeOp, FAST_ENCODE } from "../../compiler/jit/encode-op.js";
import { OP_NAME, OP_SHAPE } from "../../compiler/jit/ops.js";
import { ROW_OF } from "../../compiler/riscv/rows.js";

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

describe("FAST_ENCODE agrees with encode()", () => {
  for (let op = 0; op < OP_NAME.length; op++) {
    const m = OP_NAME[op]!;
    it(`${m} (${OP_SHAPE[op]})`, () => {
      const r = rng(op + 1);
      const range = ROW_OF.get(m)!.codec.range;
      let checked = 0;
      for (let k = 0; k < 4000 && checked < 300; k++) {
        const rd = r() % 32, rs1 = r() % 32, rs2 = r() % 32, fl = r() % 4;
        const imm = range ? range.min + (r() % ((range.max - range.min) / range.align + 1)) * range.align : (r() | 0) % 4096;
        let want: number;
        try {
          want = encodeOp(op, rd, rs1, rs2, imm, fl);
        } catch {
          continue; // not an encodable operand combination (e.g. a non-RVC register in c.sub)
        }
        expect(FAST_ENCODE[op]!(rd, rs1, rs2, imm, fl), `${m} rd=${rd} rs1=${rs1} rs2=${rs2} imm=${imm} fl=${fl}`).toBe(want);
        checked++;
      }
      expect(checked).toBeGreaterThan(20);
    });
  }

  it("out-of-range shift amounts take the kernel's raw I-type encoding on both paths", () => {
    const slli = OP_NAME.indexOf("slli");
    const sraiw = OP_NAME.indexOf("sraiw");
    expect(FAST_ENCODE[slli]!(10, 10, 0, 68, 0)).toBe(0x04451513);
    expect(encodeOp(slli, 10, 10, 0, 68, 0)).toBe(0x04451513);
    // sraiw a0,a0,-16: 0x400 | (u16)-16 in the immediate field: 0xff0 | 0x400 = 0xff0
    expect(FAST_ENCODE[sraiw]!(10, 10, 0, -16, 0)).toBe(((0xff0 << 20) | (10 << 15) | (5 << 12) | (10 << 7) | 0x1b) >>> 0);
  });
});
