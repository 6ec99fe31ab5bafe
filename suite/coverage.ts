/**
 * @fileoverview What the spec corpus exercises (`rvjit coverage`): which eBPF instruction forms its programs contain,
 * against every form the JIT compiles; and which RV64 instructions the JIT emitted for them, per configuration,
 * against the instructions the JIT can emit (compiler/jit/ops.ts). It also tallies the branch and jump forms the
 * JIT chose (B-type, bcc+jal, bcc+auipc+jalr, jal, auipc+jalr), which only long programs reach.
 *
 * "Exercises" is static: a form counts when a program that contains it verifies and compiles under that
 * configuration (run cases decide whether it also executes). Specs the verifier must refuse (`; reject:`) count for
 * nothing. Which eBPF forms the JIT supports is not a list kept by hand: each form's smallest program is given to
 * the JIT (jitRaw), and the forms it refuses (legacy packet loads, callx, load-acquire/store-release in the 6.12
 * configurations) are listed apart.
 */
import { AsmError, assemble, type AsmProgram } from "../compiler/bpf/asm.js";
import { type Insn, isLdImm64 } from "../compiler/bpf/insn.js";
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_END, BPF_IND, BPF_JA, BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_MEMSX,
  BPF_MOV, BPF_DIV, BPF_MOD, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL, BPF_ST, BPF_X, BPF_FUNC_tail_call,
  bpfClass, bpfMode, bpfOp, bpfSize, bpfSrc,
} from "../compiler/bpf/opcodes.js";
import { OP_EXT, OP_NAME } from "../compiler/jit/ops.js";
import { jit, JitError, jitRaw, type JitFunction } from "../compiler/pipeline.js";
import { verify, VerifierError, type Verified } from "../compiler/passes/verify.js";
import { decode, type Decoded } from "../compiler/riscv/decode.js";
import { hasExt, parseIsa, type IsaConfig } from "../compiler/riscv/isa-config.js";
import { programImageAddr } from "../runtime/kernel/layout.js";
import { CONFIGS, type ConfigName } from "./config.js";
import { verifyOptionsOf } from "./engines/real.js";
import type { Spec } from "./spec/model.js";
import { plural } from "./plural.js";

// ---- eBPF instruction forms ----

const ALU_OPS = ["add", "sub", "mul", "div", "or", "and", "lsh", "rsh", "neg", "mod", "xor", "mov", "arsh", "end"];
const JMP_OPS = ["ja", "jeq", "jgt", "jge", "jset", "jne", "jsgt", "jsge", "call", "exit", "jlt", "jle", "jslt", "jsle"];
const SIZES = ["w", "h", "b", "dw"];
const ATOMIC_OPS: Readonly<Record<number, string>> = {
  0x00: "add", 0x01: "fetch_add", 0x40: "or", 0x41: "fetch_or", 0x50: "and", 0x51: "fetch_and", 0xa0: "xor", 0xa1: "fetch_xor",
  0xe1: "xchg", 0xf1: "cmpxchg", 0x100: "load_acquire", 0x110: "store_release",
};

/**
 * The form of the instruction at slot i: its opcode byte and name, with what else selects a different lowering
 * (signed div/mod, movsx widths, END widths, atomic operations, call kinds, LD_IMM64 of a function address).
 */
export function bpfForm(insns: readonly Insn[], i: number): string {
  const x = insns[i]!;
  const code = x.code;
  const hex = `0x${code.toString(16).padStart(2, "0")}`;
  const cls = bpfClass(code);
  const size = SIZES[bpfSize(code) >> 3]!;
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64: {
      const w = cls === BPF_ALU64 ? "alu64" : "alu32";
      const op = bpfOp(code);
      const k = bpfSrc(code) === BPF_X ? "x" : "k";
      if (op === BPF_END) return `${hex} ${w} ${cls === BPF_ALU64 ? "bswap" : k === "x" ? "be" : "le"}${x.imm}`;
      if ((op === BPF_DIV || op === BPF_MOD) && x.off === 1) return `${hex} ${w} s${ALU_OPS[op >> 4]} ${k}`;
      if (op === BPF_MOV && k === "x" && x.off !== 0) return `${hex} ${w} movsx${x.off}`;
      return `${hex} ${w} ${ALU_OPS[op >> 4]}${op === 0x80 ? "" : ` ${k}`}`;
    }
    case BPF_JMP:
    case BPF_JMP32: {
      const j = cls === BPF_JMP ? "jmp" : "jmp32";
      const op = bpfOp(code);
      if (op === BPF_JA) return `${hex} ${cls === BPF_JMP ? "jmp ja" : "jmp32 gotol"}`;
      if (op === BPF_CALL) {
        if (bpfSrc(code) === BPF_X) return `${hex} jmp callx`;
        const kind = x.src === BPF_PSEUDO_CALL ? "bpf2bpf" : x.src === BPF_PSEUDO_KFUNC_CALL ? "kfunc" : x.imm === BPF_FUNC_tail_call ? "tail_call" : "helper";
        return `${hex} jmp call ${kind}`;
      }
      return `${hex} ${j} ${JMP_OPS[op >> 4] ?? `op${op >> 4}`}${op === 0x90 ? "" : ` ${bpfSrc(code) === BPF_X ? "x" : "k"}`}`;
    }
    case BPF_LD:
      if (isLdImm64(x)) return `${hex} ld_imm64${x.src === BPF_PSEUDO_FUNC ? " func" : ""}`;
      return `${hex} ld_${bpfMode(code) === BPF_ABS ? "abs" : bpfMode(code) === BPF_IND ? "ind" : "?"} ${size}`;
    case BPF_LDX:
      return `${hex} ${bpfMode(code) === BPF_MEMSX ? "ldsx" : "ldx"} ${size}`;
    case BPF_ST:
      return `${hex} st ${size}`;
    default:
      if (bpfMode(code) === BPF_ATOMIC) return `${hex} atomic ${size} ${ATOMIC_OPS[x.imm] ?? `0x${x.imm.toString(16)}`}`;
      return `${hex} stx ${size}`;
  }
}

/** The forms of a program, slot by slot (the second slot of an LD_IMM64 has none). */
export function programForms(insns: readonly Insn[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < insns.length; i++) {
    out.push(bpfForm(insns, i));
    if (isLdImm64(insns[i]!)) i++;
  }
  return out;
}

/** The smallest program of every instruction form of the ISA (RFC 9669, load-acquire/store-release, callx). */
function formSamples(): string[] {
  const out: string[] = [];
  const alu = ["+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "%=", "^=", "s>>=", "=", "s/=", "s%="];
  for (const d of ["r", "w"]) {
    for (const op of alu) out.push(`${d}0 ${op} 3`, `${d}0 ${op} ${d}1`);
    out.push(`${d}0 = -${d}0`, ...(d === "r" ? [8, 16, 32] : [8, 16]).map((n) => `${d}0 = (s${n})${d}1`));
    for (const c of ["==", "!=", ">", ">=", "<", "<=", "s>", "s>=", "s<", "s<=", "&"]) out.push(`if ${d}0 ${c} 3 goto +0`, `if ${d}0 ${c} ${d}1 goto +0`);
  }
  for (const n of [16, 32, 64]) out.push(`r0 = le${n} r0`, `r0 = be${n} r0`, `r0 = bswap${n} r0`);
  out.push("exit", "goto +0", "gotol +0", "call 1", "call 12", "call kfunc[2]", "call f", "callx r1", "r0 = 0x123456789 ll", "r0 = func[f] ll");
  for (const t of ["u8", "u16", "u32"]) out.push(`r0 = *(${t} *)skb[0]`, `r0 = *(${t} *)skb[r1 + 0]`);
  for (const t of ["u8", "u16", "u32", "u64"]) {
    const s = t === "u64" ? "r" : "w";
    out.push(`r0 = *(${t} *)(r1 + 0)`, `*(${t} *)(r10 - 8) = 1`, `*(${t} *)(r10 - 8) = r1`);
    out.push(`${s}0 = load_acquire((${t} *)(r1 + 0))`, `store_release((${t} *)(r1 + 0), ${s}1)`);
  }
  for (const t of ["s8", "s16", "s32"]) out.push(`r0 = *(${t} *)(r1 + 0)`);
  for (const [t, s] of [["u32", "w"], ["u64", "r"]]) {
    for (const op of ["+=", "|=", "&=", "^="]) out.push(`lock *(${t} *)(r10 - 8) ${op} ${s}1`);
    for (const op of ["add", "or", "and", "xor"]) out.push(`${s}1 = atomic_fetch_${op}((${t} *)(r10 - 8), ${s}1)`);
    out.push(t === "u64" ? "r1 = xchg_64(r10 - 8, r1)" : "w1 = xchg32_32(r10 - 8, w1)", t === "u64" ? "r0 = cmpxchg_64(r10 - 8, r0, r1)" : "w0 = cmpxchg32_32(r10 - 8, w0, w1)");
  }
  return out.map((line) => `${line}\nexit\nf: r0 = 0\nexit\n`);
}

export interface FormSupport {
  /** Forms the JIT compiles under every configuration, in opcode order. */
  supported: string[];
  /** Forms it refuses under some configuration, with its reason. */
  refused: { form: string; why: string }[];
}

let supportCache: FormSupport | undefined;

/** Every instruction form, and whether the JIT compiles its smallest program in each configuration of the matrix. */
export function formSupport(): FormSupport {
  if (supportCache) return supportCache;
  const supported: string[] = [];
  const refused: { form: string; why: string }[] = [];
  for (const src of formSamples()) {
    const p = assemble(src, "<form>");
    const form = bpfForm(p.insns, 0);
    const why = CONFIGS.map((c) => {
      try {
        jitRaw(p.insns, 16, { isa: parseIsa(c), framePointer: true });
        return undefined;
      } catch (e) {
        if (e instanceof JitError) return e.message;
        throw e;
      }
    }).find((w) => w !== undefined);
    if (why === undefined) supported.push(form);
    else refused.push({ form, why });
  }
  const byCode = (a: string, b: string) => a.localeCompare(b);
  supportCache = { supported: supported.sort(byCode), refused: refused.sort((a, b) => byCode(a.form, b.form)) };
  return supportCache;
}

// ---- RV64 instructions and branch forms ----

/** The instructions the JIT can emit under `isa` (its op table, less extensions the configuration lacks). */
export function rvVocabulary(isa: IsaConfig): string[] {
  return OP_NAME.filter((_, k) => OP_EXT[k] === "i" || hasExt(isa, OP_EXT[k]!)).slice().sort();
}

/** The branch and jump forms in decoded code: a conditional branch over a jal or an auipc+jalr is one far form. */
export function branchForms(code: readonly (Decoded | undefined)[]): string[] {
  const out: string[] = [];
  const isB = (d: Decoded | undefined) => d !== undefined && /^b(eq|ne|lt|ge|ltu|geu)$/.test(d.m);
  for (let k = 0; k < code.length; k++) {
    const d = code[k];
    if (!d) continue;
    const next = code[k + 1];
    if (isB(d)) {
      if (d.imm === 8 && next?.m === "jal") out.push("bcc +8; jal");
      else if (d.imm === 12 && next?.m === "auipc" && code[k + 2]?.m === "jalr") out.push("bcc +12; auipc+jalr");
      else out.push("bcc (B-type)");
      if (d.imm === 8 || d.imm === 12) k += d.imm === 8 ? 1 : 2;
    } else if (d.m === "jal") {
      out.push(d.rd === 0 ? "jal (jump)" : "jal (call)");
    } else if (d.m === "auipc" && next?.m === "jalr" && next.rs1 === d.rd) {
      out.push(next.rd === 0 ? "auipc+jalr (jump)" : "auipc+jalr (call)");
      k++;
    } else if (d.m === "auipc" && next?.m === "addi" && next.rs1 === d.rd) {
      out.push("auipc+addi (address)");
      k++;
    }
  }
  return out;
}

// ---- the corpus ----

export interface RvCoverage {
  config: ConfigName;
  vocabulary: string[];
  /** Mnemonic -> number of specs whose code has it. */
  used: Map<string, number>;
  missing: string[];
  /** Branch/jump form -> number of specs. */
  branches: Map<string, number>;
}

export interface Coverage {
  specs: number;
  /** Specs with a program that verified and compiled under at least one configuration. */
  compiled: number;
  /** Specs whose program the verifier refused (as `; reject:` specs expect, or not). */
  rejected: string[];
  /** Specs that do not assemble: the assembler's message. */
  broken: string[];
  /** Specs the JIT refused under some configuration: path, configuration, reason. */
  jitRefused: { path: string; config: ConfigName; why: string }[];
  /** eBPF form -> specs that contain it. */
  forms: Map<string, string[]>;
  support: FormSupport;
  /** Supported forms no compiled spec contains. */
  missingForms: string[];
  rv: RvCoverage[];
}

/** The verifier's view of a spec's programs (as the real engine builds it), or undefined when it refuses one. */
function verifySpec(spec: Spec, asm: AsmProgram[]): Verified[] | undefined {
  const opts = verifyOptionsOf(spec);
  try {
    return asm.map((a) => verify(a, opts));
  } catch (e) {
    if (e instanceof VerifierError) return undefined;
    throw e;
  }
}

const bump = <K>(m: Map<K, number>, k: K): void => void m.set(k, (m.get(k) ?? 0) + 1);

/** Coverage of `specs` (parsed) under `configs` (default: each spec's own). */
export function computeCoverage(specs: readonly Spec[], configs: readonly ConfigName[] = CONFIGS): Coverage {
  const support = formSupport();
  const rv = configs.map((config): RvCoverage => ({ config, vocabulary: rvVocabulary(parseIsa(config)), used: new Map(), missing: [], branches: new Map() }));
  const cov: Coverage = { specs: specs.length, compiled: 0, rejected: [], broken: [], jitRefused: [], forms: new Map(), support, missingForms: [], rv };
  for (const spec of specs) {
    const maps = spec.maps.map((m) => m.name);
    let asm: AsmProgram[];
    try {
      asm = spec.programs.map((p) => assemble(p.source, spec.path, { maps }));
    } catch (e) {
      if (!(e instanceof AsmError)) throw e;
      cov.broken.push(e.message.split("\n")[0]!);
      continue;
    }
    const verified = verifySpec(spec, asm);
    if (!verified) {
      cov.rejected.push(spec.path);
      continue;
    }
    let compiled = false;
    for (const r of rv) {
      if (!spec.configs.includes(r.config)) continue;
      const isa = parseIsa(r.config);
      let funcs: JitFunction[];
      try {
        funcs = verified.flatMap((v, k) => jit(v, { isa, framePointer: true, imageAddr: programImageAddr(k) }).funcs);
      } catch (e) {
        if (!(e instanceof JitError)) throw e;
        cov.jitRefused.push({ path: spec.path, config: r.config, why: e.message });
        continue;
      }
      compiled = true;
      const mnemonics = new Set<string>();
      const branches = new Set<string>();
      for (const f of funcs) {
        const code = f.insns.map((x) => decode(x.word, isa));
        for (const d of code) if (d) mnemonics.add(d.m);
        for (const b of branchForms(code)) branches.add(b);
      }
      for (const m of mnemonics) bump(r.used, m);
      for (const b of branches) bump(r.branches, b);
    }
    if (!compiled) continue;
    cov.compiled++;
    const seen = new Set(asm.flatMap((a) => programForms(a.insns)));
    for (const f of seen) cov.forms.set(f, [...(cov.forms.get(f) ?? []), spec.path]);
  }
  cov.missingForms = support.supported.filter((f) => !cov.forms.has(f));
  for (const r of rv) r.missing = r.vocabulary.filter((m) => !r.used.has(m));
  return cov;
}

/** `items` after `head`, wrapped to lines of at most `width` columns, continuation lines indented by `indent`. */
function wrap(head: string, items: readonly string[], indent: number, width = 110): string[] {
  const lines = [head];
  for (const it of items) {
    const last = lines[lines.length - 1]!;
    if (last.length + 1 + it.length > width && last.trim() !== "") lines.push(`${" ".repeat(indent)}${it}`);
    else lines[lines.length - 1] = `${last}${last.endsWith(" ") ? "" : " "}${it}`;
  }
  return lines;
}

/** The report `rvjit coverage` prints; `list` adds every form and instruction with its count of specs. */
export function formatCoverage(c: Coverage, opts: { list?: boolean } = {}): string {
  const out: string[] = [];
  out.push(`${plural(c.specs, "spec")}: ${c.compiled} compiled, ${c.rejected.length} refused by the verifier`);
  for (const b of c.broken) out.push(`  does not assemble: ${b}`);
  for (const r of c.jitRefused) out.push(`  the JIT refuses ${r.path} under ${r.config}: ${r.why}`);
  const inCorpus = c.support.supported.length - c.missingForms.length;
  out.push("", `eBPF instruction forms: ${inCorpus} of the ${c.support.supported.length} the JIT compiles are in the corpus`);
  out.push(...wrap("  missing:", c.missingForms.length ? c.missingForms.map((f, k, a) => (k < a.length - 1 ? `${f},` : f)) : ["none"], 4));
  const refused = c.support.refused.map((r) => r.form);
  out.push(...wrap("  the JIT refuses (not required):", refused.length ? refused.map((f, k) => (k < refused.length - 1 ? `${f},` : f)) : ["none"], 4));
  const extra = [...c.forms.keys()].filter((f) => !c.support.supported.includes(f)).sort();
  if (extra.length) out.push(...wrap("  in the corpus but refused in some configuration:", extra, 4));
  if (opts.list) for (const f of c.support.supported) out.push(`    ${f.padEnd(28)} ${c.forms.get(f)?.length ?? 0}`);
  out.push("", "RV64 instructions the JIT can emit, per configuration:");
  const width = Math.max(...c.rv.map((r) => r.config.length));
  for (const r of c.rv) {
    out.push(...wrap(`  ${r.config.padEnd(width)}  ${r.vocabulary.length - r.missing.length} of ${r.vocabulary.length}; missing:`, r.missing.length ? r.missing : ["none"], width + 4));
    if (opts.list) for (const m of r.vocabulary) out.push(`    ${m.padEnd(12)} ${r.used.get(m) ?? 0}`);
  }
  out.push("", "Branch and jump forms (specs using each):");
  const forms = [...new Set(c.rv.flatMap((r) => [...r.branches.keys()]))].sort();
  for (const f of forms) out.push(`  ${f.padEnd(22)} ${c.rv.map((r) => `${r.config} ${r.branches.get(f) ?? 0}`).join(", ")}`);
  return `${out.join("\n")}\n`;
}
