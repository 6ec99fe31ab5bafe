/**
 * @fileoverview validate.ts against RFC 9669's opcode table, the conformance suite's negative/unused-*.data files,
 * and one case per reserved-field rule.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { atomic, callHelper, callKfunc, exit, gotol, ja, ldImm64, mov64Imm } from "../../compiler/bpf/build.js";
import { parseConformance } from "../../compiler/bpf/conformance.js";
import { insn, type Insn } from "../../compiler/bpf/insn.js";
import { checkInsn, validateInsn, validateProgram } from "../../compiler/bpf/validate.js";
import { sharedTestdata } from "../support/tools.js";

/**
 * Every opcode of RFC 9669 Appendix A (written out from the RFC's table, not derived from our rules), plus the three
 * later additions validate.ts accepts: callx (0x8d) and 8/16-bit load-acquire/store-release (0xcb, 0xd3).
 */
const RFC_9669_OPCODES = [
  // ALU, K then X (0xd4 le, 0xdc be)
  0x04, 0x14, 0x24, 0x34, 0x44, 0x54, 0x64, 0x74, 0x84, 0x94, 0xa4, 0xb4, 0xc4, 0xd4,
  0x0c, 0x1c, 0x2c, 0x3c, 0x4c, 0x5c, 0x6c, 0x7c, 0x9c, 0xac, 0xbc, 0xcc, 0xdc,
  // ALU64, K then X (0xd7 bswap)
  0x07, 0x17, 0x27, 0x37, 0x47, 0x57, 0x67, 0x77, 0x87, 0x97, 0xa7, 0xb7, 0xc7, 0xd7,
  0x0f, 0x1f, 0x2f, 0x3f, 0x4f, 0x5f, 0x6f, 0x7f, 0x9f, 0xaf, 0xbf, 0xcf,
  // JMP: ja, K conditions + call + exit, X conditions
  0x05, 0x15, 0x25, 0x35, 0x45, 0x55, 0x65, 0x75, 0x85, 0x95, 0xa5, 0xb5, 0xc5, 0xd5,
  0x1d, 0x2d, 0x3d, 0x4d, 0x5d, 0x6d, 0x7d, 0xad, 0xbd, 0xcd, 0xdd,
  // JMP32: gotol, K conditions, X conditions
  0x06, 0x16, 0x26, 0x36, 0x46, 0x56, 0x66, 0x76, 0xa6, 0xb6, 0xc6, 0xd6,
  0x1e, 0x2e, 0x3e, 0x4e, 0x5e, 0x6e, 0x7e, 0xae, 0xbe, 0xce, 0xde,
  // LD: lddw, legacy abs/ind w h b
  0x18, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50,
  // LDX mem w h b dw, memsx w h b
  0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91,
  // ST, STX, atomic w dw
  0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb,
];
const EXTENSIONS = [0x8d, 0xcb, 0xd3];

const LD_IMM64 = 0x18;
const prog = (...xs: Array<Insn | Insn[]>): Insn[] => xs.flat();

describe("validate: opcodes", () => {
  it("knows exactly the opcodes of RFC 9669 plus callx and 8/16-bit load-acquire/store-release", () => {
    expect(RFC_9669_OPCODES).toHaveLength(125);
    const known = new Set([...RFC_9669_OPCODES, ...EXTENSIONS]);
    const wrong: string[] = [];
    for (let code = 0; code < 256; code++) {
      const p = checkInsn([insn(code, 0, 0, 0, 0), insn(0, 0, 0, 0, 0)], 0);
      const unknown = p?.message === `unknown opcode ${code.toString(16).padStart(2, "0")}`;
      if (unknown === known.has(code)) wrong.push(`0x${code.toString(16)}: ${unknown ? "rejected" : "accepted"} ${p ? p.detail : ""}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each([
    [0x8c, "BPF_NEG has no BPF_X form"],
    [0xdf, "no BPF_TO_BE form"],
    [0x86, "BPF_JMP32 has no BPF_CALL"],
    [0x96, "BPF_JMP32 has no BPF_EXIT"],
    [0x0d, "BPF_JA has no BPF_X form"],
    [0xe5, "may_goto"],
    [0xf5, "BPF_TAIL_CALL exists only inside the kernel"],
    [0x99, "BPF_MEMSX has no BPF_DW size"],
    [0x38, "no BPF_DW size"],
    [0x00, "exists only as LD_IMM64"],
    [0xe4, "there is no ALU operation 0xe0"],
  ])("says why opcode %s does not exist", (code, why) => {
    const p = checkInsn([insn(code, 0, 0, 0, 0)], 0);
    expect(p?.message).toBe(`unknown opcode ${code.toString(16).padStart(2, "0")}`);
    expect(p?.detail).toContain(why);
  });
});

/** [description, program, expected kernel message, expected text in the detail] */
const REJECTED: Array<[string, Insn[], string, string]> = [
  ["dst r11", [insn(0xb7, 11, 0, 0, 1)], "R11 is invalid", "dst_reg = 11"],
  ["src r15", [insn(0x0f, 1, 15, 0, 0)], "R15 is invalid", "src_reg = 15"],
  ["ldx src r12", [insn(0x79, 0, 12, 0, 0)], "R12 is invalid", "src_reg = 12"],
  ["add K off 1", [insn(0x07, 0, 0, 1, 1)], "BPF_ALU uses reserved fields", "off = 1, must be 0"],
  ["div X off 2", [insn(0x3f, 0, 1, 2, 0)], "BPF_ALU uses reserved fields", "off = 2, must be one of 0 or 1"],
  ["movsx32 off 32", [insn(0xbc, 0, 1, 32, 0)], "BPF_MOV uses reserved fields", "must be one of 0, 8 or 16"],
  ["movsx off 8 on K", [insn(0xb7, 0, 0, 8, 0)], "BPF_MOV uses reserved fields", "off = 8, must be 0"],
  ["end imm 8", [insn(0xd4, 0, 0, 0, 8)], "BPF_END uses reserved fields", "imm = 8, must be one of 16, 32 or 64"],
  ["bswap src 1", [insn(0xd7, 0, 1, 0, 16)], "BPF_END uses reserved fields", "src_reg = 1"],
  ["neg X-free src", [insn(0x87, 0, 2, 0, 0)], "BPF_NEG uses reserved fields", "src_reg = 2"],
  ["ld_imm64 at the end", [insn(LD_IMM64, 1, 0, 0, 5)], "invalid bpf_ld_imm64 insn", "program ends after the first"],
  ["ld_imm64 second code", [insn(LD_IMM64, 1, 0, 0, 5), insn(0x07, 0, 0, 0, 0)], "invalid bpf_ld_imm64 insn", "second slot: code = 7"],
  ["ld_imm64 second dst", [insn(LD_IMM64, 1, 0, 0, 5), insn(0, 1, 0, 0, 0)], "invalid bpf_ld_imm64 insn", "second slot: dst_reg = 1"],
  ["ld_imm64 second off", [insn(LD_IMM64, 1, 0, 0, 5), insn(0, 0, 0, 3, 0)], "invalid bpf_ld_imm64 insn", "second slot: off = 3"],
  ["ld_imm64 map fd hi imm", [insn(LD_IMM64, 1, 1, 0, 5), insn(0, 0, 0, 0, 1)], "unrecognized bpf_ld_imm64 insn", "map fd"],
  ["ld_imm64 func hi imm", [insn(LD_IMM64, 1, 4, 0, 5), insn(0, 0, 0, 0, 1)], "invalid bpf_ld_imm64 insn", "function"],
  ["ld_imm64 src 7", [insn(LD_IMM64, 1, 7, 0, 5), insn(0, 0, 0, 0, 0)], "BPF_LD_IMM64 uses reserved fields", "src_reg = 7"],
  ["ld_imm64 off", [insn(LD_IMM64, 1, 0, 1, 5), insn(0, 0, 0, 0, 0)], "BPF_LD_IMM64 uses reserved fields", "off = 1"],
  ["ld_abs dst", [insn(0x30, 1, 0, 0, 5)], "BPF_LD_[ABS|IND] uses reserved fields", "dst_reg = 1"],
  ["ld_abs src", [insn(0x30, 0, 1, 0, 5)], "BPF_LD_[ABS|IND] uses reserved fields", "src_reg = 1"],
  ["ld_ind off", [insn(0x50, 0, 1, 4, 5)], "BPF_LD_[ABS|IND] uses reserved fields", "off = 4"],
  ["st src", [insn(0x62, 1, 2, 0, 0)], "BPF_ST uses reserved fields", "src_reg = 2"],
  ["stx imm", [insn(0x63, 1, 2, 0, 9)], "BPF_STX uses reserved fields", "imm = 9"],
  ["ldxsb imm", [insn(0x91, 1, 2, 0, 9)], "BPF_LDX uses reserved fields", "imm = 9"],
  ["atomic op 0x02", [atomic(0x18, 0x02, 1, 2, 0)], "BPF_ATOMIC uses invalid atomic opcode 02", "imm = 0x2"],
  ["atomic xchg without fetch", [atomic(0x18, 0xe0, 1, 2, 0)], "BPF_ATOMIC uses invalid atomic opcode e0", "imm = 0xe0"],
  ["8-bit atomic add", [atomic(0x10, 0x00, 1, 2, 0)], "invalid atomic operand size", "load-acquire and store-release"],
  ["16-bit cmpxchg", [atomic(0x08, 0xf1, 1, 2, 0)], "invalid atomic operand size", "imm = 0xf1"],
  ["goto imm", [insn(0x05, 0, 0, 1, 1)], "BPF_JA uses reserved fields", "imm = 1"],
  ["gotol off", [insn(0x06, 0, 0, 1, 1)], "BPF_JA uses reserved fields", "off = 1"],
  ["gotol dst", [insn(0x06, 2, 0, 0, 1)], "BPF_JA uses reserved fields", "dst_reg = 2"],
  ["jeq32 X imm", [insn(0x1e, 1, 2, 0, 7)], "BPF_JMP/JMP32 uses reserved fields", "imm = 7"],
  ["jset32 K src", [insn(0x46, 1, 2, 0, 7)], "BPF_JMP/JMP32 uses reserved fields", "src_reg = 2"],
  ["call src 3", [insn(0x85, 0, 3, 0, 1)], "BPF_CALL uses reserved fields", "src_reg = 3"],
  ["helper call off", [insn(0x85, 0, 0, 1, 1)], "BPF_CALL uses reserved fields", "off = 1"],
  ["pseudo call off", [insn(0x85, 0, 1, 1, 1)], "BPF_CALL uses reserved fields", "off = 1"],
  ["callx imm", [insn(0x8d, 1, 0, 0, 1)], "BPF_CALL uses reserved fields", "imm = 1"],
  ["callx src", [insn(0x8d, 1, 1, 0, 0)], "BPF_CALL uses reserved fields", "src_reg = 1"],
  ["callx r11", [insn(0x8d, 11, 0, 0, 0)], "R11 is invalid", "dst_reg = 11"],
  ["exit src", [insn(0x95, 0, 1, 0, 0)], "BPF_EXIT uses reserved fields", "src_reg = 1"],
];

describe("validate: reserved fields and registers", () => {
  it.each(REJECTED)("rejects %s", (_name, insns, message, detail) => {
    const p = checkInsn(insns, 0);
    expect(p?.message).toBe(message);
    expect(p?.detail).toContain(detail);
    expect(validateInsn(insns, 0)).toBe(`${message} (${p!.detail})`);
  });

  it.each([
    ["sdiv (off 1)", [insn(0x3f, 0, 1, 1, 0)]],
    ["smod32 K (off 1)", [insn(0x94, 0, 0, 1, -1)]],
    ["movsx (s32)", [insn(0xbf, 0, 1, 32, 0)]],
    ["movsx32 (s16)", [insn(0xbc, 0, 1, 16, 0)]],
    ["kfunc call with a module index in off", [insn(0x85, 0, 2, 3, 1)]],
    ["kfunc call", [callKfunc(1)]],
    ["helper call", [callHelper(1)]],
    ["callx r10", [insn(0x8d, 10, 0, 0, 0)]],
    ["load-acquire 8-bit", [atomic(0x10, 0x100, 0, 1, -1)]],
    ["store-release 64-bit", [atomic(0x18, 0x110, 1, 2, 8)]],
    ["cmpxchg32", [atomic(0x00, 0xf1, 1, 2, -4)]],
    ["map value load", [insn(LD_IMM64, 1, 2, 0, 3), insn(0, 0, 0, 0, 16)]],
    ["ld_ind", [insn(0x48, 0, 3, 0, 14)]],
    ["gotol -1", [gotol(-1)]],
    ["goto +32767", [ja(32767)]],
  ])("accepts %s", (_name, insns) => {
    expect(validateInsn(insns, 0)).toBeUndefined();
  });

  it("checks an LD_IMM64 with its second slot and then skips it", () => {
    expect(validateProgram(prog(ldImm64(1, 0x1234_5678_9abc_def0n), exit()))).toEqual([]);
    const problems = validateProgram(prog(mov64Imm(11, 0), ldImm64(1, 0n, 9), exit(), insn(0x0d, 0, 0, 0, 0)));
    expect(problems.map((p) => [p.index, p.message])).toEqual([
      [0, "R11 is invalid"],
      [1, "BPF_LD_IMM64 uses reserved fields"],
      [4, "unknown opcode 0d"],
    ]);
  });

  it("reports a slot outside the program", () => {
    expect(checkInsn([exit()], 3)?.detail).toContain("slot 3 is outside the program");
  });
});

const td = sharedTestdata();
describe.skipIf(!td)("validate: the conformance suite's negative/unused-*.data", () => {
  const dir = join(td ?? "", "bpf-conformance", "negative");
  const files = td ? readdirSync(dir).filter((f) => f.startsWith("unused-")) : [];
  const FIELD: Record<string, string> = { offset: "off = ", src: "src_reg = ", imm: "imm = ", dst: "dst_reg = " };

  it("has the 45 files the suite documents", () => expect(files).toHaveLength(45));

  it.each(files)("rejects %s, naming the field", (f) => {
    const t = parseConformance(readFileSync(join(dir, f), "utf8"), f);
    const problems = validateProgram(t.insns);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.index).toBe(0);
    const field = f.replace(/\.data$/, "").split("-").pop()!;
    expect(problems[0]!.detail).toContain(FIELD[field]);
    expect(problems[0]!.message).toMatch(/uses reserved fields$/);
  });
});
