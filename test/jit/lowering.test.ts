/**
 * @fileoverview Lowering rules beyond what the conformance programs exercise, one named expectation per rule. Each
 * expected sequence was worked out by hand from Linux 6.12's emission rules (reference §2.5-§4, bpf_jit.h's
 * compression conditions), written in objdump's no-aliases spelling so that every RVC choice is part of it.
 */
import { describe, expect, it } from "vitest";
import * as b from "../../compiler/bpf/build.js";
import { insn } from "../../compiler/bpf/insn.js";
import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_B, BPF_DIV, BPF_DW, BPF_JEQ, BPF_JGT, BPF_JSET, BPF_JSGT, BPF_LSH,
  BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_W,
} from "../../compiler/bpf/opcodes.js";
import { compile, slots } from "./helpers.js";

const { R0, R1, R2, R6, R7 } = b;

/** The code of the first instruction of `x; exit`. */
const one = (x: ReturnType<typeof b.exit> | ReturnType<typeof b.ldImm64>, isa = "rv64imac"): string[] =>
  compile([...(Array.isArray(x) ? x : [x]), b.exit()], { isa }).slots[0]!;

describe("constants (emit_imm)", () => {
  const cases: [string, bigint | number, string[]][] = [
    ["0 fits c.li", 0, ["c.li a5,0"]],
    ["-32 fits c.li", -32, ["c.li a5,-32"]],
    ["32 needs addi", 32, ["addi a5,zero,32"]],
    ["0x800: upper 1 (c.lui), lower -2048 (addiw)", 0x800, ["c.lui a5,0x1", "addiw a5,a5,-2048"]],
    ["0x12345: c.lui 0x12, addiw 837", 0x12345, ["c.lui a5,0x12", "addiw a5,a5,837"]],
    ["0x1000: addiw 0 is still emitted (c.addiw)", 0x1000, ["c.lui a5,0x1", "c.addiw a5,0"]],
    ["0x7ffff800: lui 0x80000 + addiw wraps to the right value", 0x7ffff800, ["lui a5,0x80000", "addiw a5,a5,-2048"]],
  ];
  for (const [name, v, want] of cases) it(`r0 = ${name}`, () => expect(one(b.mov64Imm(R0, Number(v)))).toEqual(want));

  const wide: [string, bigint, string[]][] = [
    ["1 << 32: load 1, shift by 32", 1n << 32n, ["c.li a5,1", "c.slli a5,0x20"]],
    ["0xffffffff00000000: load -1, shift by 32", 0xffff_ffff_0000_0000n, ["c.li a5,-1", "c.slli a5,0x20"]],
    ["1 << 63: load -1, shift by 63", 1n << 63n, ["c.li a5,-1", "c.slli a5,0x3f"]],
    ["0x100000fff: recursion on 0x100001, shift 12, add -1", 0x1_0000_0fffn, ["lui a5,0x100", "c.addiw a5,1", "c.slli a5,0xc", "c.addi a5,-1"]],
    // val + 2^11 wraps past 2^63 (the kernel builds with -fno-strict-overflow): upper is negative, so -1, not 1
    ["0x7ffffffffffff800: the rounding wraps, load -1, shift by 63", 0x7fff_ffff_ffff_f800n, ["c.li a5,-1", "c.slli a5,0x3f", "addi a5,a5,-2048"]],
  ];
  for (const [name, v, want] of wide) it(`ld_imm64 ${name}`, () => expect(one(b.ldImm64(R0, v))).toEqual(want));

  it("without C every step is 4 bytes", () => {
    expect(one(b.ldImm64(R0, 1n << 32n), "rv64ima")).toEqual(["addi a5,zero,1", "slli a5,a5,0x20"]);
  });
});

describe("ALU", () => {
  const alu: [string, ReturnType<typeof b.exit>, string[]][] = [
    ["r1 += 1: c.addi", b.alu64Imm(BPF_ADD, R1, 1), ["c.addi a0,1"]],
    ["r1 += 2047: addi", b.alu64Imm(BPF_ADD, R1, 2047), ["addi a0,a0,2047"]],
    ["r1 += 2048: through t1", b.alu64Imm(BPF_ADD, R1, 2048), ["c.lui t1,0x1", "addiw t1,t1,-2048", "c.add a0,t1"]],
    ["r1 -= -2048: -imm does not fit, t1 and a full sub", b.alu64Imm(BPF_SUB, R1, -2048), ["addi t1,zero,-2048", "sub a0,a0,t1"]],
    ["r6 &= 7: s1 is an RVC register", b.alu64Imm(BPF_AND, R6, 7), ["c.andi s1,7"]],
    ["r7 &= 7: s2 is not", b.alu64Imm(BPF_AND, R7, 7), ["andi s2,s2,7"]],
    ["r1 |= 1: ori is never compressed", b.alu64Imm(BPF_OR, R1, 1), ["ori a0,a0,1"]],
    ["r7 >>= 3: srli (s2 not an RVC register)", b.alu64Imm(BPF_RSH, R7, 3), ["srli s2,s2,0x3"]],
    ["r1 s>>= 3: c.srai", b.alu64Imm(BPF_ARSH, R1, 3), ["c.srai a0,0x3"]],
    ["r1 *= 3: imm in t1", b.alu64Imm(BPF_MUL, R1, 3), ["c.li t1,3", "mul a0,a0,t1"]],
    ["r1 s/= r2 (off 1): div", b.alu64RegOff(BPF_DIV, R1, R2, 1), ["div a0,a0,a1"]],
    ["r1 = -r1: sub from zero", b.neg64(R1), ["sub a0,zero,a0"]],
    ["r1 -= r2: c.sub", b.alu64Reg(BPF_SUB, R1, R2), ["c.sub a0,a1"]],
    ["r6 -= r7: sub (s2 not an RVC register)", b.alu64Reg(BPF_SUB, R6, R7), ["sub s1,s1,s2"]],
    ["r1 = r2: c.mv", b.mov64Reg(R1, R2), ["c.mv a0,a1"]],
    ["r1 = (s8)r2 without Zbb: shift pair", b.alu64RegOff(BPF_MOV, R1, R2, 8), ["slli a0,a1,0x38", "c.srai a0,0x38"]],
    ["r1 = (s32)r2: addiw", b.alu64RegOff(BPF_MOV, R1, R2, 32), ["addiw a0,a1,0"]],
  ];
  for (const [name, x, want] of alu) it(name, () => expect(one(x)).toEqual(want));

  const zext = ["c.slli a0,0x20", "c.srli a0,0x20"];
  const alu32: [string, ReturnType<typeof b.exit>, string[]][] = [
    ["w1 >>= 3: srliw then zext", b.alu32Imm(BPF_RSH, R1, 3), ["srliw a0,a0,0x3", ...zext]],
    ["w1 -= w2: c.subw then zext", b.alu32Reg(BPF_SUB, R1, R2), ["c.subw a0,a1", ...zext]],
    ["w1 %= w2: remuw then zext", b.alu32Reg(BPF_MOD, R1, R2), ["remuw a0,a0,a1", ...zext]],
    ["w1 <<= 3: the 64-bit slli, then zext", b.alu32Imm(BPF_LSH, R1, 3), ["c.slli a0,0x3", ...zext]],
    ["w1 = -w1: sub, then zext", insn(BPF_ALU | BPF_NEG, R1, 0, 0, 0), ["sub a0,zero,a0", ...zext]],
    ["the verifier's zext (w1 = w1, imm 1): zext of rd only", insn(BPF_ALU | BPF_MOV | 0x08, R1, R2, 0, 1), zext],
  ];
  for (const [name, x, want] of alu32) it(name, () => expect(one(x)).toEqual(want));

  it("with Zba the zero-extension is add.uw, with Zbb sign-extension is sext.b", () => {
    expect(one(b.alu32Imm(BPF_MOV, R1, 5), "rv64imac_zba_zbb")).toEqual(["c.li a0,5", "add.uw a0,a0,zero"]);
    expect(one(b.alu64RegOff(BPF_MOV, R1, R2, 8), "rv64imac_zba_zbb")).toEqual(["sext.b a0,a1"]);
  });

  it("an out-of-range immediate shift is encoded the way the kernel encodes it (not a valid shift)", () => {
    // The kernel ORs the amount into the I-type immediate: 68 sets shamt bit 6 (reserved for RV64 slli).
    const c = compile([b.alu64Imm(BPF_LSH, R1, 68), b.exit()]);
    expect(c.slots[0]).toEqual([".4byte 0x4451513"]);
  });

  it("refuses exactly the ALU opcodes Linux 6.12's JIT has no case for, with its message", () => {
    // bpf_jit_emit_insn: operations 0xe0 and 0xf0 do not exist, NEG has no register form, and byte swaps of a 64-bit
    // register exist only as BPF_ALU64 | BPF_END | BPF_K (bswap). Every route of the lowering pass is tried.
    const refused: string[] = [];
    for (const cls of [BPF_ALU, BPF_ALU64]) {
      for (let op = 0; op < 0x100; op += 0x10) {
        for (const src of [0, 0x08]) {
          const code = cls | op | src;
          try {
            compile([insn(code, R1, R2, 0, op === 0xd0 ? 32 : 3), b.exit()]);
          } catch (e) {
            refused.push(`${code.toString(16)}: ${(e as Error).message}`);
          }
        }
      }
    }
    const want = [0x8c, 0xe4, 0xec, 0xf4, 0xfc, 0x8f, 0xdf, 0xe7, 0xef, 0xf7, 0xff];
    expect(refused).toEqual(want.map((c) => `${c.toString(16)}: bpf-jit: unknown opcode ${c.toString(16)} (insn 0)`));
  });
});

describe("loads and stores", () => {
  it("a narrow load followed by the verifier's zext needs no code for the zext", () => {
    const c = compile([b.ldxMem(BPF_W, R0, R1, 0), insn(BPF_ALU | BPF_MOV | 0x08, R0, R0, 0, 1), b.exit()]);
    expect(c.slots[0]).toEqual(["lwu a5,0(a0)"]);
    expect(c.slots[1]).toEqual([]);
  });

  it("a 64-bit load with an offset beyond 12 bits adds it in t1", () => {
    expect(one(b.ldxMem(BPF_DW, R0, R1, 4096))).toEqual(["c.lui t1,0x1", "c.addiw t1,0", "c.add t1,a0", "ld a5,0(t1)"]);
  });

  it("stores between RVC registers compress; byte stores never do", () => {
    expect(one(b.stxMem(BPF_DW, R1, R2, 8))).toEqual(["c.sd a1,8(a0)"]);
    expect(one(b.stxMem(BPF_W, R1, R2, 4))).toEqual(["c.sw a1,4(a0)"]);
    expect(one(b.stMem(BPF_B, R1, 1, 5))).toEqual(["c.li t1,5", "sb t1,1(a0)"]);
  });

  it("bpf_get_smp_processor_id is inlined as a load from thread_info", () => {
    expect(one(b.callHelper(8))).toEqual(["lw a5,32(tp)"]);
  });
});

describe("conditional branches", () => {
  it("JMP32 signed compares sign-extended copies in t1/t2", () => {
    const c = compile([b.jmp32Reg(BPF_JSGT, R1, R2, 0), b.exit()]);
    expect(c.slots[0]).toEqual(["addiw t1,a1,0", "addiw t2,a0,0", "blt t1,t2,<epilogue>"]);
  });

  it("JMP32 unsigned with an immediate zero-extends both t2 (from rd) and t1", () => {
    const c = compile([b.jmp32Imm(BPF_JGT, R1, 5, 0), b.exit()]);
    expect(c.slots[0]).toEqual(["c.li t1,5", "slli t2,a0,0x20", "srli t2,t2,0x20", "c.slli t1,0x20", "srli t1,t1,0x20", "bltu t1,t2,<epilogue>"]);
  });

  it("a zero immediate compares with the zero register", () => {
    expect(compile([b.jmpImm(BPF_JEQ, R1, 0, 0), b.exit()]).slots[0]).toEqual(["beq a0,zero,<epilogue>"]);
  });

  it("jset: and into t1; jset32 with a negative immediate sign-extends t1", () => {
    expect(compile([b.jmpImm(BPF_JSET, R1, 16, 0), b.exit()]).slots[0]).toEqual(["andi t1,a0,16", "bne t1,zero,<epilogue>"]);
    expect(compile([b.jmp32Imm(BPF_JSET, R1, -1, 0), b.exit()]).slots[0]).toEqual(["andi t1,a0,-1", "c.addiw t1,0", "bne t1,zero,<epilogue>"]);
    expect(compile([b.jmpReg(BPF_JSET, R1, R2, 0), b.exit()]).slots[0]).toEqual(["and t1,a0,a1", "bne t1,zero,<epilogue>"]);
  });

  it("exit before the end jumps to the epilogue; the last exit falls into it", () => {
    const c = compile([b.exit(), b.exit()]);
    expect(c.slots).toEqual([["jal zero,<epilogue>"], []]);
  });

  it("a jump into the middle of the code names the eBPF slot it lands on", () => {
    const c = compile([b.jmpImm(BPF_JEQ, R1, 0, 1), b.mov64Imm(R0, 1), b.mov64Imm(R0, 2), b.exit()]);
    expect(slots(c, 0)).toEqual(["beq a0,zero,.Lbpf2"]);
  });
});

describe("byte swaps", () => {
  it("without Zbb, be16 moves one byte at a time through t1/t2", () => {
    expect(one(b.endian(BPF_ALU, 0x08, R1, 16))).toEqual([
      "c.li t2,0", "andi t1,a0,255", "c.add t2,t1", "c.slli t2,0x8", "c.srli a0,0x8", "andi t1,a0,255", "c.add t2,t1", "c.mv a0,t2",
    ]);
  });
  it("with Zbb, bswap32 is rev8 then a shift right by 32", () => {
    expect(one(b.endian(BPF_ALU64, 0x00, R1, 32), "rv64imac_zba_zbb")).toEqual(["rev8 a0,a0", "c.srli a0,0x20"]);
  });
});

describe("internal instructions of the verifier's rewrites", () => {
  it("per-CPU address (mov64 with off -1): add __per_cpu_offset[cpu] (cpu from thread_info)", () => {
    const c = compile([insn(BPF_ALU64 | BPF_MOV | 0x08, R0, R1, -1, 0), b.exit()]);
    expect(c.slots[0]).toEqual([
      "c.mv a5,a0", "lw t1,32(tp)", "auipc t2,%pcrel_hi(__per_cpu_offset)", "addi t2,%pcrel_lo(__per_cpu_offset)(t2)",
      "c.slli t1,0x3", "c.add t1,t2", "ld t1,0(t1)", "c.add a5,t1", // sh3add t1,t1,t2 without Zba (rd == rs: c.slli)
    ]);
  });

  it("arena: s7 holds kern_vm_start (saved, loaded by the prologue); PROBE_MEM32 loads add it", () => {
    const c = compile([insn(0xb9 /* LDX | PROBE_MEM32 | DW */, R0, R1, 8, 0), b.exit()], { arenaKernStart: 0x1_0000_0000n });
    expect(c.prologue.slice(-3)).toEqual(["c.addi4spn s0,sp,16", "c.li s7,1", "c.slli s7,0x20"]);
    expect(c.prologue).toContain("c.sdsp s7,0(sp)");
    expect(c.slots[0]).toEqual(["add t2,a0,s7", "ld a5,8(t2)"]);
    expect(c.out.funcs[0]!.extable).toHaveLength(1);
  });

  it("an arena access without an arena is refused", () => {
    expect(() => compile([insn(0xb9, R0, R1, 8, 0), b.exit()])).toThrow(/arena access \(PROBE_MEM32\) in a program without an arena/);
  });
});

describe("the per-CPU address move (insn_is_mov_percpu_addr: MOV64 X with off = BPF_ADDR_PERCPU)", () => {
  const percpu = (imm: number) => insn(BPF_ALU64 | BPF_MOV | 0x08, R0, R1, -1, imm);
  it("adds __per_cpu_offset[cpu] (thread_info.cpu at tp+32, Zba sh3add) and nothing else", () => {
    const code = one(percpu(0), "rv64imac_zba_zbb");
    expect(code[0]).toBe("c.mv a5,a0");
    expect(code.slice(1, 2)).toEqual(["lw t1,32(tp)"]);
    expect(code.slice(-3)).toEqual(["sh3add t1,t1,t2", "ld t1,0(t1)", "c.add a5,t1"]);
  });
  it("is the whole instruction: an imm of 1 does not add the verifier's zero-extension", () => {
    expect(one(percpu(1), "rv64imac_zba_zbb")).toEqual(one(percpu(0), "rv64imac_zba_zbb"));
  });
});
