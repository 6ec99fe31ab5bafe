/**
 * @fileoverview The code image being written by the final pass: bytes, plus per instruction its offset, encoding and
 * the eBPF slot it came from (for the line map, listings and the judge's traces).
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
  words: Uint32Array;
  slots: Int32Array;
  sizes: Uint8Array;

  constructor(bytes: number, insnEstimate: number) {
    this.code = new Uint8Array(bytes);
    this.offsets = new Int32Array(insnEstimate);
    this.words = new Uint32Array(insnEstimate);
    this.slots = new Int32Array(insnEstimate);
    this.sizes = new Uint8Array(insnEstimate);
  }

  /** Encodes and writes one op. */
  put(op: number, rd: number, rs1: number, rs2: number, imm: number, fl: number, slot: number): void {
    const w = fastEncode(op, rd, rs1, rs2, imm, fl);
    const k = this.n;
    if (k === this.offsets.length) this.grow();
    const code = this.code;
    let p = this.pos;
    this.offsets[k] = p;
    this.words[k] = w;
    this.slots[k] = slot;
    code[p] = w;
    code[p + 1] = w >>> 8;
    if (OP_HW[op] === 2) {
      code[p + 2] = w >>> 16;
      code[p + 3] = w >>> 24;
      p += 4;
      this.sizes[k] = 4;
    } else {
      p += 2;
      this.sizes[k] = 2;
    }
    this.pos = p;
    this.n = k + 1;
  }

  /** Writes every op of `buf` (which must hold no var items). */
  putAll(buf: CodeBuf, slot: number): void {
    for (let k = 0; k < buf.n; k++) this.put(buf.op[k]!, buf.rd[k]!, buf.rs1[k]!, buf.rs2[k]!, buf.imm[k]!, buf.fl[k]!, slot);
  }

  private grow(): void {
    const n = this.offsets.length * 2;
    const g = <T extends Int32Array | Uint32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.offsets = g(this.offsets);
    this.words = g(this.words);
    this.slots = g(this.slots);
    this.sizes = g(this.sizes);
  }
}
