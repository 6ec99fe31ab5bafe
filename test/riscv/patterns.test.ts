/**
 * @fileoverview Validity against GNU objdump 2.40: every 16-bit pattern, and a large sample of 32-bit patterns
 * (uniformly random, and corpus words with 1-3 bits flipped, which land next to real instructions), listed by us
 * and by objdump for rv64imac_zba_zbb_zbs. A word we call invalid must be one objdump prints as data (`.2byte`,
 * `.4byte`) and vice versa, and every valid word must read the same, except for the encodings EXPECTED lists,
 * each with its reason. One objdump run per corpus.
 */
import { describe, expect, it } from "vitest";
import { decode } from "../../compiler/riscv/decode.js";
import { encode } from "../../compiler/riscv/encode.js";
import { FULL_ISA } from "../../compiler/riscv/isa-config.js";
import { listing, type ListingLine } from "../../compiler/riscv/listing.js";
import { requireTool } from "../support/tools.js";
import { gnuObjdump, llvmObjdump, type ToolLine } from "./external.js";
import { corpus, prng } from "./gen.js";

const as = requireTool("gnuAs");
const objdump = requireTool("gnuObjdump");
const llvm = requireTool("llvmObjdump");
/** binutils 2.40 has no Zacas: against GNU we list without it, and check the Zacas words with llvm-objdump. */
const GNU_ISA = { ...FULL_ISA, zacas: false };

/** Where we and objdump 2.40 knowingly differ. Each rule names the bits it covers and why we are right. */
const EXPECTED: ReadonlyArray<{ why: string; covers: (size: 2 | 4, word: number) => boolean }> = [
  {
    why: "c.addi16sp with nzimm = 0 is reserved (RVC spec); objdump 2.40 decodes it as addi sp,sp,0",
    covers: (size, w) => size === 2 && w === 0x6101,
  },
];

function bytesOfHalfwords(hs: readonly number[]): Uint8Array {
  const b = new Uint8Array(hs.length * 2);
  hs.forEach((h, i) => {
    b[2 * i] = h & 0xff;
    b[2 * i + 1] = h >>> 8;
  });
  return b;
}
function bytesOfWords(ws: readonly number[]): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(4 * i, w >>> 0, true));
  return b;
}

interface Tally {
  lines: number;
  validOurs: number;
  validTool: number;
  expected: Map<string, number>;
  diffs: string[];
}

function tally(ours: readonly ListingLine[], theirs: Map<number, ToolLine>): Tally {
  const t: Tally = { lines: ours.length, validOurs: 0, validTool: 0, expected: new Map(), diffs: [] };
  const isData = (text: string): boolean => /^\.(2|4)byte\t/.test(text);
  for (const l of ours) {
    const tool = theirs.get(l.offset)?.text ?? "<missing>";
    if (l.decoded) t.validOurs++;
    if (!isData(tool) && !/^(c\.)?unimp$/.test(tool)) t.validTool++;
    if (tool === l.text) continue;
    const rule = EXPECTED.find((e) => e.covers(l.size, l.word));
    if (rule && l.decoded === undefined) t.expected.set(rule.why, (t.expected.get(rule.why) ?? 0) + 1);
    else if (t.diffs.length < 25) t.diffs.push(`${l.offset.toString(16)} ${l.word.toString(16)}: ours '${l.text}' objdump '${tool}'`);
    else t.diffs.push("...");
  }
  return t;
}

function report(what: string, t: Tally): void {
  const expected = [...t.expected].map(([why, n]) => `${n} x ${why}`).join("; ");
  console.log(`${what}: ${t.lines} patterns, ${t.validOurs} valid for us, ${t.validTool} for objdump; ` +
    `${t.lines - t.diffs.length - [...t.expected.values()].reduce((a, b) => a + b, 0)} identical` +
    (expected ? `; expected differences: ${expected}` : ""));
}

describe.runIf(as !== undefined && objdump !== undefined && llvm !== undefined)("every pattern, ours vs GNU objdump", () => {
  for (const aliases of [true, false]) {
    it(`all 49,152 16-bit patterns (${aliases ? "aliases" : "no-aliases"})`, () => {
      const hs: number[] = [];
      for (let h = 0; h < 0x10000; h++) if ((h & 3) !== 3) hs.push(h);
      const bytes = bytesOfHalfwords(hs);
      const gnu = gnuObjdump(as!, objdump!, bytes);
      const t = tally(listing(bytes, { aliases }), aliases ? gnu.aliases : gnu.noAliases);
      report(`16-bit ${aliases ? "aliases" : "no-aliases"}`, t);
      expect(t.diffs).toEqual([]);
      expect(t.lines).toBe(49_152);
      expect(t.validOurs).toBeGreaterThan(38_000);
    });
  }

  it("a sample of 300,000 32-bit patterns (both alias modes)", () => {
    const rand = prng(0x32b17);
    const ws: number[] = [];
    const is32 = (w: number): boolean => (w & 3) === 3 && (w & 0x1c) !== 0x1c; // not a 48-bit-or-longer prefix
    while (ws.length < 150_000) {
      const w = rand() >>> 0;
      if (is32(w)) ws.push(w);
    }
    const seeds = corpus(20, 0xfeed).map(({ m, ops }) => encode(m, ops)).filter((w) => (w & 3) === 3);
    while (ws.length < 300_000) {
      let w = seeds[rand() % seeds.length]!;
      for (let k = 1 + (rand() % 3); k > 0; k--) w ^= 1 << (2 + (rand() % 30));
      if (is32(w >>> 0)) ws.push(w >>> 0);
    }
    const bytes = bytesOfWords(ws);
    const gnu = gnuObjdump(as!, objdump!, bytes);
    const zacas = bytesOfWords(ws.filter((w) => decode(w)?.m.startsWith("amocas")));
    for (const aliases of [true, false]) {
      const t = tally(listing(bytes, { aliases, isa: GNU_ISA }), aliases ? gnu.aliases : gnu.noAliases);
      report(`32-bit ${aliases ? "aliases" : "no-aliases"}`, t);
      expect(t.diffs).toEqual([]);
      expect(t.validOurs).toBeGreaterThan(50_000);
      const z = tally(listing(zacas, { aliases }), llvmObjdump(as!, llvm!, zacas, !aliases));
      report(`32-bit Zacas vs llvm-objdump ${aliases ? "aliases" : "no-aliases"}`, z);
      expect(z.diffs).toEqual([]);
      expect(z.lines).toBeGreaterThan(0);
    }
  });
});
