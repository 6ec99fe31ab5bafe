/**
 * @fileoverview The code image as the final pass writes it: little-endian halfwords (every RV64 instruction starts on
 * a halfword, and a 4-byte one is two of them) copied from the code buffers, and the instruction list read back from
 * the bytes when someone asks for it (listings, the judge's traces), rather than recorded per instruction.
 */
import { lengthOf } from "../riscv/decode.js";
import type { CodeBuf } from "./code.js";

/** Copies the fixed code of `buf` (which must hold no var items) to halfword `p`; returns the halfword after it. */
export function putCode(hws: Uint16Array, p: number, buf: CodeBuf): number {
  const code = buf.code;
  for (let h = 0, n = buf.hw; h < n; h++) hws[p + h] = code[h]!;
  return p + buf.hw;
}

/**
 * Where each eBPF slot's code lies, as the output keeps it: a byte per slot, 0 for a slot consumed with the one before
 * (what a fresh array holds), else 1 + the length in halfwords of the unit the slot starts, or LONG for a unit of
 * LONG - 1 halfwords or more, whose length is in `long`. A quarter of a table of positions, which every compile would
 * write to fresh memory; positions are summed up only when someone asks (slotStarts).
 */
export interface UnitLengths {
  lens: Uint8Array;
  long: Map<number, number>;
}
export const LONG = 255;

/** Adds `hw` halfwords to the length of the unit starting at `slot` (lens[slot] holds 1 + its length so far). */
export function addUnitLength(units: UnitLengths, slot: number, hw: number): void {
  const { lens, long } = units;
  const len = lens[slot]! + hw;
  if (len < LONG) lens[slot] = len;
  else {
    long.set(slot, (lens[slot] === LONG ? long.get(slot)! : lens[slot]! - 1) + hw);
    lens[slot] = LONG;
  }
}

/**
 * The slot table imageInsns reads: per slot the halfword its unit starts at, non-negative for a unit's first slot,
 * bitwise not (negative) for a slot consumed with the one before; then the epilogue's start. The body starts at
 * halfword `bodyStart`.
 */
export function slotStarts(units: UnitLengths, bodyStart: number): Int32Array {
  const { lens, long } = units;
  const starts = new Int32Array(lens.length + 1);
  let p = bodyStart;
  let unit = p; // start of the latest unit
  for (let k = 0; k < lens.length; k++) {
    const len = lens[k]!;
    if (len === 0) {
      starts[k] = ~unit; // consumed with the slot before
      continue;
    }
    unit = p;
    starts[k] = p;
    p += len === LONG ? long.get(k)! : len - 1;
  }
  starts[lens.length] = p;
  return starts;
}

/** Start of slot k's unit, from slotStarts' table. */
export const unitStartOf = (starts: Int32Array, k: number): number => (starts[k]! >= 0 ? starts[k]! : ~starts[k]!);

/** One RV64 instruction of an image. */
export interface ImageInsn {
  /** Byte offset from the image start. */
  offset: number;
  size: 2 | 4;
  word: number;
  /** eBPF slot (function-local) it came from; -1 for the prologue and epilogue. */
  bpf: number;
}

/**
 * The instructions of `code`, in order, each attributed to the eBPF slot whose unit it lies in. `starts` is
 * slotStarts' table: per slot the halfword its unit starts at, non-negative for a unit's first slot (bitwise not
 * for a slot consumed with the one before), and the epilogue's start last. A unit covers the halfwords from its start
 * to the next unit's (the last one to the epilogue); what lies before the first unit and from the epilogue on is
 * prologue and epilogue (-1).
 */
export function imageInsns(code: Uint8Array, starts: Int32Array, epilogueHw: number): ImageInsn[] {
  const nslots = starts.length - 1;
  const out: ImageInsn[] = [];
  let slot = -1; // first slot of the unit the next instruction lies in (-1: prologue)
  let next = 0; // first slot of the unit after it (nslots: none)
  while (next < nslots && starts[next]! < 0) next++;
  for (let p = 0; p < code.length; ) {
    const hw = p >> 1;
    while (next < nslots && starts[next]! <= hw && hw < epilogueHw) {
      slot = next;
      do next++;
      while (next < nslots && starts[next]! < 0);
    }
    const size = lengthOf(code[p]!);
    const word = size === 4 ? (code[p]! | (code[p + 1]! << 8) | (code[p + 2]! << 16) | (code[p + 3]! << 24)) >>> 0 : code[p]! | (code[p + 1]! << 8);
    out.push({ offset: p, size, word, bpf: hw >= epilogueHw || slot < 0 ? -1 : slot });
    p += size;
  }
  return out;
}
