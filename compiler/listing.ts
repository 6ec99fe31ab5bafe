/**
 * @fileoverview The annotated listing of JITed code: what goldens embed and `rvjit jit --listing` and
 * `--dump-after=encode` print. Per function: the frame (what is saved where relative to s0, the BPF stack, the
 * tail-call counter), then the code, each group of RV64 instructions under the eBPF instruction it came from.
 *
 * Built so that a diff stays local when one instruction changes: no absolute offsets or addresses appear. Branch
 * and jump targets are labels (`.Lbpf12` for the code of eBPF slot 12, `<epilogue>`, `.+8` inside a group), calls
 * name their callee (`bpf_map_lookup_elem`, `bpf_throw`, `<func1>`), and an auipc pair is written with
 * %pcrel_hi/%pcrel_lo of its symbol; bpf-to-bpf calls and func[] loads name their callee in the eBPF annotation
 * too (`call double`). Instructions are objdump's text (compiler/riscv/disasm.ts); encodings are left out unless
 * asked for. With `fold`, a run of identical instructions with identical code is listed once, with its count.
 */
import { isLdImm64 } from "./bpf/insn.js";
import { helperName, kfuncName } from "./bpf/helper-names.js";
import { BPF_JMP, BPF_JMP32, bpfClass } from "./bpf/opcodes.js";
import { printInsn } from "./bpf/print.js";
import { CALL_BASE, HELPER_STRIDE, KFUNC_BASE, PER_CPU_OFFSET_ADDR } from "./kernel-abi.js";
import { decode, type Decoded } from "./riscv/decode.js";
import { disasm } from "./riscv/disasm.js";
import { ABI_NAMES } from "./riscv/regs.js";
import type { JitFunction, JitOutput } from "./pipeline.js";

export interface ListingOptions {
  /** Show each instruction's encoding (hex) before it. */
  encodings?: boolean;
  /** objdump aliases (default true). */
  aliases?: boolean;
  /** Names an absolute address outside the function (helpers, kfuncs, functions of the program by default). */
  symbolize?: (addr: bigint) => string | undefined;
  /**
   * Fold a run of consecutive eBPF instructions that are the same instruction compiled to the same code into one
   * group, `; r0 += 1   (x32760: each compiles to the code below)`, so that thousands of filler instructions do
   * not make a listing (or a golden) huge. A jump target, or any one instruction whose code differs, breaks the run.
   */
  fold?: boolean;
}

/** The listing of every function of a JIT output. */
export function listProgram(out: JitOutput, opts: ListingOptions = {}): string {
  return out.funcs.map((f) => listFunction(f, out.funcs, opts)).join("\n");
}

/** eBPF slot `slot` of a function and its code: instructions [lo, hi) of `f.insns`. */
interface Unit {
  slot: number;
  lo: number;
  hi: number;
}

/** The listing of one function; `all` lets calls name the other functions of the program. */
export function listFunction(f: JitFunction, all: readonly JitFunction[] = [f], opts: ListingOptions = {}): string {
  const lines = [...frameLines(f)];
  const insns = f.insns;
  const decoded = insns.map((x) => decode(x.word));
  const sym = (addr: bigint): string => symbolFor(addr, f, all, opts);
  const text = instructionTexts(f, decoded, sym, opts);
  const targeted = targetedSlots(f, decoded);
  // bpf-to-bpf calls and func[] loads name their callee: slots relative to this function's slice
  const functions = new Map(all.map((g) => [g.bpfStart - f.bpfStart, g.name]));
  const bpfText = (s: number): string => printInsn(f.bpf, s, { xlated: true, functions });
  const show = (k: number): void => {
    const enc = opts.encodings ? `${insns[k]!.word.toString(16).padStart(2 * insns[k]!.size, "0").padEnd(8)}  ` : "";
    lines.push(`\t${enc}${text(k)}`);
  };
  let k = 0;
  lines.push("<prologue>:");
  for (; k < insns.length && insns[k]!.bpf < 0 && insns[k]!.offset < f.bodyStart; k++) show(k);
  const units: Unit[] = [];
  for (let s = 0; s < f.bpf.length; s++) {
    const lo = k;
    for (; k < insns.length && insns[k]!.bpf === s; k++);
    units.push({ slot: s, lo, hi: k });
    if (isLdImm64(f.bpf[s]!)) s++;
  }
  for (let u = 0; u < units.length; ) {
    const first = units[u]!;
    let n = 1;
    if (opts.fold) {
      while (u + n < units.length && !targeted.has(units[u + n]!.slot) && sameUnit(f, first, units[u + n]!, decoded, text, bpfText)) n++;
    }
    if (targeted.has(first.slot)) lines.push(`.Lbpf${first.slot}:`);
    lines.push(`\t; ${bpfText(first.slot)}${n > 1 ? `   (x${n}: each compiles to the code below)` : ""}`);
    for (let j = first.lo; j < first.hi; j++) show(j);
    u += n;
  }
  lines.push("<epilogue>:");
  for (; k < insns.length; k++) show(k);
  return `${lines.join("\n")}\n`;
}

/**
 * Whether two slots would list the same: the same eBPF instruction (and text, for jumps and calls, whose targets
 * are relative) compiled to the same words (and text, where a word is PC-relative and its label could differ).
 */
function sameUnit(f: JitFunction, a: Unit, b: Unit, decoded: readonly (Decoded | undefined)[], text: (k: number) => string, bpfText: (s: number) => string): boolean {
  if (a.hi - a.lo !== b.hi - b.lo) return false;
  const x = f.bpf[a.slot]!, y = f.bpf[b.slot]!;
  if (x.code !== y.code || x.dst !== y.dst || x.src !== y.src || x.off !== y.off || x.imm !== y.imm) return false;
  if (isLdImm64(x) && f.bpf[a.slot + 1]!.imm !== f.bpf[b.slot + 1]!.imm) return false;
  const cls = bpfClass(x.code);
  if ((cls === BPF_JMP || cls === BPF_JMP32 || isLdImm64(x)) && bpfText(a.slot) !== bpfText(b.slot)) return false;
  let relative = false;
  for (let j = 0; j < a.hi - a.lo; j++) {
    const p = f.insns[a.lo + j]!, q = f.insns[b.lo + j]!;
    if (p.word !== q.word || p.size !== q.size) return false;
    const d = decoded[a.lo + j];
    if (d && (isPcRel(d) || d.m === "auipc")) relative = true;
  }
  if (!relative) return true;
  for (let j = 0; j < a.hi - a.lo; j++) if (text(a.lo + j) !== text(b.lo + j)) return false;
  return true;
}

/** The frame, relative to s0 (the caller's sp): saved registers, BPF stack, tail-call counter. */
function frameLines(f: JitFunction): string[] {
  const { stackAdjust, bpfStackAdjust, saved, tccReg } = f.frame;
  const role = f.isExceptionCb ? ", exception callback" : f.isExceptionBoundary ? ", exception boundary" : "";
  const out = [`; ${f.name} (function ${f.index}${role})`, `; frame: ${stackAdjust} bytes, sp = s0 - ${stackAdjust}`];
  const who = f.isExceptionCb ? "restored (saved by the boundary, whose frame this callback adopts via a2)" : "saved";
  for (const { reg, offset } of saved) out.push(`;   s0${offset}\t${ABI_NAMES[reg]} ${who}${reg === 8 ? " (caller's s0)" : ""}`);
  if (bpfStackAdjust > 0) {
    const top = stackAdjust - bpfStackAdjust;
    out.push(`;   s0-${stackAdjust} .. s0-${top}\tBPF stack, ${bpfStackAdjust} bytes; R10 = s5 = s0-${top}`);
  } else out.push(";   no BPF stack");
  if (tccReg !== undefined) out.push(`;   tail-call counter in ${ABI_NAMES[tccReg]}`);
  return out;
}

const isPcRel = (d: Decoded): boolean => d.m === "jal" || d.m === "c.j" || d.m === "c.beqz" || d.m === "c.bnez" || /^b(eq|ne|lt|ge|ltu|geu)$/.test(d.m);

const isAuipcPair = (d: Decoded, next: Decoded): boolean =>
  d.m === "auipc" && next.rs1 === d.rd && (next.m === "jalr" || (next.m === "addi" && next.rd === d.rd));

/** Slot whose code starts at byte `off`, the lowest if several (empty) slots share it. */
function slotAt(f: JitFunction, off: number): number | undefined {
  const s = f.lineMap.indexOf(off);
  return s >= 0 ? s : undefined;
}

/** Label for byte `target` of this function, as seen from the instruction at `from`. */
function localLabel(f: JitFunction, target: number, from: number): string {
  if (target === f.epilogueStart) return "<epilogue>";
  const s = slotAt(f, target);
  if (s !== undefined && target >= f.bodyStart) return `.Lbpf${s}`;
  const rel = target - from;
  return rel >= 0 ? `.+${rel}` : `.${rel}`;
}

function targetedSlots(f: JitFunction, decoded: readonly (Decoded | undefined)[]): Set<number> {
  const set = new Set<number>();
  f.insns.forEach((x, k) => {
    const d = decoded[k];
    if (!d) return;
    let target: number | undefined;
    if (isPcRel(d)) target = x.offset + d.imm;
    const next = decoded[k + 1];
    if (next && isAuipcPair(d, next)) target = x.offset + d.imm * 4096 + next.imm;
    if (target === undefined || target === f.epilogueStart || target < f.bodyStart || target >= f.code.length) return;
    const s = slotAt(f, target);
    if (s !== undefined) set.add(s);
  });
  return set;
}

function symbolFor(addr: bigint, f: JitFunction, all: readonly JitFunction[], opts: ListingOptions): string {
  const rel = addr - f.addr;
  if (rel >= 0n && rel < BigInt(f.code.length)) return localLabel(f, Number(rel), -1);
  const user = opts.symbolize?.(addr);
  if (user !== undefined) return user;
  const fn = all.find((g) => g.addr === addr);
  if (fn) return `<${fn.name}>`;
  if (addr === PER_CPU_OFFSET_ADDR) return "__per_cpu_offset";
  for (const [base, name] of [[CALL_BASE, helperName], [KFUNC_BASE, kfuncName]] as const) {
    const d = addr - base;
    if (d >= 0n && d % HELPER_STRIDE === 0n && d / HELPER_STRIDE < 0x400n) {
      const id = Number(d / HELPER_STRIDE);
      return name(id) ?? `${base === CALL_BASE ? "helper" : "kfunc"}#${id}`;
    }
  }
  return `0x${BigInt.asUintN(64, addr).toString(16)}`;
}

/**
 * objdump's text of instruction k, with PC-relative targets replaced by labels and symbols; computed on first use
 * (a folded listing prints few of them).
 */
function instructionTexts(f: JitFunction, decoded: readonly (Decoded | undefined)[], sym: (a: bigint) => string, opts: ListingOptions): (k: number) => string {
  const aliases = opts.aliases !== false;
  const n = f.insns.length;
  // An auipc pair is read as one reference; which instructions pair up is decided from the start, as objdump reads.
  const pairSecond = new Uint8Array(n);
  for (let k = 0; k + 1 < n; k++) {
    const d = decoded[k];
    const next = decoded[k + 1];
    if (d && next && isAuipcPair(d, next)) pairSecond[++k] = 1;
  }
  const texts: (string | undefined)[] = new Array(n);
  const compute = (k: number): void => {
    const x = f.insns[k]!;
    const d = decoded[k];
    if (!d) {
      texts[k] = `.${x.size}byte\t0x${x.word.toString(16)}`;
      return;
    }
    const next = decoded[k + 1];
    if (k + 1 < n && pairSecond[k + 1] && next) {
      // auipc + jalr (a far call or jump) or auipc + addi (an address): one PC-relative reference
      const name = sym(f.addr + BigInt(x.offset) + BigInt(d.imm) * 4096n + BigInt(next.imm));
      texts[k] = `auipc\t${ABI_NAMES[d.rd]},%pcrel_hi(${name})`;
      const link = next.m !== "jalr" ? `addi\t${ABI_NAMES[next.rd]},`
        : !aliases ? `jalr\t${ABI_NAMES[next.rd]},`
        : next.rd === 0 ? "jr\t"
        : `jalr\t${next.rd === 1 ? "" : `${ABI_NAMES[next.rd]},`}`;
      texts[k + 1] = `${link}%pcrel_lo(${name})(${ABI_NAMES[next.rs1]})`;
      return;
    }
    const t = disasm(d, 0n, { aliases });
    if (!isPcRel(d)) {
      texts[k] = t;
      return;
    }
    const target = x.offset + d.imm;
    const label = target >= 0 && target < f.code.length ? localLabel(f, target, x.offset) : sym(f.addr + BigInt(target));
    texts[k] = t.replace(/0x[0-9a-f]+$/, label);
  };
  return (k) => {
    if (texts[k] === undefined) compute(pairSecond[k] ? k - 1 : k);
    return texts[k]!;
  };
}
