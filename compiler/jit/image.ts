/**
 * @fileoverview The code image being written by the final pass: bytes, plus per instruction its offset and the eBPF
 * slot it came from (for the line map, listings and the judge's traces); sizes and words are read back from the
 * bytes when asked for.
 */
import type { CodeBuf } from "./code.js";
import { fastEncode } from "./encode-op.js";
import { OP_HW } from "./ops.js";

export class ImageWriter {
  readonly code: Uint8Array;
  /** Bytes written so far. */
  pos = 0;
  /** Instructions written so far. */
  n = 0;
  offsets: Int32Array;
  slots: Int32Array;

  constructor(bytes: number, insnEstimate: number) {
    this.code = new Uint8Array(bytes);
    this.offsets = new Int32Array(insnEstimate);
    this.slots = new Int32Array(insnEstimate);
  }

  /** Size in bytes of instruction k. */
  size(k: number): 2 | 4 {
    return (this.code[this.offsets[k]!]! & 3) === 3 ? 4 : 2;
  }

  /** Encoding of instruction k, as written. */
  word(k: number): number {
    const c = this.code;
    const p = this.offsets[k]!;
    return this.size(k) === 4 ? (c[p]! | (c[p + 1]! << 8) | (c[p + 2]! << 16) | (c[p + 3]! << 24)) >>> 0 : c[p]! | (c[p + 1]! << 8);
  }

  /** Encodes and writes one op. */
  put(op: number, rd: number, rs1: number, rs2: number, imm: number, fl: number, slot: number): void {
    const w = fastEncode(op, rd, rs1, rs2, imm, fl);
    const k = this.n;
    if (k === this.offsets.length) this.grow();
    const code = this.code;
    let p = this.pos;
    this.offsets[k] = p;
    this.slots[k] = slot;
    code[p] = w;
    code[p + 1] = w >>> 8;
    if (OP_HW[op] === 2) {
      code[p + 2] = w >>> 16;
      code[p + 3] = w >>> 24;
      p += 4;
    } else p += 2;
    this.pos = p;
    this.n = k + 1;
  }

  /** Writes every op of `buf` (which must hold no var items). */
  putAll(buf: CodeBuf, slot: number): void {
    for (let k = 0; k < buf.n; k++) this.put(buf.op[k]!, buf.rd[k]!, buf.rs1[k]!, buf.rs2[k]!, buf.imm[k]!, buf.fl[k]!, slot);
  }

  private grow(): void {
    const n = this.offsets.length * 2;
    const g = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.offsets = g(this.offsets);
    this.slots = g(this.slots);
  }
}
