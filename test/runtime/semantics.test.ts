/**
 * @fileoverview ISA corners that neither the riscv-tests vectors nor the QEMU differential test reach: Zacas (QEMU
 * 7.2 lacks it), ctzw on a zero low word (QEMU 7.2 gets it wrong), the LR/SC reservation rules, W-sized AMOs,
 * misaligned accesses, jalr details, and the exactness of the instruction budget in both tiers. Expected values
 * come from the ISA manual (Volume I, 20240411), cited per case.
 */
import { describe, expect, it } from "vitest";
import { rv } from "../../compiler/riscv/encode.js";
import { X } from "../../compiler/riscv/regs.js";
import { EXIT_BUDGET, EXIT_EBREAK, type Machine } from "../../runtime/rv64/machine.js";
import { CODE, DATA, testMachine, TRANSLATE_ALL } from "./machine-support.js";

const { a0, a1, a2, a3, t0 } = X;

function data(...dwords: bigint[]): Uint8Array {
  const b = new Uint8Array(64);
  const dv = new DataView(b.buffer);
  dwords.forEach((v, i) => dv.setBigUint64(8 * i, BigInt.asUintN(64, v), true));
  return b;
}
const mem64 = (m: Machine, off: number) => m.mem.read(DATA + BigInt(off), 8);

/** Runs `words` + ebreak with registers preset; returns the machine. */
function exec(words: number[], regs: Record<number, bigint>, d = data(), blocks = false): Machine {
  const m = testMachine([...words, rv.ebreak()], { data: d, blocks });
  for (const [r, v] of Object.entries(regs)) m.setReg(Number(r), v);
  expect(m.run(1000)).toBe(EXIT_EBREAK);
  return m;
}

describe("Zacas (chapter 16)", () => {
  it("amocas.d stores rs2 when memory equals rd, and returns the old value either way", () => {
    const hit = exec([rv.amocas_d(a2, a1, a0)], { [a1]: 0x99n, [a2]: 0x1122334455667788n }, data(0x1122334455667788n));
    expect([mem64(hit, 0), hit.reg(a2)]).toEqual([0x99n, 0x1122334455667788n]);
    const miss = exec([rv.amocas_d(a2, a1, a0)], { [a1]: 0x99n, [a2]: 5n }, data(0x1122334455667788n));
    expect([mem64(miss, 0), miss.reg(a2)]).toEqual([0x1122334455667788n, 0x1122334455667788n]);
  });

  it("amocas.w compares the low 32 bits of rd, stores the low word of rs2, sign-extends the old word", () => {
    const m = exec([rv.amocas_w(a2, a1, a0)], { [a1]: 0xaaaa_aaaa_0000_0007n, [a2]: 0x1234_5678_8000_0001n }, data(0x5555_5555_8000_0001n));
    expect(mem64(m, 0)).toBe(0x5555_5555_0000_0007n); // the upper word of the doubleword is not touched
    expect(m.reg(a2)).toBe(0xffff_ffff_8000_0001n);
  });

  it("amocas with rd = x0 expects zero", () => {
    expect(mem64(exec([rv.amocas_d(0, a1, a0)], { [a1]: 7n }, data(0n)), 0)).toBe(7n);
    expect(mem64(exec([rv.amocas_d(0, a1, a0)], { [a1]: 7n }, data(3n)), 0)).toBe(3n);
  });
});

describe("Zbb word counts look at the low word only (chapter 28)", () => {
  it("ctzw of a zero low word is 32 whatever the high word; clzw and cpopw ignore it too", () => {
    const m = exec([rv.ctzw(a1, a0), rv.clzw(a2, a0), rv.cpopw(a3, a0)], { [a0]: 0x0001_0000_0000_0000n });
    expect([m.reg(a1), m.reg(a2), m.reg(a3)]).toEqual([32n, 32n, 0n]);
  });
});

describe("A extension (chapter 14)", () => {
  it("SC without a reservation fails (rd = 1) and does not store", () => {
    const m = exec([rv.sc_d(a2, a1, a0)], { [a1]: 9n }, data(1n));
    expect([m.reg(a2), mem64(m, 0)]).toEqual([1n, 1n]);
  });

  it("LR/SC succeeds once (rd = 0); the SC ends the reservation, so a second SC fails", () => {
    const m = exec([rv.lr_d(a3, a0), rv.sc_d(a2, a1, a0), rv.sc_d(t0, a3, a0)], { [a1]: 9n }, data(1n));
    expect([m.reg(a3), m.reg(a2), m.reg(t0), mem64(m, 0)]).toEqual([1n, 0n, 1n, 9n]);
  });

  it("SC to another address than the LR's, or of another width, fails", () => {
    const other = exec([rv.lr_d(a3, a0), rv.addi(t0, a0, 8), rv.sc_d(a2, a1, t0)], { [a1]: 9n });
    expect([other.reg(a2), mem64(other, 8)]).toEqual([1n, 0n]);
    const width = exec([rv.lr_w(a3, a0), rv.sc_d(a2, a1, a0)], { [a1]: 9n });
    expect(width.reg(a2)).toBe(1n);
  });

  it("AMO .w works on the word: wraps at 32 bits, sign-extends the old value into rd", () => {
    const m = exec([rv.amoadd_w(a2, a1, a0)], { [a1]: 1n }, data(0xdead_beef_7fff_ffffn));
    expect([mem64(m, 0), m.reg(a2)]).toEqual([0xdead_beef_8000_0000n, 0x7fff_ffffn]);
  });

  it("amomax.w compares signed, amomaxu.w unsigned", () => {
    const s = exec([rv.amomax_w(a2, a1, a0)], { [a1]: 1n }, data(0xffff_ffffn));
    expect(mem64(s, 0)).toBe(1n);
    const u = exec([rv.amomaxu_w(a2, a1, a0)], { [a1]: 1n }, data(0xffff_ffffn));
    expect(mem64(u, 0)).toBe(0xffff_ffffn);
  });
});

describe("loads, stores and jumps (chapter 2)", () => {
  it("misaligned loads and stores work, little-endian, and are counted", () => {
    const m = exec([rv.ld(a1, 3, a0), rv.sd(a1, 13, a0), rv.lhu(a2, 1, a0), rv.lbu(a3, 7, a0)], {}, data(0x8877665544332211n, 0x00000000000000ffn));
    // bytes 11 22 33 44 55 66 77 88 | ff 00 ...: the doubleword at offset 3 is 44 55 66 77 88 ff 00 00
    expect(m.reg(a1)).toBe(0x0000_ff88_7766_5544n);
    expect(m.mem.readBytes(DATA + 13n, 8)).toEqual(m.mem.readBytes(DATA + 3n, 8));
    expect([m.reg(a2), m.reg(a3)]).toEqual([0x3322n, 0x88n]);
    expect(m.mem.misaligned).toBe(3);
  });

  it("jalr computes the target from the old rs1 when rd = rs1, and clears bit 0", () => {
    // jalr a0, 1(a0) with a0 = CODE + 8: the target is (CODE + 9) & ~1 = CODE + 8; a0 gets CODE + 4.
    const m = exec([rv.addi(0, 0, 0), rv.jalr(a0, 1, a0), rv.ebreak()], { [a0]: CODE + 8n });
    expect(m.pc).toBe(CODE + 8n);
    expect(m.reg(a0)).toBe(CODE + 8n);
  });
});

describe("instruction budget", () => {
  for (const blocks of [false, true]) {
    it(`stops exactly at the budget (${blocks ? "translated blocks" : "interpreter"})`, () => {
      // a 3-instruction loop that never ends
      const m = testMachine([rv.addi(a1, a1, 1), rv.addi(a2, a2, 2), rv.jal(0, -8)], { blocks, blockPolicy: TRANSLATE_ALL });
      expect(m.run(100_000)).toBe(EXIT_BUDGET);
      expect(m.steps).toBe(100_000);
      // 100,000 = 33,333 loops + 1: the next instruction to run is the second one
      expect([m.reg(a1), m.reg(a2), m.pc]).toEqual([33_334n, 66_666n, CODE + 4n]);
    });
  }
});
