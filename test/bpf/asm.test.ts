/**
 * @fileoverview The assembler: each syntax form against instructions built with build.ts (the kernel's macros),
 * labels and functions, maps and kfuncs, and the errors, each at its file:line:col.
 */
import { describe, expect, it } from "vitest";
import { AsmError, assemble, type AsmOptions } from "../../compiler/bpf/asm.js";
import {
  alu32Imm, alu32Reg, alu64Imm, alu64Reg, alu64RegOff, alu32RegOff, atomic, callHelper, callKfunc, callPseudo, endian,
  exit, gotol, ja, jmp32Imm, jmp32Reg, jmpImm, jmpReg, ldImm64, ldxMem, ldxMemSx, mov32Imm, mov32Reg, mov64Imm,
  mov64Reg, neg64, stMem, stxMem,
} from "../../compiler/bpf/build.js";
import { KFUNC_BPF_THROW } from "../../compiler/bpf/helper-names.js";
import { insn, type Insn } from "../../compiler/bpf/insn.js";
import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_B, BPF_CMPXCHG, BPF_DIV, BPF_DW, BPF_FETCH, BPF_H, BPF_JEQ,
  BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_LOAD_ACQ, BPF_LSH,
  BPF_MOD, BPF_MUL, BPF_OR, BPF_RSH, BPF_STORE_REL, BPF_SUB, BPF_TO_BE, BPF_TO_LE, BPF_W, BPF_XCHG, BPF_XOR,
} from "../../compiler/bpf/opcodes.js";

const asm = (text: string, opts?: AsmOptions) => assemble(text, "t.s", opts).insns;

const FORMS: Array<[string, Insn[]]> = [
  ["r0 = 1", [mov64Imm(0, 1)]],
  ["r0 = -2147483648", [mov64Imm(0, -0x80000000)]],
  ["w0 = 0xffffffff", [mov32Imm(0, -1)]],
  ["w0 = 4294967295", [mov32Imm(0, -1)]],
  ["w9 = w10", [mov32Reg(9, 10)]],
  ["r1 = r10", [mov64Reg(1, 10)]],
  ["w0 += w1", [alu32Reg(BPF_ADD, 0, 1)]],
  ["r0 -= 0x10", [alu64Imm(BPF_SUB, 0, 16)]],
  ["r0 *= r1", [alu64Reg(BPF_MUL, 0, 1)]],
  ["w0 /= 3", [alu32Imm(BPF_DIV, 0, 3)]],
  ["r0 |= -1", [alu64Imm(BPF_OR, 0, -1)]],
  ["r0 &= r2", [alu64Reg(BPF_AND, 0, 2)]],
  ["r0 <<= 63", [alu64Imm(BPF_LSH, 0, 63)]],
  ["w0 >>= w3", [alu32Reg(BPF_RSH, 0, 3)]],
  ["r0 %= r1", [alu64Reg(BPF_MOD, 0, 1)]],
  ["w0 ^= 0x80000000", [alu32Imm(BPF_XOR, 0, -0x80000000)]],
  ["r0 s>>= 5", [alu64Imm(BPF_ARSH, 0, 5)]],
  ["r0 s/= r1", [alu64RegOff(BPF_DIV, 0, 1, 1)]],
  ["w0 s%= w1", [alu32RegOff(BPF_MOD, 0, 1, 1)]],
  ["r0 s/= -1", [insn(BPF_ALU64 | BPF_DIV, 0, 0, 1, -1)]],
  ["r0 = -r0", [neg64(0)]],
  ["w3 = -w3", [insn(BPF_ALU | 0x80, 3, 0, 0, 0)]],
  ["r0 = (s8)r1", [insn(0xbf, 0, 1, 8, 0)]],
  ["r0 = (s32)r1", [insn(0xbf, 0, 1, 32, 0)]],
  ["w0 = (s16)w1", [insn(0xbc, 0, 1, 16, 0)]],
  ["r0 = be16 r0", [endian(BPF_ALU, BPF_TO_BE, 0, 16)]],
  ["r2 = le64 r2", [endian(BPF_ALU, BPF_TO_LE, 2, 64)]],
  ["r0 = bswap32 r0", [endian(BPF_ALU64, 0, 0, 32)]],
  ["r1 = 0x123456789 ll", ldImm64(1, 0x123456789n)],
  ["r1 = -1 ll", ldImm64(1, -1n)],
  ["r1 = 18446744073709551615 ll", ldImm64(1, -1n)],
  ["r0 = *(u32 *)(r1 + 8)", [ldxMem(BPF_W, 0, 1, 8)]],
  ["w0 = *(u8 *)(r1 + 0x8)", [ldxMem(BPF_B, 0, 1, 8)]],
  ["r0 = *(u64 *)(r10 - 32768)", [ldxMem(BPF_DW, 0, 10, -32768)]],
  ["r0 = *(u16 *)(r1)", [ldxMem(BPF_H, 0, 1, 0)]],
  ["r0 = *(s16 *)(r1 + 2)", [ldxMemSx(BPF_H, 0, 1, 2)]],
  ["r0 = *(s32 *)(r1 - 4)", [ldxMemSx(BPF_W, 0, 1, -4)]],
  ["*(u64 *)(r10 - 8) = r1", [stxMem(BPF_DW, 10, 1, -8)]],
  ["*(u32 *)(r1 + 0) = w2", [stxMem(BPF_W, 1, 2, 0)]],
  ["*(u8 *)(r1 + 0) = 255", [stMem(BPF_B, 1, 0, 255)]],
  ["*(u64 *)(r10 - 8) = -1", [stMem(BPF_DW, 10, -8, -1)]],
  ["r0 = *(u16 *)skb[12]", [insn(0x28, 0, 0, 0, 12)]],
  ["r0 = *(u8 *)skb[r1 + 14]", [insn(0x50, 0, 1, 0, 14)]],
  ["r0 = *(u32 *)skb[r1 - 2]", [insn(0x40, 0, 1, 0, -2)]],
  ["lock *(u64 *)(r1 + 0) += r2", [atomic(BPF_DW, BPF_ADD, 1, 2, 0)]],
  ["lock *(u32 *)(r1 - 4) |= w2", [atomic(BPF_W, BPF_OR, 1, 2, -4)]],
  ["lock *(u32 *)(r1 + 0) &= r2", [atomic(BPF_W, BPF_AND, 1, 2, 0)]],
  ["lock *(u64 *)(r1 + 8) ^= r2", [atomic(BPF_DW, BPF_XOR, 1, 2, 8)]],
  ["r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)", [atomic(BPF_DW, BPF_ADD | BPF_FETCH, 1, 0, 0)]],
  ["w3 = atomic_fetch_xor((u32 *)(r10 - 4), w3)", [atomic(BPF_W, BPF_XOR | BPF_FETCH, 10, 3, -4)]],
  ["r2 = atomic_fetch_or((u64 *)(r1 + 0), r2)", [atomic(BPF_DW, BPF_OR | BPF_FETCH, 1, 2, 0)]],
  ["r2 = atomic_fetch_and((u64 *)(r1 + 0), r2)", [atomic(BPF_DW, BPF_AND | BPF_FETCH, 1, 2, 0)]],
  ["r2 = xchg_64(r1 + 0, r2)", [atomic(BPF_DW, BPF_XCHG, 1, 2, 0)]],
  ["w2 = xchg32_32(r1 - 8, w2)", [atomic(BPF_W, BPF_XCHG, 1, 2, -8)]],
  ["r0 = cmpxchg_64(r1 + 0, r0, r2)", [atomic(BPF_DW, BPF_CMPXCHG, 1, 2, 0)]],
  ["w0 = cmpxchg32_32(r1 + 4, w0, w5)", [atomic(BPF_W, BPF_CMPXCHG, 1, 5, 4)]],
  ["r0 = load_acquire((u64 *)(r1 + 0))", [atomic(BPF_DW, BPF_LOAD_ACQ, 0, 1, 0)]],
  ["w0 = load_acquire((u8 *)(r10 - 1))", [atomic(BPF_B, BPF_LOAD_ACQ, 0, 10, -1)]],
  ["store_release((u64 *)(r1 + 0), r2)", [atomic(BPF_DW, BPF_STORE_REL, 1, 2, 0)]],
  ["store_release((u16 *)(r1 + 2), w2)", [atomic(BPF_H, BPF_STORE_REL, 1, 2, 2)]],
  ["if r1 == r2 goto +1", [jmpReg(BPF_JEQ, 1, 2, 1)]],
  ["if r1 != 0 goto -1", [jmpImm(BPF_JNE, 1, 0, -1)]],
  ["if r1 > 5 goto +0", [jmpImm(BPF_JGT, 1, 5, 0)]],
  ["if r1 >= r2 goto +0x10", [jmpReg(BPF_JGE, 1, 2, 16)]],
  ["if r1 < -1 goto +2", [jmpImm(BPF_JLT, 1, -1, 2)]],
  ["if r1 <= r2 goto +2", [jmpReg(BPF_JLE, 1, 2, 2)]],
  ["if r1 s> 5 goto +3", [jmpImm(BPF_JSGT, 1, 5, 3)]],
  ["if r1 s>= r2 goto +3", [jmpReg(BPF_JSGE, 1, 2, 3)]],
  ["if r1 s< 0 goto +3", [jmpImm(BPF_JSLT, 1, 0, 3)]],
  ["if r1 s<= r2 goto +3", [jmpReg(BPF_JSLE, 1, 2, 3)]],
  ["if r1 & 0x8 goto +3", [jmpImm(BPF_JSET, 1, 8, 3)]],
  ["if w1 == 0xffffffff goto +1", [jmp32Imm(BPF_JEQ, 1, -1, 1)]],
  ["if w1 s< w2 goto -32768", [jmp32Reg(BPF_JSLT, 1, 2, -32768)]],
  ["goto +32767", [ja(32767)]],
  ["gotol -2147483648", [gotol(-0x80000000)]],
  ["call 5", [callHelper(5)]],
  ["call 0x7fffffff", [callHelper(0x7fffffff)]],
  ["call bpf_map_lookup_elem", [callHelper(1)]],
  ["call bpf_tail_call", [callHelper(12)]],
  ["call bpf_cgrp_storage_delete", [callHelper(211)]],
  ["call bpf_throw", [callKfunc(KFUNC_BPF_THROW)]],
  ["call kfunc[42]", [callKfunc(42)]],
  ["call pc+3", [callPseudo(3)]],
  ["call pc-1", [callPseudo(-1)]],
  ["callx r1", [insn(0x8d, 1, 0, 0, 0)]],
  ["exit", [exit()]],
  [".8byte 0x0000000100010007", [insn(0x07, 0, 0, 1, 1)]],
];

describe("assembler: one form each", () => {
  it.each(FORMS)("%s", (text, want) => expect(asm(text)).toEqual(want));

  it("takes comments ;, // and #, blank lines and a label before an instruction on one line", () => {
    const p = assemble("; comment\n\n  r0 = 1 // one\nL: r0 += 2 # two\n\tgoto L ; back\n", "c.s");
    expect(p.insns).toEqual([mov64Imm(0, 1), alu64Imm(BPF_ADD, 0, 2), ja(-2)]);
    expect(p.lines.map((l) => [l.line, l.col])).toEqual([[3, 3], [4, 4], [5, 2]]);
    expect(p.labels).toEqual(new Map([["L", 1]]));
  });

  it("gives both slots of an LD_IMM64 the same position", () => {
    const p = assemble("r1 = 1 ll\nexit", "c.s");
    expect(p.lines.map((l) => l.line)).toEqual([1, 1, 2]);
  });
});

describe("assembler: the kernel verifier log's spellings", () => {
  it.each([
    ["r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)", [atomic(BPF_DW, BPF_ADD | BPF_FETCH, 10, 1, -8)]],
    ["r1 = atomic_fetch_xor((u32 *)(r10 -4), r1)", [atomic(BPF_W, BPF_XOR | BPF_FETCH, 10, 1, -4)]],
    ["r2 = atomic64_xchg((u64 *)(r1 +0), r2)", [atomic(BPF_DW, BPF_XCHG, 1, 2, 0)]],
    ["r2 = atomic_xchg((u32 *)(r1 +4), r2)", [atomic(BPF_W, BPF_XCHG, 1, 2, 4)]],
    ["r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r3)", [atomic(BPF_DW, BPF_CMPXCHG, 1, 3, 0)]],
    ["r0 = atomic_cmpxchg((u32 *)(r1 -8), r0, r3)", [atomic(BPF_W, BPF_CMPXCHG, 1, 3, -8)]],
    ["lock *(u32 *)(r1 +0) += r2", [atomic(BPF_W, BPF_ADD, 1, 2, 0)]],
    ["r0 = *(u32 *)(r1 +8)", [ldxMem(BPF_W, 0, 1, 8)]],
    ["if w1 > 0x5 goto pc+3", [jmp32Imm(BPF_JGT, 1, 5, 3)]],
    ["goto pc-1", [ja(-1)]],
    ["gotol pc+70000", [gotol(70000)]],
    ["call bpf_map_lookup_elem#1", [callHelper(1)]],
    ["call pc+2", [callPseudo(2)]],
  ])("%s", (text, want) => expect(asm(text)).toEqual(want));

  it("refuses a 64-bit kernel name on a 32-bit access", () => {
    expect(() => asm("r1 = atomic64_fetch_add((u32 *)(r10 -8), r1)")).toThrow("t.s:1:26: 'atomic64_fetch_add' is the 64-bit form: expected (u64 *)");
  });
});

describe("assembler: labels and jumps", () => {
  it("resolves forward and backward labels in goto, gotol and if", () => {
    const text = "top:\n  if r1 > r2 goto out\n  goto top\n  gotol out\nout:\n  exit";
    expect(asm(text)).toEqual([jmpReg(BPF_JGT, 1, 2, 2), ja(-2), gotol(0), exit()]);
  });

  it("resolves numeric local labels: 1f is the next '1:', 1b the previous one", () => {
    const text = "1: r0 = 1\n goto 1f\n goto 1b\n1: r0 = 2\n goto 1b\n goto 1f\n1: exit";
    expect(asm(text)).toEqual([mov64Imm(0, 1), ja(1), ja(-3), mov64Imm(0, 2), ja(-2), ja(0), exit()]);
  });

  it("allows a label after the last instruction", () => {
    expect(asm("goto end\nexit\nend:")).toEqual([ja(1), exit()]);
  });

  it("refuses a label jump that does not fit 16 bits, and says to use gotol", () => {
    const far = `goto far\n${"r0 = 0\n".repeat(32768)}far: exit`;
    expect(() => assemble(far, "f.s")).toThrow("f.s:1:6: 'far' is 32768 slots away: does not fit the 16-bit offset (use gotol)");
    expect(assemble(far.replace("goto", "gotol"), "f.s").insns[0]).toEqual(gotol(32768));
  });
});

describe("assembler: functions", () => {
  const prog = `
.exception_callback handler
main:
    r1 = func[cb] ll
    call helper_fn
    call 1f
    exit
.func helper_fn static args=2 ret=scalar
helper_fn:
    r0 = r1
    exit
1:
    exit
cb:
    exit
.func handler global args=1 ret=scalar
handler:
    r0 = r1
    exit
`;

  it("finds functions from calls, func[] and .func, named by their labels", () => {
    const p = assemble(prog, "f.s");
    expect(p.funcs).toEqual([
      { name: "main", start: 0, linkage: "global" },
      { name: "helper_fn", start: 5, linkage: "static", args: 2, ret: "scalar" },
      { name: "func7", start: 7, linkage: "static" },
      { name: "cb", start: 8, linkage: "static" },
      { name: "handler", start: 9, linkage: "global", args: 1, ret: "scalar" },
    ]);
    expect(p.exceptionCallback).toBe("handler");
    expect(p.insns.slice(0, 4)).toEqual([...ldImm64(1, 7n, 4), callPseudo(2), callPseudo(3)]);
  });

  it("names the main function 'main' when slot 0 has no label, and lets .func give it attributes", () => {
    expect(assemble("r0 = 0\nexit").funcs).toEqual([{ name: "main", start: 0, linkage: "global" }]);
    expect(assemble(".func prog ret=scalar\nprog:\nexit").funcs).toEqual([{ name: "prog", start: 0, linkage: "global", ret: "scalar" }]);
  });

  it("makes the exception callback's label a function even without .func (static, as BTF would say)", () => {
    const p = assemble(".exception_callback cb\nexit\ncb:\nr0 = r1\nexit");
    expect(p.funcs).toEqual([{ name: "main", start: 0, linkage: "global" }, { name: "cb", start: 1, linkage: "static" }]);
    expect(assemble(".exception_callback nowhere\nexit").funcs).toHaveLength(1);
  });

  it("records the kfuncs a program calls", () => {
    expect(assemble("call bpf_throw\ncall bpf_rcu_read_lock\nexit").kfuncs).toEqual(new Map([[1, "bpf_throw"], [2, "bpf_rcu_read_lock"]]));
    const extra = new Map([["bpf_my_kfunc", 100]]);
    expect(assemble("call bpf_my_kfunc", "k.s", { kfuncs: extra }).insns).toEqual([callKfunc(100)]);
    expect(assemble("call kfunc[100]\ncall kfunc[1]\ncall kfunc[55]", "k.s", { kfuncs: extra }).kfuncs).toEqual(new Map([[100, "bpf_my_kfunc"], [1, "bpf_throw"]]));
  });
});

describe("assembler: maps", () => {
  const maps = ["counters", "events"];
  it.each([
    ["r1 = map[events] ll", [insn(0x18, 1, 1, 0, 1), insn(0, 0, 0, 0, 0)]],
    ["r1 = map[counters]", [insn(0x18, 1, 1, 0, 0), insn(0, 0, 0, 0, 0)]],
    ["r2 = map_value[events + 16] ll", [insn(0x18, 2, 2, 0, 1), insn(0, 0, 0, 0, 16)]],
    ["r2 = map_value[events] ll", [insn(0x18, 2, 2, 0, 1), insn(0, 0, 0, 0, 0)]],
    ["r2 = map_value[3 + 0xffffffff] ll", [insn(0x18, 2, 2, 0, 3), insn(0, 0, 0, 0, -1)]],
    ["r1 = map[7] ll", [insn(0x18, 1, 1, 0, 7), insn(0, 0, 0, 0, 0)]],
    ["r1 = btf_id[77] ll", [insn(0x18, 1, 3, 0, 77), insn(0, 0, 0, 0, 0)]],
    ["r1 = map_idx[2] ll", [insn(0x18, 1, 5, 0, 2), insn(0, 0, 0, 0, 0)]],
    ["r1 = map_idx_value[2 + 8] ll", [insn(0x18, 1, 6, 0, 2), insn(0, 0, 0, 0, 8)]],
    ["r1 = func[pc-3] ll", [insn(0x18, 1, 4, 0, -3), insn(0, 0, 0, 0, 0)]],
  ])("%s", (text, want) => expect(asm(text, { maps })).toEqual(want));

  it("refuses an unknown map name and lists the declared ones", () => {
    expect(() => assemble("r1 = map[nope] ll", "m.s", { maps })).toThrow("m.s:1:10: unknown map 'nope' (declared maps: counters, events)");
    expect(() => assemble("r1 = map[nope] ll", "m.s")).toThrow("m.s:1:10: unknown map 'nope' (no maps are declared)");
  });
});

describe("assembler: the verifier's output (xlated)", () => {
  it("reads r11 and tail_call only when asked", () => {
    expect(asm("r11 = r1\ntail_call", { xlated: true })).toEqual([mov64Reg(11, 1), insn(0xf5, 0, 0, 0, 0)]);
    expect(() => asm("r11 = r1")).toThrow("t.s:1:1: r11 is not an eBPF register (r0..r10)");
    expect(() => asm("tail_call")).toThrow("'tail_call' exists only in the verifier's output: write 'call bpf_tail_call'");
  });
});

/** [source, file:line:col: message] */
const ERRORS: Array<[string, string]> = [
  ["r0 = 1\nfoo r1", "2:1: expected an instruction, a label or a directive, found 'foo'"],
  ["r0 = 0x80000000", "1:6: 2147483648 does not fit: this immediate is sign-extended to 64 bits (write -2147483648 for that value, or use an LD_IMM64: 'rN = 2147483648 ll')"],
  ["if r1 == 0xffffffff goto +1", "1:10: 4294967295 does not fit: this immediate is sign-extended to 64 bits"],
  ["w0 = 0x100000000", "1:6: 4294967296 does not fit a 32-bit immediate"],
  ["r1 = 0x10000000000000000 ll", "1:6: 18446744073709551616 does not fit 64 bits"],
  ["w1 = 1 ll", "1:1: an LD_IMM64 loads a 64-bit register: expected r1"],
  ["w0 += r1", "1:7: expected w1 here (operand of w0), found r1"],
  ["r0 = w1", "1:6: expected r1 here (moved into r0), found w1"],
  ["if r1 > w2 goto +1", "1:9: expected r2 here (compared with r1), found w2"],
  ["r12 = 1", "1:1: r12 is not an eBPF register (r0..r10)"],
  ["r0 = -r1", "1:7: negation works in place: expected r0 = -r0"],
  ["r0 = be16 r1", "1:11: byte swaps work in place: expected r0 = be16 r0"],
  ["w0 = be16 w0", "1:1: expected r0 here (be16 works on the 64-bit register), found w0"],
  ["w0 = (s32)w1", "1:7: expected s8 or s16 (sign extension), found 's32'"],
  ["r0 = *(u64 *)(r1 + 32768)", "1:20: offset 32768 does not fit 16 bits (-32768..32767)"],
  ["r0 = *(u64 *)(r1 * 8)", "1:18: expected '+ offset' or '- offset' after r1, found '*'"],
  ["r0 = *(u128 *)(r1 + 0)", "1:8: expected an access type (u8, u16, u32, u64, s8, s16, s32), found 'u128'"],
  ["r0 = *(s64 *)(r1 + 0)", "1:8: expected an access type (u8, u16, u32, u64, s8, s16, s32), found 's64'"],
  ["w0 = *(u64 *)(r1 + 0)", "1:1: a u64 load fills the 64-bit register: expected r0"],
  ["*(s32 *)(r1 + 0) = r2", "1:3: stores take an unsigned type (u32): sign matters only when loading"],
  ["*(u64 *)(r1 + 0) = w2", "1:20: expected r2 here (a 64-bit store), found w2"],
  ["*(u64 *)(w1 + 0) = r2", "1:10: expected r1 here (addresses are 64-bit), found w1"],
  ["lock *(u16 *)(r1 + 0) += r2", "1:8: atomic operations take u32 or u64, found 'u16'"],
  ["lock *(u64 *)(r1 + 0) -= r2", "1:23: expected an atomic operation (+=, |=, &=, ^=), found '-='"],
  ["r0 = atomic_fetch_add((u64 *)(r1 + 0), r2)", "1:40: the old value comes back in the value register: expected r0 = atomic_fetch_add(..., r0)"],
  ["r3 = cmpxchg_64(r1 + 0, r0, r2)", "1:1: cmpxchg compares with and returns in r0: expected r0 = cmpxchg_64(..., r0, rS)"],
  ["r0 = xchg_64((u64 *)(r1 + 0), r0)", "1:14: expected a base register (r0..r10 or w0..w10), found '('"],
  ["r0 = *(u8 *)skb[r1 + 2]\nr1 = *(u8 *)skb[2]", "2:1: legacy packet loads always write r0"],
  ["if r1 ~ r2 goto +1", "1:7: unexpected character '~'"],
  ["if r1 = r2 goto +1", "1:7: expected a condition (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &), found '='"],
  ["if r1 == r2 +1", "1:13: expected 'goto' after the condition, found '+'"],
  ["goto +32768", "1:6: offset 32768 does not fit 16 bits: use gotol for longer jumps"],
  ["goto nowhere", "1:6: unknown label 'nowhere'"],
  ["goto 1f\nexit", "1:6: no label '1' after this line for '1f'"],
  ["call nowhere", "1:6: unknown call target 'nowhere': not a label, a helper (bpf_...) or a kfunc"],
  ["call r1", "1:6: a call through a register is 'callx r1'"],
  ["callx w1", "1:7: expected r1 here (a code address is 64-bit), found w1"],
  ["r0 = 5x", "1:6: '5x' is not a number (decimal or 0x hex)"],
  ["exit r0", "1:6: expected end of statement, found 'r0'"],
  ["r0 =", "1:5: expected a value after '=': a register, a number, *(type *)(rN + off), (s8)rN, be16 rN, map[name], ...; found end of line"],
  ["L:\nL:", "2:1: label 'L' is already defined (at slot 0)"],
  ["bpf_throw:", "1:1: label 'bpf_throw' has the name of a kfunc: choose another"],
  ["bpf_map_lookup_elem: exit", "1:1: label 'bpf_map_lookup_elem' has the name of a helper: choose another"],
  ["r1: exit", "1:1: 'r1' cannot be a label name"],
  [".section text", "1:1: unknown directive '.section' (expected .func, .exception_callback or .8byte)"],
  [".func f\nexit", "1:7: '.func f' names no label: define 'f:' at the function's first instruction"],
  [".func f\n.func f\nf: exit", "2:7: '.func f' is declared twice"],
  [".func f\n.func g\nf:\ng: exit", "2:7: functions 'f' and 'g' start at the same slot 0"],
  [".func f args=6\nf: exit", "1:14: expected the number of arguments (0..5), found '6'"],
  [".func f ret=int\nf: exit", "1:13: expected ret=scalar, ret=void or ret=ptr, found 'int'"],
  [".func f inline\nf: exit", "1:9: expected global, static, args=N or ret=scalar|void|ptr, found 'inline'"],
  [".exception_callback a\n.exception_callback b", "2:1: multiple exception callback tags for main subprog"],
  ["r1 = func[5] ll", "1:11: expected a function name or pc+N, found '5'"],
  ["r1 = map_value[1 - 4] ll", "1:20: map value offset -4 does not fit an unsigned 32-bit offset"],
];

describe("assembler: errors say where and what was expected", () => {
  it.each(ERRORS)("%j", (text, msg) => {
    let err: unknown;
    try {
      assemble(text, "e.s");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AsmError);
    const want = `e.s:${msg}`;
    expect((err as AsmError).message.slice(0, want.length)).toBe(want);
  });

  it("puts a caret under the column in the excerpt, keeping tabs", () => {
    try {
      assemble("\tr0 = 1\n\tr0 += w1", "x.s");
    } catch (e) {
      expect((e as AsmError).excerpt).toBe("\tr0 += w1\n\t      ^");
      expect((e as AsmError).pos).toEqual({ file: "x.s", line: 2, col: 8 });
      return;
    }
    throw new Error("no error");
  });
});
