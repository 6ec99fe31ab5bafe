/**
 * @fileoverview The code image as the final pass writes it: little-endian halfwords (every RV64 instruction starts on
 * a halfword, and a 4-byte one is two of them) copied from the code buffers, and the instruction list read back from
 * the bytes when someone asks for it (listings, the judge's traces), rather than recorded per instruction.
 */
import type { CodeBuf } from "./code.js";

/** Copies the fixed code of `buf` (which must hold no var items) to halfword `p`; returns the halfword after it. */
export function putCode(hws: Uint16Array, p: number, buf: CodeBuf): number {
  const code = buf.code;
  for (let h = 0, n = buf.hw; h < n; h++) hws[p + h] = code[h]!;
  return p + buf.hw;
}

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
 * The instructions of `code`, in order, each attributed to the eBPF slot whose unit it lies in: unit u covers the
 * halfwords from `unitHw[u]` to the next unit's start (the last one to `epilogueHw`); what lies before the first unit
 * and from `epilogueHw` on is prologue and epilogue (-1). `unitSlot[u]` is the unit's first slot.
 */
export function imageInsns(code: Uint8Array, nu: number, unitHw: (u: number) => number, unitSlot: Int32Array, epilogueHw: number): ImageInsn[] {
  const out: ImageInsn[] = [];
  let u = -1; // the unit the next instruction lies in (-1: prologue)
  for (let p = 0; p < code.length; ) {
    const hw = p >> 1;
    while (u + 1 < nu && unitHw(u + 1) <= hw && hw < epilogueHw) u++;
    const size = (code[p]! & 3) === 3 ? 4 : 2;
    const word = size === 4 ? (code[p]! | (code[p + 1]! << 8) | (code[p + 2]! << 16) | (code[p + 3]! << 24)) >>> 0 : code[p]! | (code[p + 1]! << 8);
    out.push({ offset: p, size, word, bpf: hw >= epilogueHw || u < 0 ? -1 : unitSlot[u]! });
    p += size;
  }
  return out;
}
