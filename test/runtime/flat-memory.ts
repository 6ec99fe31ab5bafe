/**
 * @fileoverview A minimal GuestMemory for tests of the helper and map semantics: one zeroed byte range at a base
 * address, faulting outside it. Independent of the emulator's memory, so those semantics are tested on their own.
 */
import { type AccessSize, GuestFault, type GuestMemory } from "../../runtime/kernel/guest-memory.js";

export class FlatMemory implements GuestMemory {
  readonly bytes: Uint8Array;
  constructor(readonly base: bigint, size: number) {
    this.bytes = new Uint8Array(size);
  }
  private off(addr: bigint, n: number, access: "read" | "write"): number {
    const o = addr - this.base;
    if (o < 0n || o + BigInt(n) > BigInt(this.bytes.length)) throw new GuestFault(addr, n, access, `${access} outside test memory`);
    return Number(o);
  }
  read(addr: bigint, size: AccessSize): bigint {
    const o = this.off(addr, size, "read");
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[o + i]!);
    return v;
  }
  write(addr: bigint, size: AccessSize, value: bigint): void {
    const o = this.off(addr, size, "write");
    for (let i = 0; i < size; i++, value >>= 8n) this.bytes[o + i] = Number(value & 0xffn);
  }
  readBytes(addr: bigint, n: number): Uint8Array {
    const o = this.off(addr, n, "read");
    return this.bytes.slice(o, o + n);
  }
  writeBytes(addr: bigint, b: Uint8Array): void {
    this.bytes.set(b, this.off(addr, b.length, "write"));
  }
}
