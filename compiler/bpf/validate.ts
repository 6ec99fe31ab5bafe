/**
 * @fileoverview Is a slot a well-formed eBPF instruction? The whole ISA up to cpu v4 (RFC 9669), plus two later
 * additions that LLVM and the kernel use:
 *   - load-acquire / store-release: BPF_STX | BPF_ATOMIC with imm BPF_LOAD_ACQ (0x100) / BPF_STORE_REL (0x110), in
 *     every size (Linux 6.15; the other atomic operations exist only in BPF_W and BPF_DW);
 *   - callx: BPF_JMP | BPF_CALL | BPF_X (0x8d), target register in dst_reg (LLVM cpu v4, bpf_conformance's "callx"
 *     group). Linux 6.12 does not know it ("unknown opcode 8d"): the verifier pass must reject it.
 * Not accepted: the kernel-only extensions outside RFC 9669 (may_goto = BPF_JCOND, addr_space_cast = MOV with
 * off 1), and BPF_TAIL_CALL, which exists only in the verifier's output.
 *
 * Each opcode has one form: which of dst_reg, src_reg, off and imm it uses, and what the others must hold. Every field
 * an instruction does not use must be zero, as the conformance suite's negative/unused-*.data tests require. A problem
 * carries the Linux verifier's message where the kernel has one ("BPF_ALU uses reserved fields", "unknown opcode
 * 8c", "R11 is invalid") and a detail saying which field holds what.
 *
 * Checked elsewhere (the verifier pass): jump targets, writes to r10, division by an immediate zero, shift amounts,
 * helper and kfunc numbers, whether a map fd exists.
 */
import { isLdImm64, type Insn } from "./insn.js";
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_B, BPF_CALL, BPF_CMPXCHG, BPF_DIV, BPF_DW, BPF_END, BPF_EXIT,
  BPF_FETCH, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_LOAD_ACQ, BPF_MEM, BPF_MEMSX,
  BPF_MOD, BPF_MOV, BPF_NEG, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_IDX, BPF_ST, BPF_STORE_REL,
  BPF_STX, BPF_W, BPF_X, BPF_XCHG, MAX_BPF_REG, bpfClass, bpfMode, bpfOp, bpfSize, bpfSrc,
} from "./opcodes.js";

/** What is wrong with an instruction: the kernel's verifier message, and the specifics. */
export interface InsnProblem {
  /** The Linux verifier's message for this kind of problem (without the trailing newline). */
  readonly message: string;
  /** Which field holds what, and what it must hold. */
  readonly detail: string;
}

/** A field rule: a register r0..r10, anything, or one of a list of values ([0] = reserved, must be zero). */
type Rule = "reg" | "any" | readonly number[];
type Field = "dst" | "src" | "off" | "imm";

interface Form {
  /** The kernel's message when a non-register field breaks its rule. */
  readonly msg: string;
  readonly dst: Rule;
  readonly src: Rule;
  readonly off: Rule;
  readonly imm: Rule;
  /** Why a field's rule is what it is, appended to the detail. */
  readonly why?: Partial<Record<Field, string>>;
}

const ZERO = [0] as const;
const FIELD_NAMES: Record<Field, string> = { dst: "dst_reg", src: "src_reg", off: "off", imm: "imm" };

const CLASS_NAMES = ["BPF_LD", "BPF_LDX", "BPF_ST", "BPF_STX", "BPF_ALU", "BPF_JMP", "BPF_JMP32", "BPF_ALU64"];
const ALU_OP_NAMES = ["ADD", "SUB", "MUL", "DIV", "OR", "AND", "LSH", "RSH", "NEG", "MOD", "XOR", "MOV", "ARSH", "END"];
const JMP_OP_NAMES = ["JA", "JEQ", "JGT", "JGE", "JSET", "JNE", "JSGT", "JSGE", "CALL", "EXIT", "JLT", "JLE", "JSLT",
  "JSLE", "JCOND", "TAIL_CALL"];
const SIZE_NAMES = ["BPF_W", "BPF_H", "BPF_B", "BPF_DW"];
const MODE_NAMES = ["BPF_IMM", "BPF_ABS", "BPF_IND", "BPF_MEM", "BPF_MEMSX", "mode 0xa0", "BPF_ATOMIC", "mode 0xe0"];

/** The atomic operations of BPF_W and BPF_DW: add/or/and/xor with and without BPF_FETCH, xchg, cmpxchg. */
const RMW_OPS: readonly number[] = [0x00, 0x40, 0x50, 0xa0].flatMap((op) => [op, op | BPF_FETCH]).concat(BPF_XCHG, BPF_CMPXCHG);
const ACQ_REL_OPS: readonly number[] = [BPF_LOAD_ACQ, BPF_STORE_REL];

const hex2 = (v: number): string => (v & 0xff).toString(16).padStart(2, "0");

/** The opcode byte spelled out as the kernel's macros would build it, e.g. "BPF_STX|BPF_ATOMIC|BPF_DW". */
export function opcodeName(code: number): string {
  const cls = bpfClass(code);
  const c = CLASS_NAMES[cls]!;
  if (cls === BPF_ALU || cls === BPF_ALU64 || cls === BPF_JMP || cls === BPF_JMP32) {
    const ops = cls === BPF_ALU || cls === BPF_ALU64 ? ALU_OP_NAMES : JMP_OP_NAMES;
    const op = ops[bpfOp(code) >> 4];
    const opName = op ? `BPF_${op}` : `op 0x${hex2(bpfOp(code))}`;
    const src = bpfOp(code) === BPF_END && cls !== BPF_ALU64 ? (bpfSrc(code) ? "BPF_TO_BE" : "BPF_TO_LE") : bpfSrc(code) ? "BPF_X" : "BPF_K";
    return `${c}|${opName}|${src}`;
  }
  return `${c}|${MODE_NAMES[bpfMode(code) >> 5]}|${SIZE_NAMES[bpfSize(code) >> 3]}`;
}

/** The form of `x`'s opcode, or why the opcode does not exist. */
function formOf(x: Insn): Form | string {
  switch (bpfClass(x.code)) {
    case BPF_ALU:
    case BPF_ALU64:
      return aluForm(x.code);
    case BPF_JMP:
    case BPF_JMP32:
      return jmpForm(x);
    case BPF_LD:
      return ldForm(x.code);
    case BPF_LDX:
      return ldxForm(x.code);
    case BPF_ST:
      return bpfMode(x.code) === BPF_MEM
        ? { msg: "BPF_ST uses reserved fields", dst: "reg", src: ZERO, off: "any", imm: "any" }
        : `BPF_ST exists only in mode BPF_MEM, not ${MODE_NAMES[bpfMode(x.code) >> 5]}`;
    default:
      return stxForm(x);
  }
}

function aluForm(code: number): Form | string {
  const is64 = bpfClass(code) === BPF_ALU64;
  const isX = bpfSrc(code) === BPF_X;
  const op = bpfOp(code);
  switch (op) {
    case BPF_NEG:
      if (isX) return "BPF_NEG has no BPF_X form";
      return { msg: "BPF_NEG uses reserved fields", dst: "reg", src: ZERO, off: ZERO, imm: ZERO };
    case BPF_END:
      if (is64 && isX) return "BPF_ALU64|BPF_END is the unconditional byte swap and has no BPF_TO_BE form";
      return { msg: "BPF_END uses reserved fields", dst: "reg", src: ZERO, off: ZERO, imm: [16, 32, 64],
        why: { imm: "imm is the width in bits" } };
    case BPF_MOV:
      if (!isX) return { msg: "BPF_MOV uses reserved fields", dst: "reg", src: ZERO, off: ZERO, imm: "any" };
      return { msg: "BPF_MOV uses reserved fields", dst: "reg", src: "reg", off: is64 ? [0, 8, 16, 32] : [0, 8, 16], imm: ZERO,
        why: { off: "off is the sign-extension width of movsx" } };
    case 0xe0:
    case 0xf0:
      return `there is no ALU operation 0x${hex2(op)}`;
    default: {
      const signed = op === BPF_DIV || op === BPF_MOD;
      return { msg: "BPF_ALU uses reserved fields", dst: "reg", src: isX ? "reg" : ZERO, off: signed ? [0, 1] : ZERO,
        imm: isX ? ZERO : "any", why: { off: signed ? "off = 1 selects the signed sdiv/smod" : "only div and mod use off" } };
    }
  }
}

function jmpForm(x: Insn): Form | string {
  const code = x.code;
  const jmp32 = bpfClass(code) === BPF_JMP32;
  const isX = bpfSrc(code) === BPF_X;
  const op = bpfOp(code);
  switch (op) {
    case BPF_JA:
      if (isX) return "BPF_JA has no BPF_X form";
      return jmp32
        ? { msg: "BPF_JA uses reserved fields", dst: ZERO, src: ZERO, off: ZERO, imm: "any", why: { off: "gotol's target is in imm" } }
        : { msg: "BPF_JA uses reserved fields", dst: ZERO, src: ZERO, off: "any", imm: ZERO, why: { imm: "goto's target is in off; gotol is BPF_JMP32" } };
    case BPF_CALL:
      if (jmp32) return "BPF_JMP32 has no BPF_CALL";
      if (isX) return { msg: "BPF_CALL uses reserved fields", dst: "reg", src: ZERO, off: ZERO, imm: ZERO, why: { dst: "callx's target register" } };
      return { msg: "BPF_CALL uses reserved fields", dst: ZERO, src: [0, 1, 2], off: x.src === BPF_PSEUDO_KFUNC_CALL ? "any" : ZERO, imm: "any",
        why: { src: "0 helper, 1 bpf-to-bpf call, 2 kfunc", off: "only kfunc calls use off, for the module BTF index" } };
    case BPF_EXIT:
      if (jmp32) return "BPF_JMP32 has no BPF_EXIT";
      if (isX) return "BPF_EXIT has no BPF_X form";
      return { msg: "BPF_EXIT uses reserved fields", dst: ZERO, src: ZERO, off: ZERO, imm: ZERO };
    case 0xe0:
      return "BPF_JCOND (may_goto) is a kernel extension outside RFC 9669";
    case 0xf0:
      return "BPF_TAIL_CALL exists only inside the kernel, after the verifier rewrote `call bpf_tail_call`";
    default:
      return { msg: "BPF_JMP/JMP32 uses reserved fields", dst: "reg", src: isX ? "reg" : ZERO, off: "any", imm: isX ? ZERO : "any" };
  }
}

function ldForm(code: number): Form | string {
  const mode = bpfMode(code);
  if (mode === BPF_IMM) {
    if (bpfSize(code) !== BPF_DW) return "BPF_LD|BPF_IMM exists only as LD_IMM64 (BPF_DW)";
    return { msg: "BPF_LD_IMM64 uses reserved fields", dst: "reg", src: [0, 1, 2, 3, 4, 5, 6], off: ZERO, imm: "any",
      why: { src: "src_reg is the BPF_PSEUDO_* kind, 0..6" } };
  }
  if (mode === BPF_ABS || mode === BPF_IND) {
    if (bpfSize(code) === BPF_DW) return "the legacy packet loads BPF_ABS/BPF_IND have no BPF_DW size";
    return { msg: "BPF_LD_[ABS|IND] uses reserved fields", dst: ZERO, src: mode === BPF_IND ? "reg" : ZERO, off: ZERO, imm: "any",
      why: { dst: "the result always goes to r0" } };
  }
  return `BPF_LD has no mode ${MODE_NAMES[mode >> 5]}`;
}

function ldxForm(code: number): Form | string {
  const mode = bpfMode(code);
  if (mode !== BPF_MEM && mode !== BPF_MEMSX) return `BPF_LDX has no mode ${MODE_NAMES[mode >> 5]}`;
  if (mode === BPF_MEMSX && bpfSize(code) === BPF_DW) return "BPF_MEMSX has no BPF_DW size (nothing to sign-extend)";
  return { msg: "BPF_LDX uses reserved fields", dst: "reg", src: "reg", off: "any", imm: ZERO };
}

function stxForm(x: Insn): Form | string {
  const code = x.code;
  const mode = bpfMode(code);
  if (mode === BPF_MEM) return { msg: "BPF_STX uses reserved fields", dst: "reg", src: "reg", off: "any", imm: ZERO };
  if (mode !== BPF_ATOMIC) return `BPF_STX has no mode ${MODE_NAMES[mode >> 5]}`;
  const size = bpfSize(code);
  const wide = size === BPF_W || size === BPF_DW;
  const ops = wide ? RMW_OPS.concat(ACQ_REL_OPS) : ACQ_REL_OPS;
  const msg = !wide && RMW_OPS.includes(x.imm) ? "invalid atomic operand size" : `BPF_ATOMIC uses invalid atomic opcode ${hex2(x.imm)}`;
  return { msg, dst: "reg", src: "reg", off: "any", imm: ops,
    why: { imm: wide ? "imm is the atomic operation" : "8- and 16-bit atomics are only load-acquire and store-release" } };
}

/** Options for programs that are not loaded programs. */
export interface ValidateOptions {
  /** Accept r11 (BPF_REG_AX), which only the verifier's rewrites use (an "xlated" program). */
  readonly ax?: boolean;
}

function describeRule(rule: readonly number[], field: Field, atomic: boolean): string {
  const show = (v: number) => (atomic && field === "imm" ? `0x${v.toString(16)}` : String(v));
  if (rule.length === 1) return show(rule[0]!);
  return `one of ${rule.slice(0, -1).map(show).join(", ")} or ${show(rule[rule.length - 1]!)}`;
}

/** The problem with the LD_IMM64 whose first slot is insns[i], given that the first slot itself is well formed. */
function ldImm64Problem(insns: readonly Insn[], i: number): InsnProblem | undefined {
  const x = insns[i]!;
  const next = insns[i + 1];
  if (!next) return { message: "invalid bpf_ld_imm64 insn", detail: "LD_IMM64 takes two slots and the program ends after the first" };
  for (const [field, v] of [["code", next.code], ["dst_reg", next.dst], ["src_reg", next.src], ["off", next.off]] as const) {
    if (v !== 0) return { message: "invalid bpf_ld_imm64 insn", detail: `second slot: ${field} = ${v}, must be 0: it carries only the upper 32 bits, in imm` };
  }
  if ((x.src === BPF_PSEUDO_MAP_FD || x.src === BPF_PSEUDO_MAP_IDX) && next.imm !== 0) {
    return { message: "unrecognized bpf_ld_imm64 insn", detail: `second slot: imm = ${next.imm}, must be 0 for a map fd/index load (src_reg ${x.src})` };
  }
  if ((x.src === 3 || x.src === 4) && next.imm !== 0) {
    return { message: "invalid bpf_ld_imm64 insn", detail: `second slot: imm = ${next.imm}, must be 0 for src_reg ${x.src} (${x.src === 3 ? "BTF id" : "function"})` };
  }
  return undefined;
}

/**
 * The problem with the instruction starting at slot i, or undefined if it is well formed. For LD_IMM64 this checks
 * both slots; callers walking a program skip the second one (as validateProgram does).
 */
export function checkInsn(insns: readonly Insn[], i: number, opts: ValidateOptions = {}): InsnProblem | undefined {
  const x = insns[i];
  if (!x) return { message: "invalid insn idx", detail: `slot ${i} is outside the program (${insns.length} slots)` };
  const form = formOf(x);
  if (typeof form === "string") return { message: `unknown opcode ${hex2(x.code)}`, detail: `${opcodeName(x.code)}: ${form}` };
  const atomic = bpfMode(x.code) === BPF_ATOMIC && bpfClass(x.code) === BPF_STX;
  const fields: Field[] = ["dst", "src", "off", "imm"];
  for (const f of fields) {
    const rule = form[f];
    if (rule === "reg" || rule === "any" || rule.includes(x[f])) continue;
    const shown = atomic && f === "imm" ? `0x${(x.imm >>> 0).toString(16)}` : String(x[f]);
    const why = form.why?.[f];
    return { message: form.msg, detail: `${opcodeName(x.code)}: ${FIELD_NAMES[f]} = ${shown}, must be ${describeRule(rule, f, atomic)}${why ? `: ${why}` : ""}` };
  }
  const regs = opts.ax ? MAX_BPF_REG + 1 : MAX_BPF_REG;
  for (const f of ["dst", "src"] as const) {
    if (form[f] === "reg" && x[f] >= regs) {
      return { message: `R${x[f]} is invalid`, detail: `${opcodeName(x.code)}: ${FIELD_NAMES[f]} = ${x[f]}, registers are r0..r${regs - 1}` };
    }
  }
  return isLdImm64(x) ? ldImm64Problem(insns, i) : undefined;
}

/** The reason the instruction at slot i is malformed ("<kernel message> (<detail>)"), or undefined if it is well formed. */
export function validateInsn(insns: readonly Insn[], i: number, opts: ValidateOptions = {}): string | undefined {
  const p = checkInsn(insns, i, opts);
  return p && `${p.message} (${p.detail})`;
}

/** Every malformed instruction of a program, in order; the second slot of an LD_IMM64 is checked with its first. */
export function validateProgram(insns: readonly Insn[], opts: ValidateOptions = {}): Array<InsnProblem & { index: number }> {
  const problems: Array<InsnProblem & { index: number }> = [];
  for (let i = 0; i < insns.length; i++) {
    const p = checkInsn(insns, i, opts);
    if (p) problems.push({ index: i, ...p });
    if (isLdImm64(insns[i]!)) i++;
  }
  return problems;
}

/** Sizes in the order of their encoding, for tests and generators that enumerate the ISA. */
export const SIZES = [BPF_W, BPF_H, BPF_B, BPF_DW] as const;
/** The atomic operations valid in a given size. */
export function atomicOps(size: number): readonly number[] {
  return size === BPF_W || size === BPF_DW ? RMW_OPS.concat(ACQ_REL_OPS) : size === BPF_B || size === BPF_H ? ACQ_REL_OPS : [];
}
