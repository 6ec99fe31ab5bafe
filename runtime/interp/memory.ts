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
  name: string;
  base: bigint;
  bytes: Uint8Array;
  writable: boolean;
}

export class InterpMemory implements GuestMemory {
  private regions: Region[] = [];

  /** Maps `bytes` at `base` (the array is used in place, so the caller sees every write). */
  map(name: string, base: bigint, bytes: Uint8Array, writable = true): Region {
    const r: Region = { name, base, bytes, writable };
    for (const o of this.regions) {
      if (base < o.base + BigInt(o.bytes.length) && o.base < base + BigInt(bytes.length)) {
        throw new Error(`interp memory: region '${name}' at ${hex64(base)} overlaps '${o.name}'`);
      }
    }
    this.regions.push(r);
    return r;
  }

  unmap(r: Region): void {
    this.regions = this.regions.filter((x) => x !== r);
  }

  /** The region and offset holding [addr, addr + size), or a fault. */
  private locate(addr: bigint, size: number, access: "read" | "write"): [Region, number] {
    for (const r of this.regions) {
      const off = addr - r.base;
      if (off >= 0n && off + BigInt(size) <= BigInt(r.bytes.length)) {
        if (access === "write" && !r.writable) {
          throw new GuestFault(addr, size, access, `write of ${size} bytes at ${hex64(addr)} into read-only ${r.name}`);
        }
        return [r, Number(off)];
      }
    }
    throw new GuestFault(addr, size, access, `${access} of ${size} bytes at ${hex64(addr)} is outside every mapped area (${this.describe()})`);
  }

  /** "stack of frame 0 [0x…, 0x…), ctx [0x…, 0x…)" for reports. */
  describe(): string {
    if (this.regions.length === 0) return "nothing is mapped";
    return this.regions.map((r) => `${r.name} [${hex64(r.base)}, ${hex64(r.base + BigInt(r.bytes.length))})`).join(", ");
  }

  read(addr: bigint, size: AccessSize): bigint {
    const [r, off] = this.locate(addr, size, "read");
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(r.bytes[off + i]!);
    return v;
  }

  write(addr: bigint, size: AccessSize, value: bigint): void {
    const [r, off] = this.locate(addr, size, "write");
    let v = value;
    for (let i = 0; i < size; i++, v >>= 8n) r.bytes[off + i] = Number(v & 0xffn);
  }

  readBytes(addr: bigint, n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const [r, off] = this.locate(addr, n, "read");
    return r.bytes.slice(off, off + n);
  }

  writeBytes(addr: bigint, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const [r, off] = this.locate(addr, bytes.length, "write");
    r.bytes.set(bytes, off);
  }
}
