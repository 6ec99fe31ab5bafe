/**
 * @fileoverview eBPF instructions -> the assembly text asm.ts reads (docs/bpf-asm.md), in the kernel/LLVM syntax:
 *
 *   r0 += 5            w1 = (s8)w2          r0 = *(u32 *)(r1 + 8)          lock *(u64 *)(r1 + 0) += r2
 *   r0 s/= r1          r0 = be16 r0         *(u64 *)(r10 - 8) = r1         r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)
 *   if w1 s> 5 goto +2 r1 = 0x123456789 ll  r1 = map[counters] ll          r0 = cmpxchg_64(r1 + 0, r0, r2)
 *   call bpf_throw     call pc+3            callx r2                       w0 = load_acquire((u8 *)(r1 + 0))
 *
 * The syntax tables below are shared with asm.ts, so both sides spell each operation the same way. Everything
 * validate.ts accepts has a spelling; a malformed slot prints as `.8byte 0x...` (the slot as a little-endian 64-bit
 * word, as LLVM's assembler reads it) with the reason as a comment, so every listing assembles back to its bytes.
 */
import type { AsmProgram } from "./asm.js";
import { helperName, kfuncName } from "./helper-names.js";
import { isLdImm64, ldImm64Value, type Insn } from "./insn.js";
import {
  BPF_ABS, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_END, BPF_EXIT, BPF_FETCH, BPF_JA, BPF_JMP,
  BPF_JMP32, BPF_LD, BPF_LDX, BPF_LOAD_ACQ, BPF_MEMSX, BPF_MOV, BPF_NEG, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC,
  BPF_PSEUDO_KFUNC_CALL, BPF_ST, BPF_STORE_REL, BPF_TAIL_CALL, BPF_TO_BE, BPF_X, BPF_XCHG, bpfClass, bpfMode,
  bpfOp, bpfSize, bpfSrc,
} from "./opcodes.js";
import { subprogStarts } from "./subprogs.js";
import { validateInsn } from "./validate.js";

/** ALU operation -> compound assignment (`r0 += r1`); BPF_NEG, BPF_MOV and BPF_END have their own forms. */
export const ALU_SYMBOLS: ReadonlyMap<number, string> = new Map([
  [0x00, "+="], [0x10, "-="], [0x20, "*="], [0x30, "/="], [0x40, "|="], [0x50, "&="], [0x60, "<<="], [0x70, ">>="],
  [0x90, "%="], [0xa0, "^="], [0xc0, "s>>="],
]);
/** Jump operation -> condition (`if r1 s> r2 goto ...`). */
export const JMP_CONDS: ReadonlyMap<number, string> = new Map([
  [0x10, "=="], [0x20, ">"], [0x30, ">="], [0x40, "&"], [0x50, "!="], [0x60, "s>"], [0x70, "s>="], [0xa0, "<"],
  [0xb0, "<="], [0xc0, "s<"], [0xd0, "s<="],
]);
/** Size field -> C type of the access; loads with BPF_MEMSX use the signed spelling. */
export const SIZE_TYPES: ReadonlyMap<number, { u: string; s: string }> = new Map([
  [0x00, { u: "u32", s: "s32" }], [0x08, { u: "u16", s: "s16" }], [0x10, { u: "u8", s: "s8" }], [0x18, { u: "u64", s: "s64" }],
]);
/** Atomic read-modify-write operation -> its `lock` symbol and its BPF_FETCH function name. */
export const ATOMIC_RMW: ReadonlyMap<number, { sym: string; fetch: string }> = new Map([
  [0x00, { sym: "+=", fetch: "atomic_fetch_add" }], [0x40, { sym: "|=", fetch: "atomic_fetch_or" }],
  [0x50, { sym: "&=", fetch: "atomic_fetch_and" }], [0xa0, { sym: "^=", fetch: "atomic_fetch_xor" }],
]);
/** LD_IMM64 src_reg kinds that have a bracketed spelling, `r1 = map[...] ll`. */
export const PSEUDO_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "map"], [2, "map_value"], [3, "btf_id"], [4, "func"], [5, "map_idx"], [6, "map_idx_value"],
]);

export interface PrintOptions {
  /** Names of instruction slots (labels and functions): jumps, calls and func[] to a named slot use the name. */
  readonly labels?: ReadonlyMap<number, string>;
  /**
   * Function names by slot, for bpf-to-bpf calls and func[] loads only (`call f1`, `r1 = func[cb] ll`), ahead of
   * `labels`; jumps keep their offsets. Slots are relative to the `insns` given and may lie outside them (a
   * function's own slice calling another function: its start minus the slice's).
   */
  readonly functions?: ReadonlyMap<number, string>;
  /** Map names by fd (declaration order), for map[name] and map_value[name + off]. */
  readonly maps?: readonly string[];
  /** `call bpf_map_lookup_elem` (default) or `call 1`, as LLVM writes helper calls. */
  readonly helperNames?: boolean;
  /** kfunc names by id (default: the kfuncs rvjit models, helper-names.ts). */
  readonly kfuncs?: ReadonlyMap<number, string>;
  /** The verifier's output: r11 (BPF_REG_AX) and `tail_call` (BPF_JMP | BPF_TAIL_CALL) are printed, not refused. */
  readonly xlated?: boolean;
}

const IDENT = /^[A-Za-z_][\w.]*$/;

/** One instruction (both slots of an LD_IMM64) as assembly text, without indentation. */
export function printInsn(insns: readonly Insn[], i: number, opts: PrintOptions = {}): string {
  const x = insns[i];
  if (!x) throw new RangeError(`printInsn: slot ${i} is outside the program (${insns.length} slots)`);
  if (opts.xlated && x.code === (BPF_JMP | BPF_TAIL_CALL) && x.dst === 0 && x.src === 0 && x.off === 0 && x.imm === 0) return "tail_call";
  const problem = validateInsn(insns, i, { ax: opts.xlated });
  if (problem) return raw(x, problem);
  switch (bpfClass(x.code)) {
    case BPF_ALU:
    case BPF_ALU64:
      return printAlu(x);
    case BPF_JMP:
    case BPF_JMP32:
      return printJmp(x, i, opts);
    case BPF_LD:
      return isLdImm64(x) ? printLdImm64(insns, i, opts) : printLdPacket(x);
    case BPF_LDX:
      return `r${x.dst} = ${mem(x.code, x.src, x.off, bpfMode(x.code) === BPF_MEMSX)}`;
    case BPF_ST:
      return `${mem(x.code, x.dst, x.off)} = ${x.imm}`;
    default:
      return bpfMode(x.code) === BPF_ATOMIC ? printAtomic(x) : `${mem(x.code, x.dst, x.off)} = r${x.src}`;
  }
}

/** A slot as LLVM's `.8byte` directive: the 8 bytes as one little-endian 64-bit word. */
export function raw(x: Insn, why?: string): string {
  const lo = (x.code | (x.dst << 8) | (x.src << 12) | ((x.off & 0xffff) << 16)) >>> 0;
  const word = `0x${(x.imm >>> 0).toString(16).padStart(8, "0")}${lo.toString(16).padStart(8, "0")}`;
  return why ? `.8byte ${word} ; ${why}` : `.8byte ${word}`;
}

const offText = (off: number): string => (off < 0 ? `- ${-off}` : `+ ${off}`);
/** `*(u32 *)(r1 + 8)` */
function mem(code: number, reg: number, off: number, signed = false): string {
  const t = SIZE_TYPES.get(bpfSize(code))!;
  return `*(${signed ? t.s : t.u} *)(r${reg} ${offText(off)})`;
}
/** `pc+3`, `pc-1`: a call or func[] target relative to the next slot, where it has no name. */
export const pcOffset = (rel: number): string => `pc${rel < 0 ? "" : "+"}${rel}`;
/** `+3`, `-1`, or the target's name. */
function target(from: number, rel: number, opts: PrintOptions): string {
  return opts.labels?.get(from + 1 + rel) ?? (rel < 0 ? `${rel}` : `+${rel}`);
}

function printAlu(x: Insn): string {
  const p = bpfClass(x.code) === BPF_ALU64 ? "r" : "w";
  const d = `${p}${x.dst}`;
  const src = bpfSrc(x.code) === BPF_X ? `${p}${x.src}` : `${x.imm}`;
  switch (bpfOp(x.code)) {
    case BPF_NEG:
      return `${d} = -${d}`;
    case BPF_END: {
      const kind = bpfClass(x.code) === BPF_ALU64 ? "bswap" : bpfSrc(x.code) === BPF_TO_BE ? "be" : "le";
      return `r${x.dst} = ${kind}${x.imm} r${x.dst}`;
    }
    case BPF_MOV:
      return x.off ? `${d} = (s${x.off})${src}` : `${d} = ${src}`;
    default:
      return `${d} ${x.off === 1 ? "s" : ""}${ALU_SYMBOLS.get(bpfOp(x.code))!} ${src}`;
  }
}

function printJmp(x: Insn, i: number, opts: PrintOptions): string {
  const op = bpfOp(x.code);
  const p = bpfClass(x.code) === BPF_JMP32 ? "w" : "r";
  if (op === BPF_JA) return bpfClass(x.code) === BPF_JMP32 ? `gotol ${target(i, x.imm, opts)}` : `goto ${target(i, x.off, opts)}`;
  if (op === BPF_EXIT) return "exit";
  if (op === BPF_CALL) return printCall(x, i, opts);
  const src = bpfSrc(x.code) === BPF_X ? `${p}${x.src}` : `${x.imm}`;
  return `if ${p}${x.dst} ${JMP_CONDS.get(op)!} ${src} goto ${target(i, x.off, opts)}`;
}

/** The name of the function at `slot` (a call's or func[]'s target), if one is known. */
function functionAt(slot: number, opts: PrintOptions): string | undefined {
  return opts.functions?.get(slot) ?? opts.labels?.get(slot);
}

function printCall(x: Insn, i: number, opts: PrintOptions): string {
  if (bpfSrc(x.code) === BPF_X) return `callx r${x.dst}`;
  if (x.src === BPF_PSEUDO_CALL) return `call ${functionAt(i + 1 + x.imm, opts) ?? pcOffset(x.imm)}`;
  if (x.src === BPF_PSEUDO_KFUNC_CALL) {
    if (x.off !== 0) return raw(x, `kfunc call with module BTF index ${x.off}: no assembly syntax`);
    return `call ${(opts.kfuncs ? opts.kfuncs.get(x.imm) : kfuncName(x.imm)) ?? `kfunc[${x.imm}]`}`;
  }
  return `call ${(opts.helperNames !== false && helperName(x.imm)) || x.imm}`;
}

/** `12345`, `-1`, or `0x123456789` for anything long. */
function imm64Text(v: bigint): string {
  const s = BigInt.asIntN(64, v);
  return s > -1_000_000n && s < 1_000_000n ? `${s}` : `0x${BigInt.asUintN(64, v).toString(16)}`;
}

function printLdImm64(insns: readonly Insn[], i: number, opts: PrintOptions): string {
  const x = insns[i]!;
  const hi = insns[i + 1]!.imm;
  const d = `r${x.dst}`;
  if (x.src === 0) return `${d} = ${imm64Text(ldImm64Value(insns, i))} ll`;
  const kind = PSEUDO_NAMES.get(x.src)!;
  const mapName = (fd: number) => {
    const n = opts.maps?.[fd];
    return n !== undefined && IDENT.test(n) ? n : `${fd}`;
  };
  const plusOff = (o: number) => (o === 0 ? "" : ` + ${o >>> 0}`);
  switch (x.src) {
    case 1:
      return `${d} = map[${mapName(x.imm)}] ll`;
    case 2:
      return `${d} = map_value[${mapName(x.imm)}${plusOff(hi)}] ll`;
    case BPF_PSEUDO_FUNC:
      return `${d} = func[${functionAt(i + 1 + x.imm, opts) ?? pcOffset(x.imm)}] ll`;
    case 6:
      return `${d} = ${kind}[${x.imm}${plusOff(hi)}] ll`;
    default:
      return `${d} = ${kind}[${x.imm}] ll`;
  }
}

/** Legacy packet loads: `r0 = *(u16 *)skb[12]`, `r0 = *(u8 *)skb[r1 + 14]` (result always in r0). */
function printLdPacket(x: Insn): string {
  const t = SIZE_TYPES.get(bpfSize(x.code))!.u;
  if (bpfMode(x.code) === BPF_ABS) return `r0 = *(${t} *)skb[${x.imm}]`;
  return `r0 = *(${t} *)skb[r${x.src}${x.imm === 0 ? "" : x.imm < 0 ? ` - ${-x.imm}` : ` + ${x.imm}`}]`;
}

function printAtomic(x: Insn): string {
  const t = SIZE_TYPES.get(bpfSize(x.code))!.u;
  const wide = t === "u64";
  const p = wide ? "r" : "w";
  const addr = `r${x.dst} ${offText(x.off)}`;
  if (x.imm === BPF_LOAD_ACQ) return `${p}${x.dst} = load_acquire((${t} *)(r${x.src} ${offText(x.off)}))`;
  if (x.imm === BPF_STORE_REL) return `store_release((${t} *)(${addr}), ${p}${x.src})`;
  if (x.imm === BPF_XCHG) return `${p}${x.src} = ${wide ? "xchg_64" : "xchg32_32"}(${addr}, ${p}${x.src})`;
  if (x.imm === BPF_CMPXCHG) return `${p}0 = ${wide ? "cmpxchg_64" : "cmpxchg32_32"}(${addr}, ${p}0, ${p}${x.src})`;
  const rmw = ATOMIC_RMW.get(x.imm & ~BPF_FETCH)!;
  if (x.imm & BPF_FETCH) return `${p}${x.src} = ${rmw.fetch}((${t} *)(${addr}), ${p}${x.src})`;
  return `lock *(${t} *)(${addr}) ${rmw.sym} ${p}${x.src}`;
}

export interface ListingOptions extends PrintOptions {
  /** Indentation of instructions (labels are not indented). Default four spaces. */
  readonly indent?: string;
  /** A comment to append to the instruction at a slot (` ; text`). */
  readonly annotate?: (slot: number) => string | undefined;
}

/**
 * A whole program as an assembly listing that assembles back to the same instructions: `.exception_callback` and
 * `.func` directives for an AsmProgram, its labels, and generated names (`L<slot>` for jump targets, `func<slot>`
 * for functions) wherever a target has none.
 */
export function printProgram(p: AsmProgram | readonly Insn[], opts: ListingOptions = {}): string {
  const prog = isAsmProgram(p) ? p : undefined;
  const insns = prog ? prog.insns : (p as readonly Insn[]);
  const labels = nameTargets(insns, prog, opts);
  const o: PrintOptions = { ...opts, labels, maps: opts.maps ?? prog?.maps };
  const indent = opts.indent ?? "    ";
  const out: string[] = [];
  if (prog?.exceptionCallback) out.push(`.exception_callback ${prog.exceptionCallback}`);
  const funcs = new Map((prog?.funcs ?? []).map((f) => [f.start, f]));
  const names = namesBySlot(prog, labels);
  for (let i = 0; i < insns.length; i++) {
    const f = funcs.get(i);
    if (f) {
      if (i > 0) out.push("");
      const attrs = [f.linkage, f.args !== undefined && `args=${f.args}`, f.ret && `ret=${f.ret}`].filter(Boolean);
      out.push(`.func ${f.name} ${attrs.join(" ")}`);
    }
    for (const n of names.get(i) ?? []) out.push(`${n}:`);
    const text = printInsn(insns, i, o);
    const note = opts.annotate?.(i);
    out.push(`${indent}${text}${note ? ` ; ${note}` : ""}`);
    if (isLdImm64(insns[i]!) && !text.startsWith(".8byte")) i++;
  }
  const last = funcs.get(insns.length);
  if (last) out.push("", `.func ${last.name} ${last.linkage}`);
  for (const n of names.get(insns.length) ?? []) out.push(`${n}:`);
  return `${out.join("\n")}\n`;
}

function isAsmProgram(p: AsmProgram | readonly Insn[]): p is AsmProgram {
  return !Array.isArray(p);
}

/** One name per slot that needs one: given names first, then the program's own, then generated ones. */
function nameTargets(insns: readonly Insn[], prog: AsmProgram | undefined, opts: PrintOptions): Map<number, string> {
  const starts = new Set<number>([insns.length]);
  for (let i = 0; i < insns.length; i++) {
    starts.add(i);
    if (isLdImm64(insns[i]!) && validateInsn(insns, i, { ax: opts.xlated }) === undefined) i++;
  }
  const labels = new Map([...(opts.labels ?? [])].filter(([slot]) => starts.has(slot)));
  const taken = new Set(labels.values());
  const add = (slot: number, name: string) => {
    if (labels.has(slot) || !starts.has(slot)) return;
    let n = name;
    for (let k = 1; taken.has(n); k++) n = `${name}_${k}`;
    labels.set(slot, n);
    taken.add(n);
  };
  for (const f of prog?.funcs ?? []) add(f.start, f.name);
  for (const [name, slot] of prog?.labels ?? []) add(slot, name);
  for (const s of subprogStarts(insns)) if (s !== 0) add(s, `func${s}`);
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i]!;
    const cls = bpfClass(x.code);
    if ((cls === BPF_JMP || cls === BPF_JMP32) && validateInsn(insns, i, { ax: opts.xlated }) === undefined) {
      const op = bpfOp(x.code);
      if (op === BPF_CALL || op === BPF_EXIT) continue;
      const rel = op === BPF_JA && cls === BPF_JMP32 ? x.imm : x.off;
      add(i + 1 + rel, `L${i + 1 + rel}`);
    }
    if (isLdImm64(x)) i++;
  }
  return labels;
}

/** The label lines to print before each slot: every name the program gave it, or the generated one. */
function namesBySlot(prog: AsmProgram | undefined, labels: ReadonlyMap<number, string>): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const push = (slot: number, n: string) => {
    const l = out.get(slot) ?? [];
    if (!l.includes(n)) out.set(slot, [...l, n]);
  };
  for (const [slot, n] of labels) push(slot, n);
  for (const [n, slot] of prog?.labels ?? []) push(slot, n);
  return out;
}
