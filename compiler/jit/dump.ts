/**
 * @fileoverview Text of each JIT stage, for `--dump-after=<pass>`: the same style as the listing
 * (compiler/listing.ts) — eBPF instruction as a comment, RV64 instructions under it, no absolute addresses — with
 * what the stage has decided so far: position-dependent code is shown symbolically until the layout fixes it.
 */
import { isLdImm64 } from "../bpf/insn.js";
import { printInsn } from "../bpf/print.js";
import { helperName, kfuncName } from "../bpf/helper-names.js";
import { CALL_BASE, HELPER_STRIDE, KFUNC_BASE, PER_CPU_OFFSET_ADDR } from "../kernel-abi.js";
import { listFunction } from "../listing.js";
import { decode } from "../riscv/decode.js";
import { disasm } from "../riscv/disasm.js";
import { ABI_NAMES } from "../riscv/regs.js";
import type { JitFunction } from "../passes/encode.js";
import type { Fixed } from "../passes/fixup-branches.js";
import type { Lowered, LoweredFunc } from "../passes/lower.js";
import type { RegMapped } from "../passes/map-registers.js";
import type { FrameCode, Framed } from "../passes/prologue-epilogue.js";
import type { JitFunc, Split } from "../passes/split-functions.js";
import { BPF_TO_RV, SEEN_CALL, SEEN_TAIL_CALL, TRACKED, seenBit } from "./bpf-regs.js";
import { BRANCH_FORMS, JUMP_FORMS, branchForm, jumpForm } from "./branch.js";
import { type CodeBuf, insnHw, VK } from "./code.js";
import type { FrameLayout } from "./frame.js";

export const STAGES = ["split", "map-registers", "lower", "prologue-epilogue", "fixup-branches", "encode"] as const;
export type StageName = (typeof STAGES)[number];

export function dumpStage(name: StageName, value: unknown): string {
  switch (name) {
    case "split":
      return (value as Split).funcs.map(splitText).join("\n");
    case "map-registers":
      return mappedText(value as RegMapped);
    case "lower":
      return (value as Lowered).funcs.map((f) => bodyText(f, undefined)).join("\n");
    case "prologue-epilogue":
      return (value as Framed).funcs.map(frameText).join("\n");
    case "fixup-branches":
      return (value as Fixed).funcs.map((f) => `; ${f.fn.name}: ${f.passes - 1} sizing passes (+1 final), ${2 * f.allocHw} bytes allocated\n${bodyText(f, f.layout)}`).join("\n");
    case "encode": {
      const funcs = value as JitFunction[];
      return funcs.map((f) => listFunction(f, funcs)).join("\n");
    }
  }
}

function header(fn: JitFunc): string {
  const role = fn.isExceptionCb ? ", exception callback" : fn.isExceptionBoundary ? ", exception boundary" : "";
  return `; ${fn.name} (function ${fn.index}${role}): insns ${fn.start}..${fn.start + fn.insns.length - 1}, stack depth ${fn.stackDepth}`;
}

function splitText(fn: JitFunc): string {
  const lines = [header(fn)];
  for (let s = 0; s < fn.insns.length; s++) {
    const callee = fn.callee.get(s);
    lines.push(`\t${printInsn(fn.insns, s, { xlated: true })}${callee !== undefined ? `\t; -> function ${callee}` : ""}`);
    if (isLdImm64(fn.insns[s]!)) s++;
  }
  return `${lines.join("\n")}\n`;
}

function seenText(flags: number): string {
  const parts = TRACKED.filter((r) => flags & seenBit(r)).map((r) => ABI_NAMES[r]);
  if (flags & SEEN_CALL) parts.unshift("calls");
  if (flags & SEEN_TAIL_CALL) parts.unshift("tail calls");
  return parts.length ? parts.join(", ") : "nothing";
}

function mappedText(m: RegMapped): string {
  const map = Array.from(BPF_TO_RV, (rv, r) => `${r === 11 ? "ax" : `r${r}`}=${ABI_NAMES[rv]}`).join(" ");
  const lines = [`; register map: ${map}; tcc=a6 (s6 across calls), scratch t1 t2 t3`];
  m.split.funcs.forEach((fn, k) => {
    const s = m.seen[k]!;
    lines.push(header(fn), `;   seen: ${seenText(s.final)}${s.discovery !== s.final ? ` (first pass: ${seenText(s.discovery)})` : ""}`);
  });
  return `${lines.join("\n")}\n`;
}

/** The fixed op whose code starts at halfword p, as objdump text (local branches as .+N). */
function opText(b: CodeBuf, p: number): string {
  const size = insnHw(b.code[p]!);
  const d = decode(size === 2 ? (b.code[p]! | (b.code[p + 1]! << 16)) >>> 0 : b.code[p]!);
  if (!d) return `.${2 * size}byte (not an instruction)`;
  return disasm(d, 0n).replace(/0x[0-9a-f]+$/, (h) => (/^(b|j)/.test(d.m) ? (BigInt.asIntN(64, BigInt(h)) >= 0n ? `.+${BigInt(h)}` : `.${BigInt.asIntN(64, BigInt(h))}`) : h));
}

function addrName(a: bigint): string {
  if (a === PER_CPU_OFFSET_ADDR) return "__per_cpu_offset";
  for (const [base, name] of [[CALL_BASE, helperName], [KFUNC_BASE, kfuncName]] as const) {
    const d = a - base;
    if (d >= 0n && d % HELPER_STRIDE === 0n && d / HELPER_STRIDE < 0x400n) return name(Number(d / HELPER_STRIDE)) ?? `0x${a.toString(16)}`;
  }
  return `0x${BigInt.asUintN(64, a).toString(16)}`;
}

const COND = new Map([[0x10, "eq"], [0x20, "gtu"], [0x30, "geu"], [0x50, "ne"], [0x60, "gt"], [0x70, "ge"], [0xa0, "ltu"], [0xb0, "leu"], [0xc0, "lt"], [0xd0, "le"]]);

/** A var item, symbolically, plus the form the layout chose when there is one. */
function varText(f: LoweredFunc, v: number, layout: Fixed["funcs"][number]["layout"] | undefined): string {
  const b = f.body;
  const r = (x: number): string => ABI_NAMES[x]!;
  const target = b.vtarget[v]!;
  const slot = target === f.fn.insns.length ? "<epilogue>" : `.Lbpf${target}`;
  const off = layout?.rvoff[v];
  const form = (names: readonly { name: string }[], i: number): string => (layout ? `\t; ${names[i]!.name} ${off! >= 0 ? "+" : ""}${off}` : "");
  switch (b.vk[v]) {
    case VK.Branch:
      return `b${COND.get(b.vcond[v]!)}\t${r(b.va[v]!)},${r(b.vb[v]!)},${slot}${form(BRANCH_FORMS, layout ? branchForm(off!) : 0)}`;
    case VK.TailOut:
      return `b${COND.get(b.vcond[v]!)}\t${r(b.va[v]!)},${r(b.vb[v]!)},<out>${form(BRANCH_FORMS, layout ? branchForm(off!) : 0)}`;
    case VK.Jump:
      return `j\t${slot}${form(JUMP_FORMS, layout ? jumpForm(off!, true) : 0)}`;
    case VK.JumpEpilogue:
      return `j\t<epilogue>${form(JUMP_FORMS, layout ? jumpForm(off!, true) : 0)}`;
    case VK.CallFixed:
      return `call\t${addrName(b.vaddr[v]!)}${form(JUMP_FORMS, layout ? jumpForm(off!, true) : 0)}`;
    case VK.CallBpf:
      return `call\t<function ${target}>${layout ? "\t; AUIPC_JALR" : ""}`;
    case VK.Addr:
      return `la\t${r(b.va[v]!)},${target >= 0 ? `<function ${target}>` : addrName(b.vaddr[v]!)}`;
    case VK.TailEpilogue:
      return "<tail-call epilogue>";
  }
  return "?";
}

function bodyText(f: LoweredFunc, layout: Fixed["funcs"][number]["layout"] | undefined): string {
  const b = f.body;
  const lines = [header(f.fn)];
  let p = 0; // where the next fixed op's code starts
  let v = 0; // the next var item
  for (let u = 0; u < b.nu; u++) {
    const first = b.uSlot[u]!;
    for (let s = first; s < b.uSlot[u + 1]!; s++) {
      lines.push(`\t; ${printInsn(f.fn.insns, s, { xlated: true })}`);
      if (isLdImm64(f.fn.insns[s]!)) s++;
    }
    // the unit's fixed ops and var items in emission order: a var item comes before the op that starts where it sits
    while (p < b.uStart[u + 1]! || v < b.uVar[u + 1]!) {
      if (v < b.uVar[u + 1]! && b.vpos[v]! <= p) lines.push(`\t${varText(f, v++, layout)}`);
      else {
        lines.push(`\t${opText(b, p)}`);
        p += insnHw(b.code[p]!);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

function layoutText(l: FrameLayout): string {
  const saved = l.saved.map((s) => `${ABI_NAMES[s.reg]}@s0${s.offset}`).join(" ");
  return `; frame ${l.stackAdjust} bytes (BPF stack ${l.bpfStackAdjust}): ${saved}${l.tccReg !== undefined ? `; tcc in ${ABI_NAMES[l.tccReg]}` : ""}`;
}

function codeText(title: string, b: CodeBuf): string[] {
  const lines = [`<${title}>:`];
  for (let p = 0; p < b.hw; p += insnHw(b.code[p]!)) lines.push(`\t${opText(b, p)}`);
  return lines;
}

function frameText(f: Framed["funcs"][number]): string {
  const variant = (c: FrameCode, which: string): string[] => [
    `${layoutText(c.layout)}${which}`,
    ...codeText("prologue", c.prologue),
    ...codeText("epilogue", c.epilogue),
    ...(f.seen.final & SEEN_TAIL_CALL ? codeText("tail-call epilogue", c.tailEpilogue) : []),
  ];
  const lines = [header(f.fn), ...variant(f.steady, "")];
  if (f.first !== f.steady) lines.push(...variant(f.first, " (first sizing pass only)"));
  return `${lines.join("\n")}\n`;
}
