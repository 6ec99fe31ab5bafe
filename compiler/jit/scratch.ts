/**
 * @fileoverview Working memory of one compile, reused by the next: the typed arrays that only the passes read (the
 * lowering's fixed code, var items and units, the layout's per-item tables, the consumed slots), never the output.
 *
 * Why: a compile of 100,000 eBPF instructions works in ~2.4 MB of such arrays. Memory fresh from the system costs a
 * page fault per 4 KiB the first time it is written (on the machines this project runs its benches on, ~2 us each:
 * ~10 ns per eBPF instruction), and arrays that are garbage go back to the allocator only at a later garbage
 * collection, many compiles later, so every compile in between writes fresh memory. One region, handed out by
 * bumping an offset and taken back whole at the end of the compile, is written fresh only once.
 *
 *   region: [ int32 tables ... | float64 ... | uint8 ... ]   top ->            (16-byte aligned pieces)
 *
 * Arrays are handed out as they were left: the caller writes every element it reads, or fills what it needs. A
 * compile that needs more than the region holds gets fresh arrays for the rest, and the region grows for the next.
 */

/** Regions larger than this are not kept between compiles (a 1M-instruction compile needs ~24 MB). */
const KEEP_LIMIT = 64 << 20;

/** A region no compile is using, for the next one to take. */
let idle: Scratch | undefined;

export class Scratch {
  private region: ArrayBuffer;
  private top = 0;
  /** Bytes this compile asked for, region or not: the next region's size. */
  private wanted = 0;

  private constructor(bytes: number) {
    this.region = new ArrayBuffer(bytes);
  }

  /** The idle region, or a new one if another compile holds it (or none was kept). */
  static acquire(): Scratch {
    const s = idle ?? new Scratch(0);
    idle = undefined;
    return s;
  }

  /** Takes back everything handed out; the arrays must not be used after this. */
  release(): void {
    if (this.wanted > this.region.byteLength && this.wanted <= KEEP_LIMIT) this.region = new ArrayBuffer(this.wanted);
    this.top = 0;
    this.wanted = 0;
    if (this.region.byteLength <= KEEP_LIMIT) idle = this;
  }

  int32(n: number): Int32Array {
    const at = this.take(4 * n);
    return at < 0 ? new Int32Array(n) : new Int32Array(this.region, at, n);
  }

  uint16(n: number): Uint16Array {
    const at = this.take(2 * n);
    return at < 0 ? new Uint16Array(n) : new Uint16Array(this.region, at, n);
  }

  uint8(n: number): Uint8Array {
    const at = this.take(n);
    return at < 0 ? new Uint8Array(n) : new Uint8Array(this.region, at, n);
  }

  float64(n: number): Float64Array {
    const at = this.take(8 * n);
    return at < 0 ? new Float64Array(n) : new Float64Array(this.region, at, n);
  }

  /** Offset of `bytes` bytes in the region, or -1 if they do not fit. */
  private take(bytes: number): number {
    const size = (bytes + 15) & ~15;
    this.wanted += size;
    if (this.top + size > this.region.byteLength) return -1;
    const at = this.top;
    this.top += size;
    return at;
  }
}

/** Fresh arrays, for passes run on their own (tests, benches): what a compile without a region uses. */
export const FRESH = {
  int32: (n: number): Int32Array => new Int32Array(n),
  uint16: (n: number): Uint16Array => new Uint16Array(n),
  uint8: (n: number): Uint8Array => new Uint8Array(n),
  float64: (n: number): Float64Array => new Float64Array(n),
};

/** Where a pass gets its working arrays. */
export type Arrays = Pick<Scratch, "int32" | "uint16" | "uint8" | "float64">;
