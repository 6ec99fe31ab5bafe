/** @fileoverview ISA strings: parsing (with ELF-attribute version suffixes), canonical names, and the errors. */
import { describe, expect, it } from "vitest";
import { FULL_ISA, isaName, parseIsa } from "../../compiler/riscv/isa-config.js";

describe("parseIsa / isaName", () => {
  it("parses the extensions in any order and prints them in canonical order", () => {
    const cfg = parseIsa("rv64imac_zba_zbb_zacas");
    expect(cfg).toEqual({ m: true, a: true, c: true, zba: true, zbb: true, zbs: false, zacas: true });
    expect(isaName(cfg)).toBe("rv64imac_zacas_zba_zbb");
    expect(isaName(FULL_ISA)).toBe("rv64imac_zacas_zba_zbb_zbs");
    expect(parseIsa(isaName(FULL_ISA))).toEqual(FULL_ISA);
  });

  it("accepts version suffixes as ELF attributes write them", () => {
    expect(parseIsa("rv64i2p1_m2p0_a2p1_c2p0_zba1p0")).toEqual({ ...parseIsa("rv64imac_zba") });
    expect(isaName(parseIsa("RV64I"))).toBe("rv64i");
  });

  it.each([
    ["rv32i", /must start with rv64i/],
    ["rv64g", /base 'g' is not supported/],
    ["rv64imafdc", /extension 'f' is not supported/],
    ["rv64i_zicsr", /extension 'zicsr' is not supported/],
    ["rv64i_zacas", /zacas needs the a extension/],
    ["rv64i__zba", /empty extension name/],
  ])("refuses %s", (name, message) => {
    expect(() => parseIsa(name)).toThrow(message);
  });
});
