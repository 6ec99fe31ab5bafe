/**
 * @fileoverview BPF maps (array, hash, prog array) with their values in guest memory, written once over
 * {@link GuestMemory} so that the emulator's kernel model and the reference interpreter share them.
 *
 * Every map object sits in guest memory at the address the program loads with `r1 = map[name] ll`. Its layout
 * follows the kernel's `struct bpf_array` far enough for JIT code that reads it directly (the tail-call sequence
 * reads `map.max_entries` and `ptrs[]`, compiler/kernel-abi.ts); hash maps reuse the same layout with preallocated
 * value slots (the kernel's default, BPF_F_NO_PREALLOC unset):
 *
 *     addr +   0  ops, inner_map_meta, security        (zero)
 *          +  24  u32 map_type                          (BPF_MAP_TYPE_*)
 *          +  28  u32 key_size
 *          +  32  u32 value_size
 *          +  36  u32 max_entries                       ARRAY_MAX_ENTRIES_OFF
 *          + 248  u32 elem_size, + 252 u32 index_mask   (struct bpf_array, just before the union)
 *          + 264  value[] / ptrs[]                      ARRAY_PTRS_OFF: one slot per entry, elem_size bytes each
 *
 * The engine chooses each map's address and makes [addr, addr + mapFootprint(spec)) accessible before
 * {@link createMaps} writes the header and the initial contents.
 */
import { ARRAY_MAX_ENTRIES_OFF, ARRAY_PTRS_OFF } from "../../compiler/kernel-abi.js";
import { type GuestMemory, hex64 } from "./guest-memory.js";

export type MapType = "array" | "hash" | "prog_array";

/** BPF_MAP_TYPE_* numbers (include/uapi/linux/bpf.h). */
export const MAP_TYPE_NUMBER: Readonly<Record<MapType, number>> = { hash: 1, array: 2, prog_array: 3 };

/** A map as a spec declares it. */
export interface MapSpec {
  name: string;
  type: MapType;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /**
   * Initial contents. Keys and values are little-endian byte strings or numbers (written in key/value size).
   * For a prog array the value is the index of a program in the run's program list.
   */
  entries?: { key: bigint | Uint8Array; value: bigint | Uint8Array }[];
}

/** Map contents after a run, for results and goldens: entries in key order (array: every index). */
export interface MapDump {
  name: string;
  type: MapType;
  entries: { key: Uint8Array; value: Uint8Array }[];
}

/** Errno values helpers return, negated (include/uapi/asm-generic/errno-base.h). */
export const ENOENT = 2;
export const E2BIG = 7;
export const EFAULT = 14;
export const EEXIST = 17;
export const EINVAL = 22;

/** map_update_elem flags. */
export const BPF_ANY = 0n;
export const BPF_NOEXIST = 1n;
export const BPF_EXIST = 2n;

/** A negative errno as the u64 a helper returns in r0. */
export function errno(e: number): bigint {
  return BigInt.asUintN(64, BigInt(-e));
}

/** A map spec the kernel would refuse to create. */
export class MapSpecError extends Error {
  constructor(spec: MapSpec, why: string) {
    super(`map '${spec.name}': ${why}`);
    this.name = "MapSpecError";
  }
}

const VALUE_OFF = ARRAY_PTRS_OFF;

/** Bytes per value slot: value_size rounded up to 8 (prog arrays hold 8-byte pointers). */
function elemSize(spec: MapSpec): number {
  return spec.type === "prog_array" ? 8 : (spec.valueSize + 7) & ~7;
}

/** Bytes of guest memory a map occupies at its address. */
export function mapFootprint(spec: MapSpec): number {
  return VALUE_OFF + spec.maxEntries * elemSize(spec);
}

/** Byte offset of the value area from the map's address: values (or ptrs[]) start here. */
export const MAP_VALUES_OFF = VALUE_OFF;

function checkSpec(spec: MapSpec): void {
  if (!(spec.maxEntries > 0 && Number.isInteger(spec.maxEntries))) throw new MapSpecError(spec, "max_entries must be a positive integer");
  if (!(spec.keySize > 0 && spec.valueSize > 0)) throw new MapSpecError(spec, "key_size and value_size must be positive");
  if ((spec.type === "array" || spec.type === "prog_array") && spec.keySize !== 4) throw new MapSpecError(spec, `${spec.type} maps need key_size 4`);
  if (spec.type === "prog_array" && spec.valueSize !== 4) throw new MapSpecError(spec, "prog_array maps need value_size 4");
}

/** `v` as `n` little-endian bytes (numbers are truncated to n bytes). */
export function toBytes(v: bigint | Uint8Array, n: number): Uint8Array {
  if (v instanceof Uint8Array) {
    if (v.length !== n) throw new Error(`expected ${n} bytes, got ${v.length}`);
    return v;
  }
  const out = new Uint8Array(n);
  let x = BigInt.asUintN(n * 8, v);
  for (let i = 0; i < n; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

function keyString(k: Uint8Array): string {
  return Array.from(k, (b) => b.toString(16).padStart(2, "0")).join("");
}

function le32(k: Uint8Array): number {
  return (k[0]! | (k[1]! << 8) | (k[2]! << 16) | (k[3]! << 24)) >>> 0;
}

/** One map instance. Methods take the helper's raw pointer arguments and return r0. */
export abstract class BpfMap {
  readonly elemSize: number;
  constructor(
    readonly spec: MapSpec,
    /** Guest address of the map object (what `r1 = map[...] ll` loads). */
    readonly addr: bigint,
    protected readonly mem: GuestMemory,
  ) {
    this.elemSize = elemSize(spec);
  }

  /** Guest address of value slot `slot`. */
  slotAddr(slot: number): bigint {
    return this.addr + BigInt(VALUE_OFF + slot * this.elemSize);
  }

  protected readKey(keyPtr: bigint): Uint8Array {
    return this.mem.readBytes(keyPtr, this.spec.keySize);
  }

  /** bpf_map_lookup_elem: the value's address, or 0 (NULL). */
  abstract lookup(keyPtr: bigint): bigint;
  /** bpf_map_update_elem: 0 or a negative errno. */
  abstract update(keyPtr: bigint, valuePtr: bigint, flags: bigint): bigint;
  /** bpf_map_delete_elem: 0 or a negative errno. */
  abstract delete(keyPtr: bigint): bigint;
  /** Contents, in key order. */
  abstract dump(): MapDump;
  /** Writes the header and the initial contents into guest memory. */
  abstract init(): void;

  protected writeHeader(): void {
    const s = this.spec;
    this.mem.write(this.addr + 24n, 4, BigInt(MAP_TYPE_NUMBER[s.type]));
    this.mem.write(this.addr + 28n, 4, BigInt(s.keySize));
    this.mem.write(this.addr + 32n, 4, BigInt(s.valueSize));
    this.mem.write(this.addr + BigInt(ARRAY_MAX_ENTRIES_OFF), 4, BigInt(s.maxEntries));
    this.mem.write(this.addr + BigInt(VALUE_OFF - 16), 4, BigInt(this.elemSize));
    // index_mask = roundup_pow_of_two(max_entries) - 1, as array_map_alloc computes it.
    let p = 1;
    while (p < s.maxEntries) p *= 2;
    this.mem.write(this.addr + BigInt(VALUE_OFF - 12), 4, BigInt(p - 1));
  }
}

/** BPF_MAP_TYPE_ARRAY: max_entries preallocated, zeroed values; keys are u32 indexes; elements cannot be deleted. */
export class ArrayMap extends BpfMap {
  init(): void {
    this.writeHeader();
    for (const e of this.spec.entries ?? []) {
      const i = le32(toBytes(e.key, 4));
      if (i >= this.spec.maxEntries) throw new MapSpecError(this.spec, `initial key ${i} is not below max_entries ${this.spec.maxEntries}`);
      this.mem.writeBytes(this.slotAddr(i), toBytes(e.value, this.spec.valueSize));
    }
  }
  lookup(keyPtr: bigint): bigint {
    const i = le32(this.readKey(keyPtr));
    return i < this.spec.maxEntries ? this.slotAddr(i) : 0n;
  }
  update(keyPtr: bigint, valuePtr: bigint, flags: bigint): bigint {
    if (flags > BPF_EXIST) return errno(EINVAL);
    const i = le32(this.readKey(keyPtr));
    if (i >= this.spec.maxEntries) return errno(E2BIG);
    if (flags === BPF_NOEXIST) return errno(EEXIST); // every element of an array always exists
    this.mem.writeBytes(this.slotAddr(i), this.mem.readBytes(valuePtr, this.spec.valueSize));
    return 0n;
  }
  delete(): bigint {
    return errno(EINVAL);
  }
  dump(): MapDump {
    const entries = [];
    for (let i = 0; i < this.spec.maxEntries; i++) {
      entries.push({ key: toBytes(BigInt(i), 4), value: this.mem.readBytes(this.slotAddr(i), this.spec.valueSize) });
    }
    return { name: this.spec.name, type: this.spec.type, entries };
  }
}

/**
 * BPF_MAP_TYPE_HASH with preallocated elements: a key owns a value slot until it is deleted; a freed slot is reused
 * by a later insert (lowest free slot first, so runs are deterministic). A pointer kept after a delete still points
 * at valid memory, as with the kernel's preallocated hash maps.
 */
export class HashMap extends BpfMap {
  private readonly slots = new Map<string, { key: Uint8Array; slot: number }>();
  private readonly free: number[] = [];

  init(): void {
    this.writeHeader();
    for (let i = this.spec.maxEntries - 1; i >= 0; i--) this.free.push(i);
    for (const e of this.spec.entries ?? []) {
      const key = toBytes(e.key, this.spec.keySize);
      const slot = this.insert(key);
      if (slot === undefined) throw new MapSpecError(this.spec, `more initial entries than max_entries ${this.spec.maxEntries}`);
      this.mem.writeBytes(this.slotAddr(slot), toBytes(e.value, this.spec.valueSize));
    }
  }
  private insert(key: Uint8Array): number | undefined {
    const k = keyString(key);
    const had = this.slots.get(k);
    if (had) return had.slot;
    const slot = this.free.pop();
    if (slot !== undefined) this.slots.set(k, { key: key.slice(), slot });
    return slot;
  }
  lookup(keyPtr: bigint): bigint {
    const e = this.slots.get(keyString(this.readKey(keyPtr)));
    return e ? this.slotAddr(e.slot) : 0n;
  }
  update(keyPtr: bigint, valuePtr: bigint, flags: bigint): bigint {
    if (flags > BPF_EXIST) return errno(EINVAL);
    const key = this.readKey(keyPtr);
    const exists = this.slots.has(keyString(key));
    if (flags === BPF_NOEXIST && exists) return errno(EEXIST);
    if (flags === BPF_EXIST && !exists) return errno(ENOENT);
    const value = this.mem.readBytes(valuePtr, this.spec.valueSize);
    const slot = this.insert(key);
    if (slot === undefined) return errno(E2BIG);
    this.mem.writeBytes(this.slotAddr(slot), value);
    return 0n;
  }
  delete(keyPtr: bigint): bigint {
    const k = keyString(this.readKey(keyPtr));
    const e = this.slots.get(k);
    if (!e) return errno(ENOENT);
    this.slots.delete(k);
    this.free.push(e.slot);
    this.free.sort((a, b) => b - a);
    return 0n;
  }
  dump(): MapDump {
    const entries = [...this.slots.values()]
      .sort((a, b) => (keyString(a.key) < keyString(b.key) ? -1 : 1))
      .map((e) => ({ key: e.key, value: this.mem.readBytes(this.slotAddr(e.slot), this.spec.valueSize) }));
    return { name: this.spec.name, type: this.spec.type, entries };
  }
}

/**
 * BPF_MAP_TYPE_PROG_ARRAY: ptrs[i] holds the address of a `struct bpf_prog` (or 0). The program behind entry i is
 * also kept host-side as an index into the run's program list, for engines that tail-call without reading memory.
 */
export class ProgArrayMap extends BpfMap {
  private readonly progs: (number | undefined)[] = [];
  constructor(spec: MapSpec, addr: bigint, mem: GuestMemory, private readonly progObject: (prog: number) => bigint) {
    super(spec, addr, mem);
  }
  init(): void {
    this.writeHeader();
    for (const e of this.spec.entries ?? []) {
      const i = le32(toBytes(e.key, 4));
      if (i >= this.spec.maxEntries) throw new MapSpecError(this.spec, `initial key ${i} is not below max_entries ${this.spec.maxEntries}`);
      const prog = Number(e.value instanceof Uint8Array ? le32(e.value) : e.value);
      this.progs[i] = prog;
      this.mem.write(this.slotAddr(i), 8, this.progObject(prog));
    }
  }
  /** The program index at entry `i`, as bpf_tail_call would find it (undefined: no program, or out of range). */
  program(i: number): number | undefined {
    return i < this.spec.maxEntries ? this.progs[i] : undefined;
  }
  // Programs cannot look up or change prog arrays (the verifier refuses); these answer as the kernel's
  // prog_array ops do for syscall-side access from a program's point of view.
  lookup(): bigint {
    return 0n;
  }
  update(): bigint {
    return errno(EINVAL);
  }
  delete(): bigint {
    return errno(EINVAL);
  }
  dump(): MapDump {
    const entries = [];
    for (let i = 0; i < this.spec.maxEntries; i++) {
      const p = this.progs[i];
      if (p !== undefined) entries.push({ key: toBytes(BigInt(i), 4), value: toBytes(BigInt(p), 4) });
    }
    return { name: this.spec.name, type: this.spec.type, entries };
  }
}

/** The maps of one run, by index (fd order) and by guest address. */
export class MapTable {
  readonly list: BpfMap[] = [];
  private readonly byAddr = new Map<bigint, BpfMap>();

  add(m: BpfMap): void {
    this.list.push(m);
    this.byAddr.set(m.addr, m);
  }
  /** The map whose object is at `addr`; throws when a helper is handed anything else. */
  at(addr: bigint, helper: string): BpfMap {
    const m = this.byAddr.get(addr);
    if (!m) throw new HelperArgError(`${helper}: r1 = ${hex64(addr)} is not the address of a map`);
    return m;
  }
  dump(): MapDump[] {
    return this.list.map((m) => m.dump());
  }
}

/** A helper called with an argument the verifier would never have let through (a JIT or runner bug). */
export class HelperArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HelperArgError";
  }
}

/**
 * Creates the maps of a run in guest memory. `addrOf(i)` gives map i's address (the engine made
 * [addr, addr + mapFootprint) accessible); `progObject(p)` gives the `struct bpf_prog` address of program p, for
 * prog arrays (engines without program objects may return any non-zero token).
 */
export function createMaps(
  specs: readonly MapSpec[],
  mem: GuestMemory,
  addrOf: (i: number) => bigint,
  progObject: (prog: number) => bigint = (p) => BigInt(p + 1),
): MapTable {
  const table = new MapTable();
  specs.forEach((spec, i) => {
    checkSpec(spec);
    const addr = addrOf(i);
    const m =
      spec.type === "array" ? new ArrayMap(spec, addr, mem)
      : spec.type === "hash" ? new HashMap(spec, addr, mem)
      : new ProgArrayMap(spec, addr, mem, progObject);
    m.init();
    table.add(m);
  });
  return table;
}
