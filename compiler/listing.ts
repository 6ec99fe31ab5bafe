/**
 * @fileoverview The annotated listing of JITed code: what goldens embed and `rvjit jit --listing` and
 * `--dump-after=encode` print. Per function: the frame (what is saved where relative to s0, the BPF stack, the
 * tail-call counter), then the code, each group of RV64 instructions under the eBPF instruction it came from.
 *
 * Built so that a diff stays local when one instruction changes: no absolute offsets or addresses appear. Branch
 * and jump targets are labels (`.Lbpf12` for the code of eBPF slot 12, `<epilogue>`, `.+8` inside a group), calls
 * name their callee (`bpf_map_lookup_elem`, `bpf_throw`, `<func1>`), and an auipc pair is written with
 * %pcrel_hi/%pcrel_lo of its symbol. Instructions are objdump's text (compiler/riscv/disasm.ts); encodings are
 * left out unless asked for.
 */
import { isLdImm64 } from "./bpf/insn.js";
import { helperName, kfuncName } from "./bpf/helper-names.js";
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
}

/** The listing of every function of a JIT output. */
export function listProgram(out: JitOutput, opts: ListingOptions = {}): string {
  return out.funcs.map((f) => listFunction(f, out.funcs, opts)).join("\n");
}

/** The listing of one function; `all` lets calls name the other functions of the program. */
export function listFunction(f: JitFunction, all: readonly JitFunction[] = [f], opts: ListingOptions = {}): string {
  const lines = [...frameLines(f)];
  const insns = f.insns;
  const decoded = insns.map((x) => decode(x.word));
  const sym = (addr: bigint): string => symbolFor(addr, f, all, opts);
  const texts = instructionTexts(f, decoded, sym, opts);
  const targeted = targetedSlots(f, decoded);
  const show = (k: number): void => {
    const enc = opts.encodings ? `${insns[k]!.word.toString(16).padStart(2 * insns[k]!.size, "0").padEnd(8)}  ` : "";
    lines.push(`\t${enc}${texts[k]}`);
  };
  let k = 0;
  lines.push("<prologue>:");
  for (; k < insns.length && insns[k]!.bpf < 0 && insns[k]!.offset < f.bodyStart; k++) show(k);
  for (let s = 0; s < f.bpf.length; s++) {
    if (targeted.has(s)) lines.push(`.Lbpf${s}:`);
    lines.push(`\t; ${printInsn(f.bpf, s, { xlated: true })}`);
    for (; k < insns.length && insns[k]!.bpf === s; k++) show(k);
    if (isLdImm64(f.bpf[s]!)) s++;
  }
  lines.push("<epilogue>:");
  for (; k < insns.length; k++) show(k);
  return `${lines.join("\n")}\n`;
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

/** objdump's text for each instruction, with PC-relative targets replaced by labels and symbols. */
function instructionTexts(f: JitFunction, decoded: readonly (Decoded | undefined)[], sym: (a: bigint) => string, opts: ListingOptions): string[] {
  const aliases = opts.aliases !== false;
  const texts: string[] = [];
  for (let k = 0; k < f.insns.length; k++) {
    const x = f.insns[k]!;
    const d = decoded[k];
    if (!d) {
      texts.push(`.${x.size}byte\t0x${x.word.toString(16)}`);
      continue;
    }
    const next = decoded[k + 1];
    if (next && isAuipcPair(d, next)) {
      // auipc + jalr (a far call or jump) or auipc + addi (an address): one PC-relative reference
      const name = sym(f.addr + BigInt(x.offset) + BigInt(d.imm) * 4096n + BigInt(next.imm));
      texts.push(`auipc\t${ABI_NAMES[d.rd]},%pcrel_hi(${name})`);
      const link = next.m !== "jalr" ? `addi\t${ABI_NAMES[next.rd]},`
        : !aliases ? `jalr\t${ABI_NAMES[next.rd]},`
        : next.rd === 0 ? "jr\t"
        : `jalr\t${next.rd === 1 ? "" : `${ABI_NAMES[next.rd]},`}`;
      texts.push(`${link}%pcrel_lo(${name})(${ABI_NAMES[next.rs1]})`);
      k++;
      continue;
    }
    const text = disasm(d, 0n, { aliases });
    if (!isPcRel(d)) {
      texts.push(text);
      continue;
    }
    const target = x.offset + d.imm;
    const label = target >= 0 && target < f.code.length ? localLabel(f, target, x.offset) : sym(f.addr + BigInt(target));
    texts.push(text.replace(/0x[0-9a-f]+$/, label));
  }
  return texts;
}
