/**
 * @fileoverview Pre-decoded program text shared between runs. A spec runs the same JIT output once per run case,
 * and each run used to decode it again into a fresh table (runtime/rv64/predecode.ts: 16 bytes per halfword of
 * code, 8 times the code's size). The code regions are read-only, so what their instructions decode to cannot
 * change between runs of the same bytes under the same ISA; the table is kept per code array and handed to every
 * later run's region.
 *
 * One part of a record is not about the code: [3], the region a load or store last touched, is a region number
 * of one run's memory, and the hot path trusts it after checking only the address range (not the permissions).
 * So a table is shared only between kernels whose memories number the same regions the same way: same bases,
 * sizes and permissions in the same order (`layoutKey`). A kernel with another layout (a ctx of another size,
 * other maps) gets a table of its own, which later kernels with its layout share.
 */
import type { IsaConfig } from "../../compiler/riscv/isa-config.js";
import type { Memory, Region } from "../rv64/memory.js";
import { REC } from "../rv64/predecode.js";

interface Shared {
  isa: IsaConfig | undefined;
  layout: string;
  dec: Int32Array;
}

const tables = new WeakMap<Uint8Array, Shared>();

/** The memory's region table as a string: two memories with the same key number their regions identically. */
export function layoutKey(mem: Memory): string {
  let key = "";
  for (let i = 0; i < mem.regions.length; i++) key += `${mem.baseHi[i]}:${mem.baseLo[i]}:${mem.limit[i]}:${mem.perm[i]};`;
  return key;
}

/**
 * Gives `region` (loaded from `code`, executed under `isa`) the pre-decoded table earlier runs of the same code
 * built, when their memory had the layout `layout`; else starts a new shared table for this code and layout.
 */
export function shareDecoded(region: Region, code: Uint8Array, isa: IsaConfig | undefined, layout: string): void {
  let s = tables.get(code);
  if (!s || s.isa !== isa || s.layout !== layout || s.dec.length !== (region.bytes.length >>> 1) * REC + REC) {
    s = { isa, layout, dec: new Int32Array((region.bytes.length >>> 1) * REC + REC) };
    tables.set(code, s);
  }
  region.dec = s.dec;
}
