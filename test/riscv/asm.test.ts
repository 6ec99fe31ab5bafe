/**
 * @fileoverview The assembler: it reads back what the disassembler prints (the whole corpus, both alias modes),
 * resolves labels and `.`-relative targets, and reports every error with file:line:col.
 */
import { describe, expect, it } from "vitest";
import { assemble, AsmError } from "../../compiler/riscv/asm.js";
import { decode, expand } from "../../compiler/riscv/decode.js";
import { encode } from "../../compiler/riscv/encode.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { listing } from "../../compiler/riscv/listing.js";
import { addressSequences, corpus, specialCorpus } from "./gen.js";

const INSTANCES = [...corpus(30), ...specialCorpus(), ...addressSequences()];
const WORDS = INSTANCES.map(({ m, ops }) => encode(m, ops));
const BYTES = (() => {
  const out: number[] = [];
  for (const w of WORDS) for (let i = 0; i < ((w & 3) === 3 ? 4 : 2); i++) out.push((w >>> (8 * i)) & 0xff);
  return Uint8Array.from(out);
})();

const sameInsn = (a: ReturnType<typeof decode>, b: ReturnType<typeof decode>): boolean =>
  a !== undefined && b !== undefined && JSON.stringify({ ...a, op: 0 }) === JSON.stringify({ ...b, op: 0 });

describe("assemble reads back the listing", () => {
  it("of the whole corpus printed with -M no-aliases: the same bytes", () => {
    const text = listing(BYTES, { aliases: false }).map((l) => l.text).join("\n");
    const { bytes } = assemble(text);
    expect(Buffer.from(bytes).equals(Buffer.from(BYTES))).toBe(true);
  });

  it("of the whole corpus printed with aliases: the same instruction, or for compressed ones its expansion", () => {
    // Each line on its own, at its own address: compressed lines come back 4 bytes long, which would move targets.
    const lines = listing(BYTES, { aliases: true });
    let expanded = 0;
    lines.forEach((l) => {
      const back = decode(assemble(l.text, { base: BigInt(l.offset) }).insns[0]!.word)!;
      if (sameInsn(back, l.decoded)) return;
      expanded++;
      expect(l.size, `${l.text}`).toBe(2);
      const x = expand(l.decoded!);
      // c.mv expands to add rd,zero,rs2 but prints as mv, which (like GNU as) we read as addi rd,rs2,0.
      const want = l.decoded!.m === "c.mv" ? { ...x, m: "addi", rs1: x.rs2, rs2: 0 } : x;
      expect(JSON.stringify({ ...back, op: 0 }), l.text).toBe(JSON.stringify({ ...want, op: 0 }));
    });
    expect(expanded).toBeGreaterThan(0);
  });

  it("at another base address, where targets are absolute", () => {
    const base = 0xffffffff80001000n;
    const text = listing(BYTES, { aliases: false, base }).map((l) => l.text).join("\n");
    expect(Buffer.from(assemble(text, { base }).bytes).equals(Buffer.from(BYTES))).toBe(true);
  });
});

describe("assemble: syntax", () => {
  it("labels, `.`-relative targets, comments, `;` and data directives", () => {
    const { bytes, insns, labels } = assemble(
      [
        "start:  li a0, 10        # comment",
        "loop:   addi a0, a0, -1  // another",
        "        bnez a0, loop; j .+6",
        "        .2byte 0x1234, -1",
        "        beq a0, a1, start",
        "        bgt a0, a1, loop",
        "        amoadd.w.aqrl a2, a3, (a4); lr.d.aq a0, 0(a1)",
        "        ld a0, (sp); c.lwsp a1, 4(sp); fence",
      ].join("\n"),
    );
    expect([...labels]).toEqual([["start", 0], ["loop", 4]]);
    const words = insns.map((i) => i.word);
    expect(words).toEqual([
      encode("addi", { rd: 10, rs1: 0, imm: 10 }),
      encode("addi", { rd: 10, rs1: 10, imm: -1 }),
      encode("bne", { rs1: 10, rs2: 0, imm: -4 }),
      encode("jal", { rd: 0, imm: 6 }),
      encode("beq", { rs1: 10, rs2: 11, imm: -20 }),
      encode("blt", { rs1: 11, rs2: 10, imm: -20 }),
      encode("amoadd.w", { rd: 12, rs2: 13, rs1: 14, aq: true, rl: true }),
      encode("lr.d", { rd: 10, rs1: 11, aq: true }),
      encode("ld", { rd: 10, rs1: 2, imm: 0 }),
      encode("c.lwsp", { rd: 11, imm: 4 }),
      encode("fence", { pred: 15, succ: 15 }),
    ]);
    expect(Buffer.from(bytes.subarray(16, 20)).toString("hex")).toBe("3412ffff");
  });
});

describe("assemble: errors name file, line and column", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["unknown mnemonic", "  nop\n  frob a0, a1", /^t\.s:2:3: unknown instruction 'frob'$/],
    ["bad register", "add a0, a1, q7", /^t\.s:1:13: expected a register for rs2, got 'q7'$/],
    ["immediate out of range", "addi a0, a1,  4096", /^t\.s:1:15: addi: imm = 4096 is out of range \(must be -2048\.\.2047\)$/],
    ["alias out of range", "li a0, 5000", /^t\.s:1:8: li \(addi\): imm = 5000 is out of range/],
    ["operand count", "sub a0, a1", /^t\.s:1:5: 'sub' takes 3 operands \(rd,rs1,rs2\), got 2$/],
    ["undefined label", "beq a0, a1, nowhere", /^t\.s:1:13: undefined label 'nowhere'$/],
    ["branch too far", "beq a0, a1, .+5000", /^t\.s:1:13: beq: imm = 5000 is out of range/],
    ["duplicate label", "x: nop\nx: nop", /^t\.s:2:1: label 'x' is already defined$/],
    ["directive", ".align 2", /^t\.s:1:1: unsupported directive '\.align'$/],
    ["RVC register", "c.ld ra, 8(a0)", /^t\.s:1:6: c\.ld: rd = 1 cannot be encoded/],
    ["suffix on a non-atomic", "add.aq a0, a1, a2", /^t\.s:1:1: unknown instruction 'add\.aq'$/],
  ];
  it.each(cases)("%s", (_what, text, message) => {
    expect(() => assemble(text, { file: "t.s" })).toThrow(AsmError);
    expect(() => assemble(text, { file: "t.s" })).toThrow(message);
  });

  it("an instruction outside the ISA is an error naming it and the extension", () => {
    const isa = parseIsa("rv64imac_zba");
    expect(() => assemble("add a0, a1, a2\nandn a0, a1, a2", { isa, file: "t.s" })).toThrow(
      /^t\.s:2:1: 'andn' needs extension zbb, which rv64imac_zba does not have$/,
    );
    expect(() => assemble("zext.w a0, a1", { isa: parseIsa("rv64i") })).toThrow(/'zext\.w' \(add\.uw\) needs extension zba/);
  });
});
