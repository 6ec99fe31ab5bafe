/**
 * @fileoverview Cross-check with LLVM 19: the generated corpus (every opcode, size, mode, atomic operation and
 * condition, K and X, 32 and 64 bits, edge immediates and offsets) printed by print.ts and assembled by llvm-mc-19
 * gives the corpus's bytes; llvm-objdump-19's text of those bytes reads back through parseObjdump to the same bytes.
 * One llvm-mc process for the whole corpus, one objdump per output style.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assemble, parseObjdump } from "../../compiler/bpf/asm.js";
import { insn, insnsToHex, type Insn } from "../../compiler/bpf/insn.js";
import { printInsn, printProgram } from "../../compiler/bpf/print.js";
import { validateInsn } from "../../compiler/bpf/validate.js";
import { requireTool } from "../support/tools.js";
import { corpus } from "./corpus.js";
import { elfText } from "./elf-text.js";

const mc = requireTool("llvmMc");
const objdump = requireTool("llvmObjdump");

/** The LLVM-readable corpus as one program, plus bpf-to-bpf calls to slot 0 (labelled, so LLVM can spell them). */
function llvmProgram(): { insns: Insn[]; pseudoCalls: number[] } {
  const insns = corpus().filter((e) => e.llvm).flatMap((e) => e.insns);
  const pseudoCalls: number[] = [];
  for (let k = 0; k < 4; k++) {
    pseudoCalls.push(insns.length);
    insns.push(insn(0x85, 0, 1, 0, -insns.length - 1));
  }
  return { insns, pseudoCalls };
}

describe.skipIf(!mc || !objdump)("LLVM 19 agrees with the assembler and printer", () => {
  const { insns, pseudoCalls } = llvmProgram();
  const text = printProgram(insns, { labels: new Map([[0, "corpus_start"]]), helperNames: false });
  let dir = "";
  let llvmBytes: Uint8Array;
  let dumpWithBytes = "";
  let dumpTextOnly = "";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rvjit-bpf-llvm-"));
    writeFileSync(join(dir, "corpus.s"), text);
    execFileSync(mc!, ["-triple=bpfel", "-mcpu=v4", "-filetype=obj", join(dir, "corpus.s"), "-o", join(dir, "corpus.o")]);
    llvmBytes = elfText(readFileSync(join(dir, "corpus.o")));
    const od = (extra: string[]) => execFileSync(objdump!, ["-d", "--mcpu=v4", ...extra, join(dir, "corpus.o")], { encoding: "utf8", maxBuffer: 64 << 20 });
    dumpWithBytes = od([]);
    dumpTextOnly = od(["--no-show-raw-insn"]);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("covers a large corpus", () => {
    expect(insns.length).toBeGreaterThan(900);
  });

  it("llvm-mc-19 assembles our text to our bytes, slot by slot", () => {
    const ours = insnsToHex(insns);
    const theirs = Buffer.from(llvmBytes).toString("hex");
    const diffs: string[] = [];
    for (let i = 0; i < insns.length; i++) {
      const a = ours.slice(16 * i, 16 * i + 16);
      const b = theirs.slice(16 * i, 16 * i + 16);
      if (a !== b) diffs.push(`slot ${i}: '${printInsn(insns, i, { helperNames: false })}' ours ${a} llvm ${b}`);
    }
    expect(diffs.slice(0, 20)).toEqual([]);
    expect(theirs.length).toBe(ours.length);
  });

  it("our assembler reads the same text to the same bytes", () => {
    expect(insnsToHex(assemble(text, "corpus.s").insns)).toBe(insnsToHex(insns));
  });

  it("llvm-objdump-19 -d reads back to the same bytes; only bpf-to-bpf calls need the bytes column", () => {
    const p = parseObjdump(dumpWithBytes, "corpus.dump");
    expect(insnsToHex(p.insns)).toBe(insnsToHex(insns));
    expect(p.fromBytes.map((f) => f.slot)).toEqual(pseudoCalls);
    expect(p.fromBytes[0]!.text).toMatch(/^call -0x[0-9a-f]+$/);
    expect(p.symbols.get("corpus_start")).toBe(0);
  });

  it("llvm-objdump-19 --no-show-raw-insn reads back from the text alone, except the src_reg of bpf-to-bpf calls", () => {
    const p = parseObjdump(dumpTextOnly, "corpus.dump");
    expect(p.fromBytes).toEqual([]);
    const expected = insns.map((x, i) => (pseudoCalls.includes(i) ? insn(x.code, x.dst, 0, x.off, x.imm) : x));
    expect(insnsToHex(p.insns)).toBe(insnsToHex(expected));
    expect(p.lines[1]!.line).toBeGreaterThan(p.lines[0]!.line);
  });

  it("every instruction of the corpus is well formed", () => {
    const bad = insns.map((_, i) => validateInsn(insns, i)).filter((r, i) => r && !(i > 0 && insns[i - 1]!.code === 0x18));
    expect(bad).toEqual([]);
  });
});
