/**
 * @fileoverview Reads what `llvm-objdump-19 -d --mcpu=v4` prints for BPF back into instructions, through the
 * assembler (asm/assemble.ts), checking the text against the bytes column where objdump printed one.
 */
import { assemble } from "./asm/assemble.js";
import { AsmError, asmError, type SourcePos } from "./asm/lexer.js";
import type { AsmProgram } from "./asm/program.js";
import { insnsFromHex, insnsToHex, LD_IMM64, type Insn } from "./insn.js";
import { pcOffset, PSEUDO_NAMES, raw } from "./print.js";

/** What parseObjdump read. */
export interface ObjdumpProgram {
  readonly insns: Insn[];
  /** Symbol lines (`0000000000000000 <name>:`) -> the slot they label. */
  readonly symbols: Map<string, number>;
  /** objdump line of each slot. */
  readonly lines: SourcePos[];
  /**
   * Slots taken from the bytes column because the text does not say everything: `<unknown>` (LLVM 19 does not
   * decode load-acquire/store-release), and lines whose text reads back to other bytes. LLVM 19 prints a
   * bpf-to-bpf call like a helper call (`call -0x2`: src_reg lost) and `skb[rN]` without its offset.
   */
  readonly fromBytes: Array<{ slot: number; text: string; reason: string }>;
}

/** `   12:\t<8 or 16 bytes>\t<text>` (address and bytes optional, as --no-leading-addr / --no-show-raw-insn print). */
const OBJDUMP_INSN = /^\s*(?:([0-9]+):\s+)?((?:[0-9a-f]{2} ){7}[0-9a-f]{2}(?: (?:[0-9a-f]{2} ){7}[0-9a-f]{2})?)?\s*(.*)$/;
const OBJDUMP_SYMBOL = /^\s*(?:[0-9a-f]+ )?<([^>]+)>:\s*$/;
const OBJDUMP_SKIP = /^\s*$|file format|^Disassembly of section|^\s*[0-9a-f]+:\s+R_BPF_/;

/**
 * Reads what `llvm-objdump-19 -d --mcpu=v4` prints for BPF (run it with --mcpu=v4: by default LLVM 19 prints the
 * 32-bit atomic fetch operations as plain `lock ... +=`). The text of each line is assembled with `assemble`;
 * where objdump also printed the bytes and they disagree with the text, the bytes win and `fromBytes` says so.
 */
export function parseObjdump(text: string, file = "<objdump>"): ObjdumpProgram {
  const src: string[] = [];
  const srcLines: number[] = [];
  const bytesOf: Array<string | undefined> = [];
  const symbols = new Map<string, number>();
  let slot = 0;
  text.split("\n").forEach((rawLine, k) => {
    const line = rawLine.replace(/\r$/, "");
    const sym = line.match(OBJDUMP_SYMBOL);
    if (sym) return void symbols.set(sym[1]!, slot);
    if (OBJDUMP_SKIP.test(line)) return;
    const m = line.match(OBJDUMP_INSN)!;
    if (m[1] !== undefined && Number(m[1]) !== slot) {
      throw asmError(file, k + 1, 1, line, `expected slot ${slot} here, found ${m[1]}: is a line missing?`);
    }
    const bytes = m[2]?.replace(/ /g, "");
    let body = m[3]!.replace(/\s*<[^<>]*>\s*$/, "").trim();
    if (body === "<unknown>") {
      if (!bytes) throw asmError(file, k + 1, 1, line, "objdump could not decode this instruction and printed no bytes for it");
      body = raw(insnsFromHex(bytes.slice(0, 16))[0]!);
    } else body = fromLdPseudo(body);
    src.push(body);
    srcLines.push(k + 1);
    bytesOf.push(bytes);
    slot += bytes && bytes.length === 32 ? 2 : body.endsWith(" ll") ? 2 : 1;
  });
  let p: AsmProgram;
  try {
    p = assemble(src.join("\n"), file);
  } catch (e) {
    if (!(e instanceof AsmError)) throw e;
    const n = srcLines[e.pos.line - 1]!;
    throw asmError(file, n, 1, text.split("\n")[n - 1]!, e.reason);
  }
  return { ...checkAgainstBytes(p, src, bytesOf), symbols, lines: p.lines.map((pos) => ({ file, line: srcLines[pos.line - 1]!, col: 1 })) };
}

/** LLVM's `ld_pseudo rD, K, IMM` (an LD_IMM64 with src_reg K) in our syntax; the second slot's imm is not printed. */
function fromLdPseudo(body: string): string {
  const m = body.match(/^ld_pseudo\s+(r[0-9]+),\s*(\S+),\s*(-?\S+)$/);
  if (!m) return body;
  const kind = PSEUDO_NAMES.get(Number(m[2]));
  if (!kind) return body;
  const imm = Number(m[3]);
  return `${m[1]} = ${kind}[${kind === "func" ? pcOffset(imm) : imm}] ll`;
}

/** The assembled text, slot by slot against objdump's bytes: where they differ, the bytes win. */
function checkAgainstBytes(p: AsmProgram, src: string[], bytesOf: Array<string | undefined>): Pick<ObjdumpProgram, "insns" | "fromBytes"> {
  const insns = p.insns.slice();
  const fromBytes: ObjdumpProgram["fromBytes"] = [];
  for (let i = 0, line = 0; i < insns.length; line++) {
    const n = insns[i]!.code === LD_IMM64 ? 2 : 1;
    const bytes = bytesOf[line];
    const ours = insnsToHex(insns.slice(i, i + n));
    if (bytes && bytes.length === ours.length && bytes !== ours) {
      insns.splice(i, n, ...insnsFromHex(bytes));
      fromBytes.push({ slot: i, text: src[line]!, reason: `the text reads back as ${ours}, the bytes are ${bytes}` });
    } else if (src[line]!.startsWith(".8byte")) {
      fromBytes.push({ slot: i, text: "<unknown>", reason: "objdump could not decode it" });
    }
    i += n;
  }
  return { insns, fromBytes };
}
