/**
 * @fileoverview Verifier rules about the program's shape, each with the kernel's message: malformed instructions,
 * jumps out of their function or into an LD_IMM64, falling off a function, unreachable code, call targets.
 */
import { describe, expect, it } from "vitest";
import { callPseudo, exit, ja, jmpImm, ldImm64, mov64Imm } from "../../compiler/bpf/build.js";
import { insn } from "../../compiler/bpf/insn.js";
import { BPF_ABS, BPF_B, BPF_CALL, BPF_JEQ, BPF_JMP, BPF_LD, BPF_X } from "../../compiler/bpf/opcodes.js";
import { accept, reason, reject } from "./support.js";

describe("every instruction is well formed (validate.ts, with the kernel's messages)", () => {
  it("an opcode that does not exist: unknown opcode", () => {
    expect(reason([insn(0xff, 0, 0, 0, 0), exit()])).toMatch(/^unknown opcode ff/);
  });
  it("a field an instruction does not use must be zero: BPF_ALU uses reserved fields", () => {
    expect(reason([insn(0x04, 0, 1, 0, 1), exit()])).toMatch(/^BPF_ALU uses reserved fields/);
  });
  it("callx (0x8d) is newer than Linux 6.12: unknown opcode 8d", () => {
    const e = reject([mov64Imm(2, 0), insn(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 0), exit()]);
    expect(e.reason).toMatch(/^unknown opcode 8d/);
    expect(e.insnIndex).toBe(1);
  });
  it("legacy packet loads are refused outside socket filters", () => {
    expect(reason([insn(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 0), exit()])).toBe("BPF_LD_[ABS|IND] instructions not allowed for this program type");
  });
  it("an empty program is refused", () => {
    expect(reason([])).toMatch(/empty program/);
  });
});

describe("jumps stay inside their function", () => {
  it("past the end: jump out of range from insn 0 to 5", () => {
    const e = reject([ja(4), exit()]);
    expect(e.reason).toBe("jump out of range from insn 0 to 5");
    expect(e.insnIndex).toBe(0);
  });
  it("before the start: jump out of range from insn 1 to -1", () => {
    expect(reason([mov64Imm(0, 0), ja(-3), exit()])).toBe("jump out of range from insn 1 to -1");
  });
  it("into another function", () => {
    // 0: call f; 1: goto +1 (into f at 3); 2: exit; 3: f: r0 = 0; 4: exit
    expect(reason([callPseudo(2), ja(1), exit(), mov64Imm(0, 0), exit()])).toBe("jump out of range from insn 1 to 3");
  });
  it("into the second slot of an LD_IMM64: jump into the middle of ldimm64 insn 2", () => {
    const [a, b] = ldImm64(0, 1n);
    expect(reason([mov64Imm(0, 0), jmpImm(BPF_JEQ, 0, 0, 1), a, b, exit()])).toBe("jump into the middle of ldimm64 insn 2");
  });
});

describe("no falling off a function, no dead code", () => {
  it("a program that does not end in exit or goto: last insn is not an exit or jmp", () => {
    const e = reject("r0 = 0\nexit\nr0 = 1");
    expect(e.reason).toBe("last insn is not an exit or jmp");
    expect(e.insnIndex).toBe(2);
    expect(e.message).toBe("t.s:3:1: last insn is not an exit or jmp");
  });
  it("a function that falls into the next one", () => {
    expect(reason("call f\nr0 = 0\nf:\nr0 = 1\nexit")).toBe("last insn is not an exit or jmp");
  });
  it("an LD_IMM64 as the last instruction", () => {
    const [a, b] = ldImm64(0, 1n);
    expect(reason([exit(), a, b])).toBe("last insn is not an exit or jmp");
  });
  it("code nothing reaches: unreachable insn 2", () => {
    expect(reason("r0 = 0\nexit\nr0 = 1\nexit")).toBe("unreachable insn 2");
  });
  it("a function nothing calls is unreachable too", () => {
    expect(reason([mov64Imm(0, 0), exit(), mov64Imm(0, 1), exit()])).toBe("unreachable insn 2");
  });
  it("the exception callback is an entry of its own, so nothing needs to call it", () => {
    expect(() => accept(".exception_callback cb\n.func cb global args=1\nr0 = 0\nexit\ncb:\nr0 = r1\nexit")).not.toThrow();
  });
});

describe("bpf-to-bpf call targets", () => {
  it("a call outside the program: call to invalid destination", () => {
    const e = reject([callPseudo(10), exit()]);
    expect(e.reason).toBe("call to invalid destination");
    expect(e.insnIndex).toBe(0);
  });
  it("every call target starts a function", () => {
    const v = accept("call f\nr0 = 0\nexit\nf:\nr0 = 1\nexit");
    expect(v.subprogs.map((s) => [s.start, s.end])).toEqual([[0, 3], [3, 5]]);
  });
});

describe("limits", () => {
  it("at most 256 functions: too many subprograms", () => {
    const calls = Array.from({ length: 256 }, (_, k) => `call f${k}`).join("\n");
    const bodies = Array.from({ length: 256 }, (_, k) => `f${k}:\nr0 = 0\nexit`).join("\n");
    expect(reason(`${calls}\nr0 = 0\nexit\n${bodies}`)).toBe("too many subprograms");
  });
});
