/**
 * @fileoverview The encoder's contract in small: a few words checked against llvm-mc-19 (seeded once from
 * `llvm-mc-19 -triple=riscv64 -mattr=+m,+a,+c,+zba,+zbb,+zbs,+experimental-zacas -show-encoding`; the full
 * cross-check runs against the tool itself in corpus.test.ts), and the errors for operands that do not fit.
 */
import { describe, expect, it } from "vitest";
import { EncodeError, encode, insnSize, rv } from "../../compiler/riscv/encode.js";
import { X } from "../../compiler/riscv/regs.js";

const { zero, ra, sp, s0, a0, a1, a2, a5 } = X;

describe("encode: words seeded from llvm-mc-19", () => {
  const cases: Array<[string, () => number, number]> = [
    ["addi a0, a1, -1", () => rv.addi(a0, a1, -1), 0xfff58513],
    ["sd a0, -8(s0)", () => rv.sd(a0, -8, s0), 0xfea43c23],
    ["amoadd.w.aqrl a0, a2, (a1)", () => rv.amoadd_w(a0, a2, a1, true, true), 0x06c5a52f],
    ["lr.d.aq a0, (a1)", () => rv.lr_d(a0, a1, 1, 0), 0x1405b52f],
    ["fence rw, rw", () => rv.fence(3, 3), 0x0330000f],
    ["clz a0, a1", () => rv.clz(a0, a1), 0x60059513],
    ["rev8 a0, a1", () => rv.rev8(a0, a1), 0x6b85d513],
    ["orc.b a0, a1", () => rv.orc_b(a0, a1), 0x2875d513],
    ["slli.uw a0, a1, 63", () => rv.slli_uw(a0, a1, 63), 0x0bf5951b],
    ["zext.h a0, a1", () => rv.zext_h(a0, a1), 0x0805c53b],
    ["bexti a0, a1, 63", () => rv.bexti(a0, a1, 63), 0x4bf5d513],
    ["amocas.d a0, a2, (a1)", () => rv.amocas_d(a0, a2, a1), 0x28c5b52f],
    ["c.addi a0, -1", () => rv.c_addi(a0, -1), 0x157d],
    ["c.ld a0, 8(a1)", () => rv.c_ld(a0, 8, a1), 0x6588],
    ["c.jr ra", () => rv.c_jr(ra), 0x8082],
    ["c.addi16sp sp, -32", () => rv.c_addi16sp(-32), 0x713d],
    ["c.addi4spn s0, sp, 16", () => rv.c_addi4spn(s0, 16), 0x0800],
    ["c.lwsp a0, 252(sp)", () => rv.c_lwsp(a0, 252), 0x557e],
    ["c.sdsp a5, 504(sp)", () => rv.c_sdsp(a5, 504), 0xffbe],
    ["c.lui a0, 0xfffff", () => rv.c_lui(a0, 0xfffff), 0x757d],
  ];
  it.each(cases)("%s", (_text, build, word) => {
    expect(build().toString(16)).toBe(word.toString(16));
  });

  it("c.lui takes its immediate signed or as lui's 20-bit field", () => {
    expect(rv.c_lui(a0, -1)).toBe(rv.c_lui(a0, 0xfffff));
    expect(rv.lui(a0, -1)).toBe(rv.lui(a0, 0xfffff));
  });

  it("sizes come from the format", () => {
    expect(insnSize("c.add")).toBe(2);
    expect(insnSize("amocas.w")).toBe(4);
  });
});

describe("encode: operands that do not fit name the instruction, the field and the range", () => {
  const bad: Array<[string, () => number, RegExp]> = [
    ["I imm", () => rv.addi(a0, a0, 2048), /^addi: imm = 2048 is out of range \(must be -2048\.\.2047\)$/],
    ["S imm", () => rv.sd(a0, -2049, sp), /^sd: imm = -2049 .*-2048\.\.2047/],
    ["B alignment", () => rv.beq(a0, a1, 3), /^beq: imm = 3 .*multiple of 2 in -4096\.\.4094/],
    ["B range", () => rv.bne(a0, a1, 4096), /^bne: imm = 4096/],
    ["J range", () => rv.jal(ra, 1 << 20), /^jal: imm = 1048576 .*-1048576\.\.1048574/],
    ["U range", () => rv.lui(a0, 0x100000), /^lui: imm = 1048576/],
    ["64-bit shamt", () => rv.slli(a0, a0, 64), /^slli: imm = 64 .*0\.\.63/],
    ["32-bit shamt", () => rv.slliw(a0, a0, 32), /^slliw: imm = 32 .*0\.\.31/],
    ["register", () => rv.add(32, a0, a0), /^add: rd = 32 is not a register/],
    ["fence set", () => rv.fence(16, 3), /^fence: pred = 16 .*0\.\.15/],
    ["RVC register", () => rv.c_ld(ra, 8, a1), /^c\.ld: rd = 1 .*x8\.\.x15/],
    ["c.ld offset", () => rv.c_ld(a0, 4, a1), /^c\.ld: imm = 4 .*multiple of 8 in 0\.\.248/],
    ["c.addi4spn zero", () => rv.c_addi4spn(s0, 0), /^c\.addi4spn: imm must not be 0/],
    ["c.addi16sp zero", () => rv.c_addi16sp(0), /^c\.addi16sp: imm must not be 0/],
    ["c.lui zero", () => rv.c_lui(a0, 0), /^c\.lui: imm must not be 0/],
    ["c.lui sp", () => rv.c_lui(sp, 1), /^c\.lui: rd = 2 is not encodable/],
    ["c.jr zero", () => rv.c_jr(zero), /^c\.jr: rs1 must not be 0/],
    ["c.lwsp zero", () => rv.c_lwsp(zero, 0), /^c\.lwsp: rd must not be 0/],
    ["c.j range", () => rv.c_j(2048), /^c\.j: imm = 2048 .*-2048\.\.2046/],
    ["c.beqz range", () => rv.c_beqz(a0, -258), /^c\.beqz: imm = -258 .*-256\.\.254/],
    ["arity", () => (rv.add as unknown as (...a: number[]) => number)(a0, a1), /^add: takes 3 operands \(rd, rs1, rs2\), got 2$/],
  ];
  it.each(bad)("%s", (_what, build, message) => {
    expect(build).toThrow(EncodeError);
    expect(build).toThrow(message);
  });

  it("rejects operands a row fixes or ties when they disagree", () => {
    expect(() => encode("c.addi", { rd: a0, rs1: a1, imm: 1 })).toThrow(/rs1 = 11 must equal rd = 10/);
    expect(() => encode("c.li", { rd: a0, rs1: a1, imm: 1 })).toThrow(/c\.li fixes rs1 = 0/);
    expect(() => encode("clz", { rd: a0, rs1: a1, rs2: 3 })).toThrow(/clz fixes rs2 = 0/);
    expect(() => encode("add", { rd: a0, rs1: a1 })).toThrow(/^add: missing operand rs2$/);
    expect(() => encode("nope" as "add", {})).toThrow(/unknown instruction 'nope'/);
  });
});
