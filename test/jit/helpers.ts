/**
 * @fileoverview Test helpers: compile a small program and read its code back as text, grouped the way the listing
 * groups it (prologue, one group per eBPF slot, epilogue), in objdump's `-M no-aliases` spelling so that a compressed
 * instruction shows as `c.li` and the size of every choice is visible in the expectation.
 */
import { isLdImm64, type Insn } from "../../compiler/bpf/insn.js";
import { listFunction } from "../../compiler/listing.js";
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
