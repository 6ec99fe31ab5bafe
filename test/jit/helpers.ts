/**
 * @fileoverview Test helpers: compile a small program and read its code back as text, grouped the way the listing
 * groups it (prologue, one group per eBPF slot, epilogue), in objdump's `-M no-aliases` spelling so that a compressed
 * instruction shows as `c.li` and the size of every choice is visible in the expectation. Also, for the tests that
 * run the passes one by one: their lowering options, a program framed, and a program with every kind of unit.
 */
import * as b from "../../compiler/bpf/build.js";
import { insn, isLdImm64, type Insn } from "../../compiler/bpf/insn.js";
import { BPF_ALU, BPF_JEQ, BPF_MOV, BPF_W, BPF_X } from "../../compiler/bpf/opcodes.js";
import type { EmitIsa } from "../../compiler/jit/emit.js";
import type { LowerOptions } from "../../compiler/jit/lower-ctx.js";
import { helperAddress, kfuncAddress } from "../../compiler/kernel-abi.js";
import { listFunction } from "../../compiler/listing.js";
import { lower } from "../../compiler/passes/lower.js";
import { mapRegisters } from "../../compiler/passes/map-registers.js";
import { addPrologueEpilogue, type Framed } from "../../compiler/passes/prologue-epilogue.js";
import { splitFunctions } from "../../compiler/passes/split-functions.js";
import { jit, jitRaw, type JitInput, type JitOptions, type JitOutput } from "../../compiler/pipeline.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";

export interface Code {
  prologue: string[];
  /** Instruction texts per eBPF slot (the second slot of an LD_IMM64 has none of its own). */
  slots: string[][];
  epilogue: string[];
  out: JitOutput;
}

export type TestOptions = Partial<Omit<JitOptions, "isa">> & { isa?: string; stackDepth?: number; func?: number };

const norm = (line: string): string => line.trim().replace(/\t/g, " ");

/** The code of function `func` (default 0) of `out`, as text. */
export function codeOf(out: JitOutput, func = 0): Code {
  const f = out.funcs[func]!;
  const lines = listFunction(f, out.funcs, { aliases: false }).split("\n");
  const slotOrder: number[] = [];
  for (let s = 0; s < f.bpf.length; s++) {
    slotOrder.push(s);
    if (isLdImm64(f.bpf[s]!)) s++;
  }
  const code: Code = { prologue: [], slots: f.bpf.map(() => []), epilogue: [], out };
  let section: "frame" | "prologue" | "body" | "epilogue" = "frame";
  let group = -1;
  for (const line of lines) {
    if (line === "<prologue>:") section = "prologue";
    else if (line === "<epilogue>:") section = "epilogue";
    else if (line.startsWith("\t; ")) {
      section = "body";
      group++;
    } else if (line.startsWith("\t")) {
      if (section === "prologue") code.prologue.push(norm(line));
      else if (section === "epilogue") code.epilogue.push(norm(line));
      else if (section === "body") code.slots[slotOrder[group]!]!.push(norm(line));
    }
  }
  return code;
}

/** Compiles raw instructions (jitRaw) for rv64imac unless told otherwise; stack depth 0 by default. */
export function compile(insns: readonly Insn[], o: TestOptions = {}): Code {
  const { isa = "rv64imac", stackDepth = 0, func = 0, ...rest } = o;
  return codeOf(jitRaw(insns, stackDepth, { ...rest, isa: parseIsa(isa) }), func);
}

/** Compiles a program with an explicit subprogram table (what the verifier hands over). */
export function compileVerified(p: JitInput, o: TestOptions = {}): JitOutput {
  const { isa = "rv64imac", ...rest } = o;
  return jit(p, { ...rest, isa: parseIsa(isa) });
}

/** Flattened instruction texts of some slots. */
export function slots(c: Code, ...which: number[]): string[] {
  return which.flatMap((s) => c.slots[s]!);
}

/** Lowering options of a raw compile (the model's helper and kfunc addresses, no arena), for tests that run the
 * passes one by one; `o` overrides. */
export function lowerOptions(o: Partial<LowerOptions> = {}): LowerOptions {
  return {
    zacas: false, acqRel: false, verifierZext: false, zextCmpxchg32: false, helperAddr: helperAddress, kfuncAddr: kfuncAddress,
    kfuncArgSizes: () => undefined, arenaKernStart: 0n, arenaUserStart: 0n, hasM: true, hasA: true, ...o,
  };
}

/** `insns` as one function, through the passes up to prologue-epilogue. */
export function framedProgram(insns: readonly Insn[], isa: EmitIsa, stackDepth: number): Framed {
  const split = splitFunctions({ insns, subprogs: [{ start: 0, end: insns.length, stackDepth, isExceptionCb: false, isExceptionBoundary: false }] });
  return addPrologueEpilogue(lower(mapRegisters(split, false), lowerOptions(), isa), { isa, arenaKernStart: 0n });
}

/**
 * A program with every kind of unit, `rounds` times over: a tail call (the first at insn 0, where Linux 6.12 counts
 * the prologue in the exit), a narrow load and the zero-extension folded into it, an LD_IMM64, helper calls, a
 * conditional branch over a call, a jump, and an exit in the middle.
 */
export function unitMix(rounds: number): Insn[] {
  const zext = insn(BPF_ALU | BPF_MOV | BPF_X, 0, 0, 0, 1);
  const prog: Insn[] = [b.callHelper(12)];
  for (let k = 0; k < rounds; k++) {
    prog.push(b.ldxMem(BPF_W, 0, 1, 0), zext, ...b.ldImm64(2, BigInt(k) << 40n), b.callHelper(12));
    prog.push(b.jmpImm(BPF_JEQ, 0, k, 3), b.callHelper(1), b.ja(1), b.exit(), b.mov64Imm(0, k));
  }
  prog.push(b.exit());
  return prog;
}
