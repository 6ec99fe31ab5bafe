/**
 * @fileoverview Guest memory as a set of named regions with permissions. Nothing exists outside a region: an access
 * there, a write to a region without `w`, a fetch from one without `x` all stop the run with a fault that names the
 * address and the region.
 *
 * Addresses are 64-bit and kept as (hi, lo) int32 pairs: kernel addresses such as 0xffffffff01000000 do not fit a
 * double. A region never crosses a 4 GiB boundary, so inside one region an address is `base + offset` with a u32
 * offset computed from the low words alone:
 *
 *     offset = (addrLo - baseLo) >>> 0,   valid iff addrHi === baseHi && offset + size <= limit
 *
 * The hot path (runtime/rv64/interp.ts, blocks.ts) reads the region tables below directly: `baseHi/baseLo/limit`
 * typed arrays indexed by region number, and `views[i]` (a little-endian DataView; DataView int32 accessors are as
 * fast as typed arrays in Node 20 and take misaligned offsets for free). Everything else goes through the methods.
 */
import { type AccessSize, GuestFault, type GuestMemory, hex64 } from "../kernel/guest-memory.js";

/** Region permissions, as `ls -l` would spell them: "r-x", "rw-", "r--", "---". */
export type PermString = `${"r" | "-"}${"w" | "-"}${"x" | "-"}`;

export const PERM_R = 1;
export const PERM_W = 2;
export const PERM_X = 4;

export interface RegionInit {
  /** Shown in every fault report: "code", "stack", "stack guard", "ctx", "map counters", ... */
  name: string;
  base: bigint;
  size: number;
  perm: PermString;
  /** Initial contents (copied; the rest is zero). */
  bytes?: Uint8Array;
  /**
   * A trap region: executing any address in it returns control to the host (helpers, kfuncs, the return
   * sentinel of bpf_prog_run). Trap regions need `x` and nothing else.
   */
  trap?: boolean;
  /** A guard region (no permissions): an access reports "<guardOf> overflow" rather than a plain access fault. */
  guardOf?: string;
  /**
   * Bytes of address space reserved behind the region for growth (brk): nothing else may be placed there, and
   * setSize can grow the region into it. Backing memory is allocated as the region grows.
   */
  reserve?: number;
}

export class Region {
  readonly name: string;
  readonly base: bigint;
  readonly baseHi: number;
  readonly baseLo: number;
  perm: number;
  /** Backing store (may be replaced, larger, when the region grows; empty for trap and guard regions). */
  bytes: Uint8Array;
  view: DataView;
  /** Largest size the region may grow to. */
  readonly maxSize: number;
  readonly trap: boolean;
  readonly guardOf: string | undefined;
  /** Pre-decoded instructions for executable regions (runtime/rv64/predecode.ts), 4 int32 per halfword. */
  dec: Int32Array | undefined;

  constructor(init: RegionInit, readonly index: number) {
    this.name = init.name;
    const [hi, lo] = split64(init.base);
    this.base = init.base < 0n ? BigInt.asUintN(64, init.base) : init.base;
    this.baseHi = hi;
    this.baseLo = lo;
    this.perm = permBits(init.perm);
    this.maxSize = init.size + (init.reserve ?? 0);
    // Trap and guard regions are never read or written (a trap region has only x, and executing there stops the
    // hart; a guard region has no permission at all): no backing store. hasBytes() says which regions have one.
    const none = init.trap || init.guardOf !== undefined;
    this.bytes = none ? NO_BYTES : new Uint8Array(init.size);
    if (init.bytes) this.bytes.set(init.bytes.subarray(0, init.size));
    this.view = none ? NO_VIEW : new DataView(this.bytes.buffer);
    this.trap = init.trap ?? false;
    this.guardOf = init.guardOf;
  }

  /** Whether the region has memory behind it (trap and guard regions have none: nothing may read or write them). */
  hasBytes(): boolean {
    return this.bytes !== NO_BYTES;
  }

  /** Bytes currently accessible from `base`. */
  get size(): number {
    return this.limitOf();
  }
  private limitOf(): number {
    return this.owner ? this.owner.limit[this.index]! : 0;
  }
  /** Set by Memory.add. */
  owner: Memory | undefined;

  get end(): bigint {
    return this.base + BigInt(this.size);
  }
  permString(): string {
    return `${this.perm & PERM_R ? "r" : "-"}${this.perm & PERM_W ? "w" : "-"}${this.perm & PERM_X ? "x" : "-"}`;
  }
  /** "'stack' rw- [0x…, 0x…)". */
  describe(): string {
    return `'${this.name}' ${this.permString()} [${hex64(this.base)}, ${hex64(this.end)})`;
  }
}

function permBits(p: PermString): number {
  return (p[0] === "r" ? PERM_R : 0) | (p[1] === "w" ? PERM_W : 0) | (p[2] === "x" ? PERM_X : 0);
}

/** Why an access found no region allowing it. */
export interface AccessFault {
  kind: "unmapped" | "permission" | "guard";
  region: Region | undefined;
}

/** The backing store of regions that have none, and its view. */
const NO_BYTES = new Uint8Array(0);
const NO_VIEW = new DataView(NO_BYTES.buffer);

/** Scratch for split64 and join64: a bigint goes through 8 bytes (big-endian) instead of shifts and masks. */
const SPLIT = new DataView(new ArrayBuffer(8));

/** Splits a u64 into int32 (hi, lo); any other bigint is taken modulo 2^64, as setBigUint64 does. */
export function split64(v: bigint): [hi: number, lo: number] {
  SPLIT.setBigUint64(0, v);
  return [SPLIT.getInt32(0), SPLIT.getInt32(4)];
}

/** Joins int32 (hi, lo) into a u64 (through the same scratch: one bigint made, no shifts). */
export function join64(hi: number, lo: number): bigint {
  SPLIT.setInt32(0, hi);
  SPLIT.setInt32(4, lo);
  return SPLIT.getBigUint64(0);
}

const MAX_REGIONS = 256;
/** A region number that never matches: its limit stays 0 (the initial per-instruction region cache). */
export const NO_REGION = MAX_REGIONS - 1;

export class Memory implements GuestMemory {
  readonly regions: Region[] = [];
  /** Hot-path tables, indexed by region number. A removed region keeps its slot with limit 0. */
  readonly baseHi = new Int32Array(MAX_REGIONS);
  readonly baseLo = new Int32Array(MAX_REGIONS);
  readonly limit = new Float64Array(MAX_REGIONS);
  readonly perm = new Int32Array(MAX_REGIONS);
  readonly views: DataView[] = [];
  /** Misaligned loads and stores (they work, as under Linux's trap-and-emulate, but are counted). */
  misaligned = 0;

  /** Adds a region; throws if it overlaps another or crosses a 4 GiB boundary. */
  add(init: RegionInit): Region {
    if (this.regions.length >= NO_REGION) throw new Error(`too many memory regions (max ${NO_REGION})`);
    if (init.perm[1] === "w" && init.perm[2] === "x") {
      // Pre-decoded and translated code is never invalidated, so code must not be writable.
      throw new Error(`region '${init.name}': writable and executable memory is not supported`);
    }
    const r = new Region(init, this.regions.length);
    const cap = r.maxSize;
    const lo = r.baseLo >>> 0;
    if (lo + cap > 2 ** 32) {
      throw new Error(`region '${init.name}' at ${hex64(r.base)} (+${cap} bytes) crosses a 4 GiB boundary`);
    }
    // No region crosses a 4 GiB boundary, so two overlap only within the same 4 GiB: compare the low words.
    for (const o of this.regions) {
      if (this.limit[o.index]! > 0 && o.baseHi === r.baseHi && lo < (o.baseLo >>> 0) + o.maxSize && (o.baseLo >>> 0) < lo + cap) {
        throw new Error(`region '${init.name}' [${hex64(r.base)}, ${hex64(r.base + BigInt(cap))}) overlaps ${o.describe()}`);
      }
    }
    r.owner = this;
    this.regions.push(r);
    this.baseHi[r.index] = r.baseHi;
    this.baseLo[r.index] = r.baseLo;
    this.limit[r.index] = init.size;
    this.perm[r.index] = r.perm;
    this.views.push(r.view);
    return r;
  }

  /** Grows or shrinks a region within its reserve (brk). Growing may replace its backing store. */
  setSize(r: Region, size: number): void {
    if (size < 0 || size > r.maxSize) throw new Error(`region '${r.name}' cannot be resized to ${size} bytes (max ${r.maxSize})`);
    const old = this.limit[r.index]!;
    if (size > r.bytes.length) {
      const bytes = new Uint8Array(Math.min(r.maxSize, Math.max(size, 2 * r.bytes.length)));
      bytes.set(r.bytes.subarray(0, old));
      r.bytes = bytes;
      r.view = new DataView(bytes.buffer);
      this.views[r.index] = r.view;
    } else if (size < old) {
      r.bytes.fill(0, size, old);
    }
    this.limit[r.index] = size;
  }

  /**
   * Changes a region's permissions (never to writable + executable). For set-up only: instructions that already
   * cached the region keep their access until they miss, so do not take permissions away while a hart runs.
   */
  setPerm(r: Region, perm: PermString): void {
    const bits = permBits(perm);
    if ((bits & PERM_W) !== 0 && (bits & PERM_X) !== 0) throw new Error(`region '${r.name}': writable and executable memory is not supported`);
    if ((bits & (PERM_R | PERM_W)) !== 0 && !r.hasBytes()) throw new Error(`region '${r.name}' has no memory behind it: it cannot be made ${perm}`);
    r.perm = bits;
    this.perm[r.index] = bits;
  }

  /** Removes a region (munmap): its slot stays, empty, so cached region numbers can never hit it again. */
  remove(r: Region): void {
    this.limit[r.index] = 0;
    this.perm[r.index] = 0;
  }

  /** The region containing (hi, lo), or -1. */
  find(hi: number, lo: number): number {
    const n = this.regions.length;
    for (let i = 0; i < n; i++) {
      if (this.baseHi[i] === hi && ((lo - this.baseLo[i]!) >>> 0) < this.limit[i]!) return i;
    }
    return -1;
  }

  /**
   * The region allowing a `size`-byte access with permission bits `need` at (hi, lo), or -1 after recording why in
   * `lastFault`. An access must lie inside one region.
   */
  resolve(hi: number, lo: number, size: number, need: number): number {
    const i = this.find(hi, lo);
    if (i >= 0 && ((lo - this.baseLo[i]!) >>> 0) + size <= this.limit[i]! && (this.perm[i]! & need) === need) return i;
    const r = i >= 0 ? this.regions[i] : this.findByEnd(hi, lo, size);
    this.lastFault = { kind: r?.guardOf !== undefined ? "guard" : r ? "permission" : "unmapped", region: r };
    return -1;
  }
  lastFault: AccessFault = { kind: "unmapped", region: undefined };

  /** A region the access starts before and runs into (for reports of accesses straddling a region start). */
  private findByEnd(hi: number, lo: number, size: number): Region | undefined {
    const last = (lo + size - 1) | 0;
    const carry = (last >>> 0) < (lo >>> 0) ? 1 : 0;
    const i = this.find((hi + carry) | 0, last);
    return i >= 0 ? this.regions[i] : undefined;
  }

  /** The region containing `addr`, if any. */
  regionAt(addr: bigint): Region | undefined {
    const [hi, lo] = split64(addr);
    const i = this.find(hi, lo);
    return i >= 0 ? this.regions[i] : undefined;
  }

  byName(name: string): Region | undefined {
    return this.regions.find((r) => r.name === name && this.limit[r.index]! > 0);
  }

  // --- GuestMemory: the bigint API for helpers, loaders and results (never on the hot path) ---

  private at(addr: bigint, size: number, need: number): [DataView, number] {
    const [hi, lo] = split64(addr);
    const i = this.resolve(hi, lo, size, need);
    if (i < 0) {
      const what = need & PERM_W ? "write" : "read";
      throw new GuestFault(addr, size, what, describeFault(this.lastFault, what, addr, size));
    }
    return [this.views[i]!, (lo - this.baseLo[i]!) >>> 0];
  }

  read(addr: bigint, size: AccessSize): bigint {
    const [v, o] = this.at(addr, size, PERM_R);
    if (size === 1) return BigInt(v.getUint8(o));
    if (size === 2) return BigInt(v.getUint16(o, true));
    if (size === 4) return BigInt(v.getUint32(o, true));
    return v.getBigUint64(o, true);
  }

  write(addr: bigint, size: AccessSize, value: bigint): void {
    const [v, o] = this.at(addr, size, PERM_W);
    if (size === 8) return v.setBigUint64(o, value, true); // modulo 2^64, as every store of a bigint here
    const lo = split64(value)[1];
    if (size === 1) v.setUint8(o, lo & 0xff);
    else if (size === 2) v.setUint16(o, lo & 0xffff, true);
    else v.setInt32(o, lo, true);
  }

  readBytes(addr: bigint, n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const [v, o] = this.at(addr, n, PERM_R);
    return new Uint8Array(v.buffer, o, n).slice();
  }

  writeBytes(addr: bigint, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const [v, o] = this.at(addr, bytes.length, PERM_W);
    new Uint8Array(v.buffer, o, bytes.length).set(bytes);
  }

  /** Host access that ignores permissions (loaders writing code, results reading it). Throws outside regions. */
  poke(addr: bigint, bytes: Uint8Array): void {
    const r = this.regionAt(addr);
    const off = r ? Number(addr - r.base) : -1;
    if (!r || !r.hasBytes() || off + bytes.length > r.size) throw new Error(`no region holds ${bytes.length} bytes at ${hex64(addr)}`);
    r.bytes.set(bytes, off);
  }
  peek(addr: bigint, n: number): Uint8Array {
    const r = this.regionAt(addr);
    const off = r ? Number(addr - r.base) : -1;
    if (!r || !r.hasBytes() || off + n > r.size) throw new Error(`no region holds ${n} bytes at ${hex64(addr)}`);
    return r.bytes.slice(off, off + n);
  }
}

/** "store of 8 bytes at 0x… in 'code' r-x, which is not writable" and the like. */
export function describeFault(f: AccessFault, what: string, addr: bigint, size: number): string {
  const at = `${what} of ${size} byte${size === 1 ? "" : "s"} at ${hex64(addr)}`;
  if (f.kind === "unmapped" || !f.region) return `${at}: no memory region there`;
  if (f.kind === "guard") return `${at}: ${f.region.guardOf} overflow (into ${f.region.describe()})`;
  const r = f.region;
  const off = addr - r.base;
  if (off >= 0n && off + BigInt(size) > BigInt(r.size)) return `${at}: runs past the end of ${r.describe()}`;
  if (off < 0n) return `${at}: starts before ${r.describe()}`;
  const need = what === "fetch" ? "executable" : what === "read" || what === "load" ? "readable" : "writable";
  return `${at}: ${r.describe()} is not ${need}`;
}
