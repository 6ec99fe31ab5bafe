/**
 * @fileoverview What the eBPF assembler takes (AsmOptions) and returns (AsmProgram, with its FuncDecl table).
 */
import type { Insn } from "../insn.js";
import type { SourcePos } from "./lexer.js";

/** A function of the program: where it starts, and what `.func` declared about it. */
export interface FuncDecl {
  readonly name: string;
  readonly start: number;
  readonly linkage: "global" | "static";
  readonly args?: number;
  readonly ret?: "scalar" | "void" | "ptr";
}

export interface AsmProgram {
  readonly insns: Insn[];
  /** Every function, by start: slot 0, every bpf-to-bpf call or func[] target, every `.func`. */
  readonly funcs: FuncDecl[];
  /** Named labels (numeric local labels `1:` are not listed). */
  readonly labels: Map<string, number>;
  /** Where each slot came from (both slots of an LD_IMM64 share one). */
  readonly lines: SourcePos[];
  /** `.exception_callback name`, unresolved: the verifier checks the function exists and its signature. */
  readonly exceptionCallback?: string;
  /** The kfuncs the program calls, by id. */
  readonly kfuncs: Map<number, string>;
  /** The map names, fd = index (opts.maps). */
  readonly maps: readonly string[];
}

export interface AsmOptions {
  /** Declared map names in order: `map[name]` loads fd = index. */
  readonly maps?: readonly string[];
  /** kfuncs beyond (or replacing) the ones rvjit models: name -> id. */
  readonly kfuncs?: ReadonlyMap<string, number>;
  /** Read a verifier output: allow r11 (BPF_REG_AX) and `tail_call`. */
  readonly xlated?: boolean;
}
