/**
 * @fileoverview A listing of raw machine code, line for line what `objdump -d` prints for the same bytes in a
 * code section: offset, the instruction's hex, its text. Bytes that do not decode print as objdump prints them
 * (`.2byte 0x4`, `.4byte 0x...`; the two canonical illegal encodings as `unimp`), and the listing keeps objdump's
 * address comments (see AddressTracker in disasm.ts).
 */
import { decode, type Decoded, lengthOf } from "./decode.js";
import { AddressTracker, disasm } from "./disasm.js";
import type { IsaConfig } from "./isa-config.js";

export interface ListingOptions {
  /** objdump's aliases (default true); false is `-M no-aliases`. */
  aliases?: boolean;
  /** Extensions to decode (default: all of the table's). */
  isa?: IsaConfig;
  /** Address of the first byte (default 0). */
  base?: bigint;
}

export interface ListingLine {
  /** Byte offset from the start of the buffer. */
  offset: number;
  size: 2 | 4;
  /** The instruction bits (a halfword for 2-byte lines). */
  word: number;
  text: string;
  /** Undefined for bytes that are not an instruction of the ISA. */
  decoded?: Decoded;
}

/** What objdump prints for bits that are not an instruction: unimp for the defined-illegal ones, else raw data. */
function undecodable(word: number, size: 2 | 4, aliases: boolean): string {
  if (size === 2 && word === 0) return aliases ? "unimp" : "c.unimp"; // all-zero halfword: c.unimp
  if (size === 4 && word === 0xc0001073) return "unimp"; // csrrw zero,cycle,zero
  return `.${size}byte\t0x${word.toString(16)}`;
}

/** Disassembles `bytes` (little-endian) from offset 0 to the end; a trailing odd byte is dropped. */
export function listing(bytes: Uint8Array, opts: ListingOptions = {}): ListingLine[] {
  const aliases = opts.aliases !== false;
  const base = opts.base ?? 0n;
  const tracker = new AddressTracker();
  const lines: ListingLine[] = [];
  let p = 0;
  while (p + 2 <= bytes.length) {
    const lo = bytes[p]! | (bytes[p + 1]! << 8);
    const full = lengthOf(lo);
    const size: 2 | 4 = full === 4 && p + 4 <= bytes.length ? 4 : 2;
    const word = size === 4 ? (lo | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24)) >>> 0 : lo;
    const d = size !== full ? undefined : decode(word, opts.isa); // a 4-byte instruction cut off at the end
    const pc = base + BigInt(p);
    const text = d === undefined ? undecodable(word, size, aliases) : disasm(d, pc, { aliases, tracker });
    lines.push(d === undefined ? { offset: p, size, word, text } : { offset: p, size, word, text, decoded: d });
    p += size;
  }
  return lines;
}

/** objdump's line layout: right-aligned hex address, the encoding padded to a fixed column, the text. */
export function formatListing(lines: readonly ListingLine[], base = 0n): string {
  const last = lines.length > 0 ? base + BigInt(lines[lines.length - 1]!.offset) : base;
  const width = Math.max(4, last.toString(16).length);
  return lines
    .map((l) => {
      const addr = (base + BigInt(l.offset)).toString(16).padStart(width);
      const enc = l.size === 4 ? l.word.toString(16).padStart(8, "0").padEnd(18) : l.word.toString(16).padStart(4, "0").padEnd(20);
      return `${addr}:\t${enc}\t${l.text}\n`;
    })
    .join("");
}
