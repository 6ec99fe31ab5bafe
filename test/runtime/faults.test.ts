/**
 * @fileoverview Every fault kind stops the run with a report naming the kind, the pc, the instruction as objdump
 * prints it, the address and region involved, and why. Faults are exact: the faulting instruction has no effect
 * and pc stays on it, in both tiers.
 */
import { describe, expect, it } from "vitest";
import { rv } from "../../compiler/riscv/encode.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { X } from "../../compiler/riscv/regs.js";
import { EXIT_FAULT, type Machine } from "../../runtime/rv64/machine.js";
import { formatFault } from "../../runtime/rv64/report.js";
import { CODE, DATA, STACK_TOP, testMachine, type TestMachineOptions, TRANSLATE_ALL } from "./machine-support.js";

const { a0, a1, sp, t0 } = X;

function fault(words: number[], regs: Record<number, bigint> = {}, opts: TestMachineOptions = {}): { m: Machine; report: string } {
  const m = testMachine(words, opts);
  for (const [r, v] of Object.entries(regs)) m.setReg(Number(r), v);
  expect(m.run(1000)).toBe(EXIT_FAULT);
  return { m, report: formatFault(m.fault!, m) };
}

const hex = (v: bigint) => `0x${v.toString(16).padStart(16, "0")}`;

describe("fault reports", () => {
  it("load from unmapped memory", () => {
    const { m, report } = fault([rv.addi(a1, 0, 1), rv.ld(a1, 8, a1)]);
    expect(m.fault!.kind).toBe("load-fault");
    expect(m.pc).toBe(CODE + 4n);
    expect(m.reg(a1)).toBe(1n); // the faulting load wrote nothing
    expect(report).toContain(`load-fault at ${hex(CODE + 4n)}`);
    expect(report).toContain("ld      a1,8(a1)");
    expect(report).toContain(`load of 8 bytes at ${hex(9n)}: no memory region there`);
  });

  it("a load into x0 still faults", () => {
    expect(fault([rv.ld(0, 0, 0)]).m.fault!.kind).toBe("load-fault");
  });

  it("store to read-only data, and to code", () => {
    const ro = fault([rv.sd(a1, 0, a0)], {}, { dataPerm: "r--" });
    expect(ro.m.fault!.kind).toBe("store-fault");
    expect(ro.report).toMatch(/store of 8 bytes at 0xffffffd000000000: 'data' r-- \[.*\) is not writable/);
    const code = fault([rv.auipc(t0, 0), rv.sw(a1, 0, t0)]);
    expect(code.report).toMatch(/store of 4 bytes at 0xffffffff01000000: 'code' r-x .* is not writable/);
    expect(code.report).toContain("sw      a1,0(t0)");
  });

  it("an access running past the end of its region", () => {
    const { report } = fault([rv.ld(a1, 60, a0)]);
    expect(report).toMatch(/load of 8 bytes at 0xffffffd00000003c: runs past the end of 'data'/);
  });

  it("stack overflow into the guard region", () => {
    const { m, report } = fault([rv.addi(sp, sp, -2048), rv.sd(a1, 0, sp)], { [sp]: STACK_TOP - 0x4000n + 16n });
    expect(m.fault!.kind).toBe("guard");
    expect(report).toContain("stack overflow (into 'stack guard' ---");
  });

  it("fetch from data, from nowhere, and past the end of code", () => {
    const data = fault([rv.jalr(0, 0, a0)]);
    expect(data.m.fault!.kind).toBe("fetch-fault");
    expect(data.m.pc).toBe(DATA);
    expect(data.report).toMatch(/instruction fetch at 0xffffffd000000000: 'data' rw- .* is not executable/);
    const nowhere = fault([rv.jalr(0, 0, 0)]);
    expect(nowhere.report).toContain("instruction fetch at 0x0000000000000000: no memory region there");
    // the last halfword of the code starts a 32-bit instruction
    const cut = fault([], {}, { rawCode: Uint8Array.from([0x01, 0x00, 0x13, 0x00]) }); // c.nop, then half an addi
    expect(cut.m.fault!.kind).toBe("fetch-fault");
    expect(cut.report).toMatch(/fetch of 4 bytes at 0xffffffff01000002: runs past the end of 'code'/);
  });

  it("illegal instruction: reserved bits, and an instruction outside the configured ISA", () => {
    const zero = fault([rv.c_nop(), 0x0000]);
    expect(zero.m.fault!.kind).toBe("illegal-instruction");
    expect(zero.m.pc).toBe(CODE + 2n);
    expect(zero.report).toContain("illegal instruction 0x0000");
    expect(zero.report).toMatch(/insn +0000 +\.2byte +0x0000/);
    const noZbb = fault([rv.clz(a0, a0)], {}, { isa: parseIsa("rv64imac") });
    expect(noZbb.report).toContain("(not an instruction of rv64imac)");
  });

  it("misaligned atomics fault; misaligned plain accesses do not", () => {
    const { m, report } = fault([rv.ld(a1, 4, a0), rv.addi(t0, a0, 4), rv.amoadd_d(a1, a1, t0)]);
    expect(m.fault!.kind).toBe("misaligned-atomic");
    expect(m.mem.misaligned).toBe(1);
    expect(report).toContain("atomic access of 8 bytes at 0xffffffd000000004 is not 8-byte aligned");
    expect(report).toContain("amoadd.d");
  });

  it("a translated block stops on the faulting instruction too", () => {
    // loop: load from a0, a0 += 8, until the load runs off the 64-byte data region
    const m = testMachine([rv.ld(a1, 0, a0), rv.addi(a0, a0, 8), rv.jal(0, -8)], { blocks: true, blockPolicy: TRANSLATE_ALL });
    expect(m.run(10_000)).toBe(EXIT_FAULT);
    expect(m.fault!.kind).toBe("load-fault");
    expect(m.pc).toBe(CODE);
    expect(m.reg(a0)).toBe(DATA + 64n);
    expect(m.steps).toBe(8 * 3 + 1);
  });
});
