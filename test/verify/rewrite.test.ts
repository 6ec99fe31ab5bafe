/**
 * @fileoverview The verifier's rewrites, compared slot by slot with the patches of reference
 * linux-rv64-bpf-jit.md §4.3 (kernel do_misc_fixups), written out here with raw instruction fields; the re-aiming
 * of jumps and calls around a patch (bpf_adj_branches); map loads turned into addresses.
 */
import { describe, expect, it } from "vitest";
import { AX, exit, ja, jmpImm, mov64Imm, mov64Reg } from "../../compiler/bpf/build.js";
import { type Insn, insn, ldImm64Value } from "../../compiler/bpf/insn.js";
import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_DIV, BPF_JEQ, BPF_JGT, BPF_JMP, BPF_JMP32, BPF_JNE, BPF_K, BPF_MOD, BPF_MOV, BPF_NEG,
  BPF_X, BPF_XOR,
} from "../../compiler/bpf/opcodes.js";
import { accept, reason } from "./support.js";

const D = 3; // dst
const S = 4; // src
/** r3 = 7 (and r4 = 2 for register forms), the operation, exit: the operation is slot 2. */
const prog = (op: Insn): Insn[] => [mov64Imm(D, 7), mov64Imm(S, 2), op, mov64Reg(0, D), exit()];
const xlatedOp = (op: Insn): Insn[] => {
  const v = accept(prog(op));
  return v.insns.slice(2, v.insns.length - 2);
};

describe("division and modulo by a register (reference §4.3)", () => {
  it("64-bit div: if src != 0 goto +2; w_dst ^= w_dst; goto +1; div", () => {
    const op = insn(BPF_ALU64 | BPF_DIV | BPF_X, D, S, 0, 0);
    expect(xlatedOp(op)).toEqual([insn(BPF_JMP | BPF_JNE | BPF_K, S, 0, 2, 0), insn(BPF_ALU | BPF_XOR | BPF_X, D, D, 0, 0), ja(1), op]);
  });
  it("32-bit div: the test is JMP32", () => {
    const op = insn(BPF_ALU | BPF_DIV | BPF_X, D, S, 0, 0);
    expect(xlatedOp(op)).toEqual([insn(BPF_JMP32 | BPF_JNE | BPF_K, S, 0, 2, 0), insn(BPF_ALU | BPF_XOR | BPF_X, D, D, 0, 0), ja(1), op]);
  });
  it("64-bit mod: if src == 0 goto +1; mod", () => {
    const op = insn(BPF_ALU64 | BPF_MOD | BPF_X, D, S, 0, 0);
    expect(xlatedOp(op)).toEqual([insn(BPF_JMP | BPF_JEQ | BPF_K, S, 0, 1, 0), op]);
  });
  it("32-bit mod: if w_src == 0 goto +2; mod; goto +1; w_dst = w_dst (zero-extends the kept dividend)", () => {
    const op = insn(BPF_ALU | BPF_MOD | BPF_X, D, S, 0, 0);
    expect(xlatedOp(op)).toEqual([insn(BPF_JMP32 | BPF_JEQ | BPF_K, S, 0, 2, 0), op, ja(1), insn(BPF_ALU | BPF_MOV | BPF_X, D, D, 0, 0)]);
  });
  it("64-bit sdiv: AX = src; AX += 1; if AX > 1 goto sdiv; if AX == 0 goto neg; dst = 0; neg: dst = -dst; goto +1; sdiv", () => {
    const op = insn(BPF_ALU64 | BPF_DIV | BPF_X, D, S, 1, 0);
    expect(xlatedOp(op)).toEqual([
      insn(BPF_ALU64 | BPF_MOV | BPF_X, AX, S, 0, 0), insn(BPF_ALU64 | BPF_ADD | BPF_K, AX, 0, 0, 1),
      insn(BPF_JMP | BPF_JGT | BPF_K, AX, 0, 4, 1), insn(BPF_JMP | BPF_JEQ | BPF_K, AX, 0, 1, 0),
      insn(BPF_ALU64 | BPF_MOV | BPF_K, D, 0, 0, 0), insn(BPF_ALU64 | BPF_NEG | BPF_K, D, 0, 0, 0), ja(1), op,
    ]);
  });
  it("32-bit sdiv: the same with ALU and JMP32 (AX = src stays a 64-bit move)", () => {
    const op = insn(BPF_ALU | BPF_DIV | BPF_X, D, S, 1, 0);
    expect(xlatedOp(op)).toEqual([
      insn(BPF_ALU64 | BPF_MOV | BPF_X, AX, S, 0, 0), insn(BPF_ALU | BPF_ADD | BPF_K, AX, 0, 0, 1),
      insn(BPF_JMP32 | BPF_JGT | BPF_K, AX, 0, 4, 1), insn(BPF_JMP32 | BPF_JEQ | BPF_K, AX, 0, 1, 0),
      insn(BPF_ALU | BPF_MOV | BPF_K, D, 0, 0, 0), insn(BPF_ALU | BPF_NEG | BPF_K, D, 0, 0, 0), ja(1), op,
    ]);
  });
  it("64-bit smod: AX = src; AX += 1; if AX > 1 goto smod; if AX == 1 goto out; w_dst = 0; goto +1; smod", () => {
    const op = insn(BPF_ALU64 | BPF_MOD | BPF_X, D, S, 1, 0);
    expect(xlatedOp(op)).toEqual([
      insn(BPF_ALU64 | BPF_MOV | BPF_X, AX, S, 0, 0), insn(BPF_ALU64 | BPF_ADD | BPF_K, AX, 0, 0, 1),
      insn(BPF_JMP | BPF_JGT | BPF_K, AX, 0, 3, 1), insn(BPF_JMP | BPF_JEQ | BPF_K, AX, 0, 3, 1),
      insn(BPF_ALU | BPF_MOV | BPF_K, D, 0, 0, 0), ja(1), op,
    ]);
  });
  it("32-bit smod: ... if AX == 1 goto the zero-extension; ...; smod; goto +1; w_dst = w_dst", () => {
    const op = insn(BPF_ALU | BPF_MOD | BPF_X, D, S, 1, 0);
    expect(xlatedOp(op)).toEqual([
      insn(BPF_ALU64 | BPF_MOV | BPF_X, AX, S, 0, 0), insn(BPF_ALU | BPF_ADD | BPF_K, AX, 0, 0, 1),
      insn(BPF_JMP32 | BPF_JGT | BPF_K, AX, 0, 3, 1), insn(BPF_JMP32 | BPF_JEQ | BPF_K, AX, 0, 4, 1),
      insn(BPF_ALU | BPF_MOV | BPF_K, D, 0, 0, 0), ja(1), op, ja(1), insn(BPF_ALU | BPF_MOV | BPF_X, D, D, 0, 0),
    ]);
  });
});

describe("sdiv and smod by the immediate -1", () => {
  it("sdiv by -1 becomes neg (64 and 32 bits)", () => {
    expect(xlatedOp(insn(BPF_ALU64 | BPF_DIV | BPF_K, D, 0, 1, -1))).toEqual([insn(BPF_ALU64 | BPF_NEG | BPF_K, D, 0, 0, 0)]);
    expect(xlatedOp(insn(BPF_ALU | BPF_DIV | BPF_K, D, 0, 1, -1))).toEqual([insn(BPF_ALU | BPF_NEG | BPF_K, D, 0, 0, 0)]);
  });
  it("smod by -1 becomes w_dst = 0 (64 and 32 bits)", () => {
    expect(xlatedOp(insn(BPF_ALU64 | BPF_MOD | BPF_K, D, 0, 1, -1))).toEqual([insn(BPF_ALU | BPF_MOV | BPF_K, D, 0, 0, 0)]);
    expect(xlatedOp(insn(BPF_ALU | BPF_MOD | BPF_K, D, 0, 1, -1))).toEqual([insn(BPF_ALU | BPF_MOV | BPF_K, D, 0, 0, 0)]);
  });
  it("other immediates stay as they are", () => {
    for (const op of [insn(BPF_ALU64 | BPF_DIV | BPF_K, D, 0, 1, 3), insn(BPF_ALU64 | BPF_DIV | BPF_K, D, 0, 0, -1), insn(BPF_ALU | BPF_MOD | BPF_K, D, 0, 0, 5)]) {
      expect(xlatedOp(op)).toEqual([op]);
    }
  });
});

describe("jumps and calls around a patch (bpf_adj_branches)", () => {
  it("a jump to the patched instruction lands on its patch's first slot; jumps across it grow", () => {
    const src: Insn[] = [
      mov64Imm(0, 10), mov64Imm(1, 2),
      jmpImm(BPF_JEQ, 0, 10, 1), // 2 -> 4, the division
      mov64Imm(0, 99),
      insn(BPF_ALU64 | BPF_DIV | BPF_X, 0, 1, 0, 0), // 4: becomes 4 slots
      jmpImm(BPF_JEQ, 0, 99, -3), // 5 -> 3, back across the patch
      exit(),
    ];
    const v = accept(src);
    expect(v.origin).toEqual([0, 1, 2, 3, -1, -1, -1, 4, 5, 6]);
    expect(v.insns[2]!.off).toBe(1); // still to slot 4, now the guard
    expect(v.insns[8]!.off).toBe(3 - 9);
  });
  it("a call across a patch is re-aimed, and the function table follows", () => {
    const v = accept("r6 = 2\ncall f\nr0 /= r6\nexit\nf:\nr0 = 8\nexit");
    expect(v.insns[1]!.imm).toBe(7 - 2);
    expect(v.subprogs.map((s) => [s.start, s.end])).toEqual([[0, 7], [7, 9]]);
  });
  it("a jump that no longer fits 16 bits: cannot be patched due to 16-bit range", () => {
    const body = new Array<Insn>(32765).fill(mov64Imm(0, 0));
    body[100] = insn(BPF_ALU64 | BPF_DIV | BPF_X, 0, 0, 0, 0);
    const src = [mov64Imm(0, 1), jmpImm(BPF_JNE, 0, 0, 32766), ...body, exit(), exit()];
    expect(reason(src)).toBe("insn 1 cannot be patched due to 16-bit range");
  });
});

describe("map loads become addresses (resolve_pseudo_ldimm64, convert_pseudo_ld_imm64)", () => {
  const maps = [
    { name: "a", type: "array", keySize: 4, valueSize: 16, maxEntries: 1 },
    { name: "b", type: "array", keySize: 4, valueSize: 16, maxEntries: 1 },
  ];
  const mapAddress = (i: number) => 0xffff_8880_4000_0000n + BigInt(i) * 0x10_0000n;
  it("map[b] is the map's address; map_value[b + 8] the address of byte 8 of its value area (offset 264)", () => {
    const v = accept("r1 = map[b] ll\nr2 = map_value[b + 8] ll\nr0 = 0\nexit", { maps, mapAddress });
    expect([v.insns[0]!.src, v.insns[2]!.src]).toEqual([0, 0]);
    expect(ldImm64Value(v.insns, 0)).toBe(0xffff_8880_4010_0000n);
    expect(ldImm64Value(v.insns, 2)).toBe(0xffff_8880_4010_0000n + 264n + 8n);
    expect(v.origin.slice(0, 4)).toEqual([0, 1, 2, 3]);
  });
  it("an offset past the value: invalid access to map value pointer", () => {
    expect(reason("r1 = map_value[a + 16] ll\nr0 = 0\nexit", { maps })).toBe("invalid access to map value pointer, value_size=16 off=16");
  });
});
