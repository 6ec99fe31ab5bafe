/**
 * @fileoverview The interpreter's memory: a handful of named regions at fixed fake kernel addresses (see layout.ts),
 * each a byte array. Every access must fall entirely inside one region that permits it; anything else raises a
 * {@link GuestFault} naming the address, the size and the regions that exist, so a wrong pointer ends the run with a
 * report instead of reading garbage. It implements the shared {@link GuestMemory}, so helpers and maps
 * (runtime/kernel) run on it unchanged.
 */
import { type AccessSize, GuestFault, type GuestMemory, hex64 } from "../kernel/guest-memory.js";

export interface Region {
  /** What the region is, for fault reports: "stack of frame 0", "ctx", "map 'counts'". */
  readonly name: string;
  readonly base: bigint;
  /** One past the last byte. */
  readonly end: bigint;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly writable: boolean;
}

export class InterpMemory implements GuestMemory {
  private regions: Region[] = [];
  /** The region of the last access: most accesses hit the same one again. */
  private last: Region | undefined;

  /** Maps `bytes` at `base` (the array is used in place, so the caller sees every write). */
  map(name: string, base: bigint, bytes: Uint8Array, writable = true): Region {
    const end = base + BigInt(bytes.length);
    for (const o of this.regions) {
      if (base < o.end && o.base < end) throw new Error(`interp memory: region '${name}' at ${hex64(base)} overlaps '${o.name}'`);
    }
    const r: Region = { name, base, end, bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), writable };
    this.regions.push(r);
    return r;
  }

  unmap(r: Region): void {
    this.regions = this.regions.filter((x) => x !== r);
    if (this.last === r) this.last = undefined;
  }

  /** The offset of the last access found by region(), in its region. */
  private off = 0;

  /** Does `r` hold [addr, addr + size)? Sets `off` when it does (one BigInt subtraction, then numbers). */
  private holds(r: Region, addr: bigint, size: number): boolean {
    const o = Number(addr - r.base);
    if (o < 0 || o + size > r.bytes.length) return false;
    this.off = o;
    return true;
  }

  /** The region holding [addr, addr + size), or a fault; `offset()` is then the access's offset in it. */
  region(addr: bigint, size: number, access: "read" | "write"): Region {
    const r = this.last && this.holds(this.last, addr, size) ? this.last : this.regions.find((x) => this.holds(x, addr, size));
    if (!r) {
      throw new GuestFault(addr, size, access, `${access} of ${size} bytes at ${hex64(addr)} is outside every mapped area (${this.describe()})`);
    }
    if (access === "write" && !r.writable) throw new GuestFault(addr, size, access, `write of ${size} bytes at ${hex64(addr)} into read-only ${r.name}`);
    this.last = r;
    return r;
  }

  /** The region and offset of the last access (for the interpreter's stack accounting). */
  lastAccess(): { region: Region | undefined; offset: number } {
    return { region: this.last, offset: this.off };
  }

  /** "stack of frame 0 [0x…, 0x…), ctx [0x…, 0x…)" for reports. */
  describe(): string {
    if (this.regions.length === 0) return "nothing is mapped";
    return this.regions.map((r) => `${r.name} [${hex64(r.base)}, ${hex64(r.end)})`).join(", ");
  }

  read(addr: bigint, size: AccessSize): bigint {
    const r = this.region(addr, size, "read");
    const off = this.off;
    switch (size) {
      case 1: return BigInt(r.view.getUint8(off));
      case 2: return BigInt(r.view.getUint16(off, true));
      case 4: return BigInt(r.view.getUint32(off, true));
      case 8: return r.view.getBigUint64(off, true);
    }
  }

  write(addr: bigint, size: AccessSize, value: bigint): void {
    const r = this.region(addr, size, "write");
    const off = this.off;
    switch (size) {
      case 1: return r.view.setUint8(off, Number(value & 0xffn));
      case 2: return r.view.setUint16(off, Number(value & 0xffffn), true);
      case 4: return r.view.setUint32(off, Number(value & 0xffff_ffffn), true);
      case 8: return r.view.setBigUint64(off, BigInt.asUintN(64, value), true);
    }
  }

  readBytes(addr: bigint, n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const r = this.region(addr, n, "read");
    const off = this.off;
    return r.bytes.slice(off, off + n);
  }

  writeBytes(addr: bigint, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const r = this.region(addr, bytes.length, "write");
    r.bytes.set(bytes, this.off);
  }
}
