/**
 * @fileoverview The conformance reader: byte-exact against every program of assembled.jsonl (the suite's own
 * assembler), every negative file rejected with its reason, and the reader's own syntax and error positions.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AsmError } from "../../compiler/bpf/asm.js";
import { assembleUbpf, parseConformance } from "../../compiler/bpf/conformance.js";
import { insnsToHex } from "../../compiler/bpf/insn.js";
import { validateProgram } from "../../compiler/bpf/validate.js";
import { sharedTestdata } from "../support/tools.js";

const td = sharedTestdata();
const suite = join(td ?? "", "bpf-conformance");

interface Assembled { file: string; mem: string; result: string; code: string; ninsn: number }
const assembled: Assembled[] = td
  ? readFileSync(join(suite, "assembled.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Assembled)
  : [];

describe.skipIf(!td)("conformance reader: assembled.jsonl", () => {
  it("covers every file of tests/", () => {
    expect(assembled.map((a) => a.file).sort()).toEqual(readdirSync(join(suite, "tests")).filter((f) => f.endsWith(".data")).sort());
  });

  it.each(assembled)("$file: same bytes, memory and result as the suite's assembler", (a) => {
    const t = parseConformance(readFileSync(join(suite, "tests", a.file), "utf8"), a.file);
    expect(insnsToHex(t.insns)).toBe(a.code);
    expect(t.insns).toHaveLength(a.ninsn);
    expect(Buffer.from(t.mem).toString("hex")).toBe(a.mem);
    expect(t.result).toBe(BigInt(a.result));
    expect(t.lines).toHaveLength(t.insns.length);
    expect(validateProgram(t.insns)).toEqual([]);
  });
});

/**
 * Why each negative file must fail. "reader": parseConformance throws with this text. "validate": validate.ts rejects
 * slot 0 (unused-* files, see validate.test.ts for the field each names). "runner": the file is well formed and the
 * failure shows only when it runs; the reason says what the runner must see.
 */
const NEGATIVES: Record<string, ["reader" | "runner", string]> = {
  "empty.data": ["reader", "no program: the file has neither a '-- asm' nor a '-- raw' section"],
  "empty_instructions.data": ["reader", "no program"],
  "invalid_imm32_dec_range.data": ["reader", "5:12: 2147483648 is out of range for a 32-bit immediate"],
  "invalid_imm32_hex_range.data": ["reader", "5:12: 0x100000000 is out of range for a 32-bit immediate"],
  "invalid_label.data": ["reader", "4:4: unknown label 'NOT_A_LABEL'"],
  "invalid_lock.data": ["reader", "4:6: 'lock or' takes [%rD+off], %rS"],
  "invalid_lock2.data": ["reader", "4:1: expected an atomic operation after 'lock'"],
  "invalid_mnemonic.data": ["reader", "5:1: unknown mnemonic 'ldxq'"],
  "invalid_offset.data": ["reader", "4:11: expected a memory operand [%rN+off], found '%r1'"],
  "invalid_offset_range.data": ["reader", "5:15: +0x10000 is out of range for a 16-bit offset"],
  "invalid_operand_count.data": ["reader", "4:1: 'lddw' takes 2 operands, found 1"],
  "invalid_register.data": ["reader", "4:9: invalid register '%r50'"],
  "invalid_unknown_directive.data": ["reader", "4:1: unknown section '-- Unknown directive'"],
  "error.data": ["runner", "expects an error ('Invalid') from a program that reads r0 before writing it"],
  "incorrect_return_value_high_bits.data": ["runner", "expects 0x8977665544332211 where the load yields 0x8877665544332211"],
};

describe.skipIf(!td)("conformance reader: negative/", () => {
  const files = td ? readdirSync(join(suite, "negative")).filter((f) => f.endsWith(".data")).sort() : [];
  const read = (f: string) => readFileSync(join(suite, "negative", f), "utf8");

  it("has a reason for every file", () => {
    const unused = files.filter((f) => f.startsWith("unused-"));
    expect(files.filter((f) => !f.startsWith("unused-"))).toEqual(Object.keys(NEGATIVES).sort());
    expect(unused).toHaveLength(45);
  });

  it.each(files.filter((f) => NEGATIVES[f]?.[0] === "reader"))("the reader rejects %s", (f) => {
    const [, why] = NEGATIVES[f]!;
    expect(() => parseConformance(read(f), f)).toThrow(AsmError);
    expect(() => parseConformance(read(f), f)).toThrow(`${f}:${/^\d/.test(why) ? why : `1:1: ${why}`}`);
  });

  it.each(files.filter((f) => f.startsWith("unused-")))("validate.ts rejects %s", (f) => {
    const t = parseConformance(read(f), f);
    expect(t.error).toBe("");
    expect(validateProgram(t.insns)[0]?.index).toBe(0);
  });

  it("error.data is well formed: its expected error can only come from running it", () => {
    const t = parseConformance(read("error.data"), "error.data");
    expect(t.error).toBe("Invalid");
    expect(t.result).toBeUndefined();
    expect(validateProgram(t.insns)).toEqual([]);
    // `or %r0, %r10` reads r0, which nothing wrote: a runner (or the verifier: "R0 !read_ok") must fail it.
    expect(insnsToHex(t.insns)).toBe("4fa0000000000000" + "9500000000000000");
  });

  it("incorrect_return_value_high_bits.data expects a value the load cannot produce", () => {
    const t = parseConformance(read("incorrect_return_value_high_bits.data"), "x.data");
    expect(insnsToHex(t.insns.slice(0, 1))).toBe("7910020000000000"); // r0 = *(u64 *)(r1 + 2)
    const loaded = Buffer.from(t.mem).readBigUInt64LE(2);
    expect(loaded).toBe(0x8877665544332211n);
    expect(t.result).toBe(0x8977665544332211n);
  });
});

describe("conformance reader: format", () => {
  const file = (body: string) => `# header\n${body}`;

  it("reads sections, ignores -- c and notes, joins memory lines", () => {
    const t = parseConformance(file("-- c\nint main() { return 0; }\n-- asm\nmov %r0, 1 # one\nexit\n-- mem\n00 01\nff\n-- result\n0x10\n-- no register offset\nnote\n"), "t.data");
    expect(insnsToHex(t.insns)).toBe("b700000001000000" + "9500000000000000");
    expect([...t.mem]).toEqual([0, 1, 255]);
    expect(t.result).toBe(16n);
    expect(t.error).toBeUndefined();
    expect(t.asm).toBe("mov %r0, 1 # one\nexit");
    expect(t.lines.map((p) => [p.line, p.col])).toEqual([[5, 1], [6, 1]]);
  });

  it("reads raw as 0x words or as bytes, and raw overrides asm", () => {
    const words = parseConformance(file("-- asm\nexit\n-- raw\n0x00000001000000b7\n0x0000000000000095\n-- result\n1\n"), "w.data");
    expect(insnsToHex(words.insns)).toBe("b700000001000000" + "9500000000000000");
    expect(words.raw).toHaveLength(2);
    const bytes = parseConformance(file("-- raw\nb7 00 00 00 01 00 00 00\n95 00 00 00\n00 00 00 00\n-- error\n"), "b.data");
    expect(insnsToHex(bytes.insns)).toBe("b700000001000000" + "9500000000000000");
    expect(bytes.lines.map((p) => p.line)).toEqual([3, 4]);
    expect(bytes.error).toBe("");
  });

  it.each([
    ["-- raw\n0x95 00\n-- result\n0\n", "3:6: '-- raw' mixes 64-bit words and single bytes"],
    ["-- raw\n95 00 00\n-- result\n0\n", "3:1: '-- raw' holds 3 bytes, not a whole number of 8-byte instructions"],
    ["-- raw\n0x1ffffffffffffffff\n-- result\n0\n", "3:1: '0x1ffffffffffffffff' is neither"],
    ["-- asm\nexit\n-- mem\n0g\n-- result\n0\n", "5:1: '0g' is not a hex byte"],
    ["-- asm\nexit\n-- result\nzero\n", "5:1: 'zero' is not a 64-bit result"],
    ["-- asm\nexit\n-- result\n1\n2\n", "6:1: more than one value in '-- result'"],
    ["-- asm\nexit\n-- asm\nexit\n-- result\n1\n", "4:1: second '-- asm' section"],
    ["-- asm\nexit\n", "1:1: no expected outcome"],
    ["-- asm\n\n-- result\n1\n", "1:1: the '-- asm' section has no instructions"],
    ["stray\n-- asm\nexit\n", "2:1: text before the first section"],
  ])("rejects %j", (body, msg) => {
    expect(() => parseConformance(file(body), "f.data")).toThrow(`f.data:${msg}`);
  });
});

describe("conformance reader: uBPF assembler", () => {
  const hex = (text: string) => insnsToHex(assembleUbpf(text).insns);

  it.each([
    ["add32 %r1, %r2", "0c21000000000000"],
    ["add64 %r1, -1", "07010000ffffffff"],
    ["mov32 %r1, 0xffffffff", "b4010000ffffffff"],
    ["sdiv32 %r1, 3", "3401010003000000"],
    ["smod %r1, %r2", "9f21010000000000"],
    ["neg %r3", "8703000000000000"],
    ["neg32 %r3", "8403000000000000"],
    ["movsx1664 %r1, %r2", "bf21100000000000"],
    ["movsx832 %r1, %r2", "bc21080000000000"],
    ["be16 %r1", "dc01000010000000"],
    ["le64 %r1", "d401000040000000"],
    ["swap32 %r1", "d701000020000000"],
    ["bswap16 %r1", "d701000010000000"],
    ["lddw %r1, -2", "1801000000feffffff00000000ffffffff".replace("1801000000feffffff", "18010000feffffff")],
    ["ldxsh %r1, [%r2-2]", "8921feff00000000"],
    ["ldxdw %r1, [%r2]", "7921000000000000"],
    ["stb [%r10-1], 0xff", "720affffff000000"],
    ["stxh [%r1+0x10], %r2", "6b21100000000000"],
    ["lock fetch xor32 [%r1+4], %r2", "c3210400a1000000"],
    ["lock cmpxchg [%r1], %r2", "db210000f1000000"],
    ["lock xchg32 [%r1-4], %r2", "c321fcffe1000000"],
    ["lock and [%r1], %r2", "db21000050000000"],
    ["call 7", "8500000007000000"],
    ["call %r4", "8d04000000000000"],
    ["call runtime 1", "8520000001000000"],
    ["ja +3", "0500030000000000"],
    ["ja32 -1", "06000000ffffffff"],
    ["jsle32 %r1, %r2, -2", "de21feff00000000"],
    ["jset %r1, 0x80000000, +1", "4501010000000080"],
  ])("%s", (src, want) => expect(hex(src)).toBe(want));

  it("resolves labels, call local and the implicit 'exit' label (the first exit)", () => {
    const p = assembleUbpf("ja exit\ncall local f\nexit\nf:\nmov %r0, 1\nexit\nja32 f");
    expect(p.insns.map((x) => [x.off, x.imm])).toEqual([[1, 0], [0, 1], [0, 0], [0, 1], [0, 0], [0, -3]]);
    expect(p.insns[1]!.src).toBe(1);
  });

  it.each([
    ["mov32 %r0, 2147483648", "1:12: 2147483648 is out of range"],
    ["mov32 %r0, -2147483649", "1:12: -2147483649 is out of range"],
    ["ldxb %r0, [%r1-0x8001]", "1:15: -0x8001 is out of range for a 16-bit offset"],
    ["jne %r1, 0, +32768", "1:13: +32768 is out of range for a 16-bit jump offset"],
    ["ja nowhere", "1:4: unknown label 'nowhere'"],
    ["a:\na:", "2:1: label 'a' is defined twice"],
    ["a: exit", "1:4: expected nothing after a label"],
    ["movsx832 %r1, 5", "1:15: 'movsx832' sign-extends a register"],
    ["lock fetch nand [%r1], %r2", "1:12: unknown atomic operation 'nand'"],
    ["call far 3", "1:6: unknown call mode 'far'"],
    ["mov %r1", "1:1: 'mov' takes 2 operands, found 1"],
    ["exit %r0", "1:6: 'exit' takes 0 operands, found 1"],
    ["lddw %r0, 0x10000000000000000", "1:11: '0x10000000000000000' is not a 64-bit immediate"],
    ["jeq %r1, 1, 1x", "1:13: expected a label or +N/-N, found '1x'"],
  ])("rejects %j", (src, msg) => {
    expect(() => assembleUbpf(src, "u.s")).toThrow(`u.s:${msg}`);
  });

  it("keeps registers r11..r15 for validate.ts to reject, as the suite's assembler does", () => {
    const p = assembleUbpf("mov %r11, 1\nexit");
    expect(validateProgram(p.insns)[0]?.message).toBe("R11 is invalid");
  });
});
