/**
 * @fileoverview decode(encode(x)) = x for every row of the table and many operand sets per row; the reserved
 * encodings the specification names decode as illegal; compressed forms expand to their 32-bit equivalents; the
 * ISA filter drops what a configuration lacks.
 */
import { describe, expect, it } from "vitest";
import { decode, expand, type Decoded } from "../../compiler/riscv/decode.js";
import { encode, type Operands } from "../../compiler/riscv/encode.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { MNEMONICS } from "../../compiler/riscv/isa.js";
import { ROWS } from "../../compiler/riscv/rows.js";
import { corpus, instancesOf, prng } from "./gen.js";

/** The operand fields of a decoded instruction that the instance specified (others must be the defaults). */
function expectSame(d: Decoded | undefined, m: string, ops: Operands): void {
  expect(d, `${m} ${JSON.stringify(ops)} decoded as illegal`).toBeDefined();
  expect(d!.m).toBe(m);
  for (const k of ["rd", "rs1", "rs2", "imm", "pred", "succ"] as const) {
    if (ops[k] !== undefined) expect(d![k], `${m} ${k}`).toBe(ops[k]);
  }
  expect(d!.aq).toBe(Boolean(ops.aq));
  expect(d!.rl).toBe(Boolean(ops.rl));
}

describe("decode(encode(x)) = x", () => {
  it.each(ROWS.map((r) => [r.m, r] as const))("%s", (_m, r) => {
    const instances = instancesOf(r, 60, prng(r.index + 1));
    expect(instances.length).toBeGreaterThan(0);
    for (const { m, ops } of instances) {
      const w = encode(m, ops);
      const d = decode(w);
      expectSame(d, m, ops);
      expect(d!.size).toBe(r.size);
      expect(MNEMONICS[d!.op]).toBe(m);
      // The row's fixed and implied operands are what decode reports.
      for (const [k, v] of r.fixed) expect(d![k]).toBe(v);
    }
  });

  it("holds over the whole generated corpus, and encode(decode(w)) = w", () => {
    const all = corpus(140);
    expect(all.length).toBeGreaterThan(20_000);
    for (const { m, ops } of all) {
      const w = encode(m, ops);
      const d = decode(w)!;
      expect(d?.m).toBe(m);
      expect(encode(d.m, d)).toBe(w);
    }
  });
});

describe("reserved and illegal encodings decode as undefined", () => {
  const illegal: Array<[string, number]> = [
    ["all-zero halfword", 0x0000],
    ["c.addi4spn with imm 0", 0x0004],
    ["c.lui with imm 0", 0x6501],
    ["c.addi16sp with imm 0", 0x6101],
    ["c.jr with rs1 = 0", 0x8002],
    ["c.lwsp with rd = 0", 0x4002],
    ["c.ldsp with rd = 0", 0x6002],
    ["c.addiw with rd = 0", 0x2001],
    ["c.fld (no D here)", 0x2000],
    ["slliw with shamt[5] set", 0x0205151b],
    ["srai with a stray funct6 bit (010100)", 0x4205d513 | (1 << 28)],
    ["all-ones word", 0xffffffff],
    ["all-zero word is the halfword 0", 0x00000000],
    ["48-bit prefix", 0x0000001f],
    ["lr.w with rs2 != 0", 0x1015a52f],
  ];
  it.each(illegal)("%s", (_what, w) => expect(decode(w)).toBeUndefined());

  it("keeps HINTs: c.li zero, c.addi with imm 0, c.slli64, c.mv zero", () => {
    expect(decode(0x4005)?.m).toBe("c.li");
    expect(decode(0x0501)?.m).toBe("c.addi");
    expect(decode(0x0502)?.m).toBe("c.slli64");
    expect(decode(0x802e)?.m).toBe("c.mv");
    expect(decode(0x0001)?.m).toBe("c.nop");
  });
});

describe("compressed forms", () => {
  it("takes words signed or unsigned (an Int32Array fetch is negative when bit 31 is set)", () => {
    for (const w of [0xfff58513, 0xfe051ee3, 0x8000006f, 0xc0dec0de, 0x800000b3]) {
      expect(decode(w | 0)).toEqual(decode(w >>> 0));
    }
    expect(decode(0xfff58513 | 0)).toMatchObject({ m: "addi", imm: -1 });
  });

  it("decode only the low halfword of a fetch", () => {
    expect(decode(0xdead0001)?.m).toBe("c.nop");
  });

  it("expand to the 32-bit instruction with the same operands, which then encodes", () => {
    for (const r of ROWS) {
      if (r.size !== 2) continue;
      for (const { m, ops } of instancesOf(r, 20, prng(7))) {
        const d = decode(encode(m, ops))!;
        const x = expand(d);
        expect(x.m).toBe(r.spec.expands);
        expect(x.size).toBe(4);
        expect(MNEMONICS[x.op]).toBe(x.m);
        // The expansion is a real instruction: encode it and decode it back to the same operands.
        const back = decode(encode(x.m, x))!;
        expect({ ...back, op: 0 }).toEqual({ ...x, op: 0 });
      }
    }
  });

  it("c.addi16sp, c.lwsp and c.mv spell out their implicit registers", () => {
    expect(expand(decode(encode("c.addi16sp", { imm: -64 }))!)).toMatchObject({ m: "addi", rd: 2, rs1: 2, imm: -64 });
    expect(expand(decode(encode("c.lwsp", { rd: 10, imm: 12 }))!)).toMatchObject({ m: "lw", rd: 10, rs1: 2, imm: 12 });
    expect(expand(decode(encode("c.mv", { rd: 10, rs2: 11 }))!)).toMatchObject({ m: "add", rd: 10, rs1: 0, rs2: 11 });
    expect(expand(decode(encode("c.jalr", { rs1: 5 }))!)).toMatchObject({ m: "jalr", rd: 1, rs1: 5, imm: 0 });
  });
});

describe("the ISA filter", () => {
  it("drops instructions of extensions the configuration lacks", () => {
    const base = parseIsa("rv64i");
    expect(decode(encode("add", { rd: 1, rs1: 2, rs2: 3 }), base)?.m).toBe("add");
    expect(decode(encode("mul", { rd: 1, rs1: 2, rs2: 3 }), base)).toBeUndefined();
    expect(decode(encode("c.add", { rd: 1, rs2: 3 }), base)).toBeUndefined();
    expect(decode(encode("amocas.w", { rd: 1, rs1: 2, rs2: 3 }), parseIsa("rv64ia"))).toBeUndefined();
    expect(decode(encode("amocas.w", { rd: 1, rs1: 2, rs2: 3 }), parseIsa("rv64ia_zacas"))?.m).toBe("amocas.w");
  });
});
