/**
 * @fileoverview The shared helper and map semantics (runtime/kernel/helpers.ts, maps.ts) over a plain test memory:
 * the kernel's return values for each map operation and flag, values living in guest memory at the struct bpf_array
 * offsets, and the deterministic helpers.
 */
import { describe, expect, it } from "vitest";
import { ARRAY_MAX_ENTRIES_OFF, ARRAY_PTRS_OFF } from "../../compiler/kernel-abi.js";
import { HELPER_PROTOS } from "../../compiler/bpf/helper-protos.js";
import { GuestFault } from "../../runtime/kernel/guest-memory.js";
import { createHelperEnv, formatTrace, HELPERS, TailCallHelperCalled } from "../../runtime/kernel/helpers.js";
import { createMaps, HelperArgError, mapFootprint, type MapSpec, ProgArrayMap } from "../../runtime/kernel/maps.js";
import { FlatMemory } from "./flat-memory.js";

const BASE = 0xffff_ffd0_0000_0000n;
const SCRATCH = BASE + 0x8000n; // keys and values passed by pointer
const neg = (e: number) => BigInt.asUintN(64, BigInt(-e));

function setup(specs: MapSpec[]) {
  const mem = new FlatMemory(BASE, 0x10000);
  const addrs = specs.map((_, i) => BASE + BigInt(i) * 0x1000n);
  specs.forEach((s) => expect(mapFootprint(s)).toBeLessThanOrEqual(0x1000));
  const maps = createMaps(specs, mem, (i) => addrs[i]!, (p) => 0xffff_ffff_9000_0000n + BigInt(p) * 64n);
  const env = createHelperEnv(mem, maps, { seed: 7 });
  const call = (id: number, ...args: bigint[]) => HELPERS.get(id)!.call(args, env);
  const key = (k: bigint, size = 4) => (mem.write(SCRATCH, size as 4, k), SCRATCH);
  const value = (v: bigint) => (mem.write(SCRATCH + 0x100n, 8, v), SCRATCH + 0x100n);
  return { mem, addrs, maps, env, call, key, value };
}

describe("array map", () => {
  const spec: MapSpec = { name: "arr", type: "array", keySize: 4, valueSize: 12, maxEntries: 3, entries: [{ key: 1n, value: 0x1122n }] };

  it("lays out the header and values as struct bpf_array", () => {
    const { mem, addrs } = setup([spec]);
    expect(mem.read(addrs[0]! + BigInt(ARRAY_MAX_ENTRIES_OFF), 4)).toBe(3n);
    expect(mem.read(addrs[0]! + 24n, 4)).toBe(2n); // BPF_MAP_TYPE_ARRAY
    // value_size 12 rounds up to elem_size 16: entry 1 starts 16 bytes after the value area.
    expect(mem.read(addrs[0]! + BigInt(ARRAY_PTRS_OFF) + 16n, 8)).toBe(0x1122n);
  });

  it("lookup returns the value's address, NULL past max_entries", () => {
    const { addrs, call, key } = setup([spec]);
    expect(call(1, addrs[0]!, key(2n))).toBe(addrs[0]! + BigInt(ARRAY_PTRS_OFF) + 32n);
    expect(call(1, addrs[0]!, key(3n))).toBe(0n);
  });

  it("update follows the kernel's flag rules; delete is -EINVAL", () => {
    const { mem, addrs, call, key, value } = setup([spec]);
    expect(call(2, addrs[0]!, key(0n), value(0xabcdefn), 0n)).toBe(0n);
    expect(mem.read(addrs[0]! + BigInt(ARRAY_PTRS_OFF), 8)).toBe(0xabcdefn);
    expect(call(2, addrs[0]!, key(0n), value(1n), 1n)).toBe(neg(17)); // BPF_NOEXIST: -EEXIST
    expect(call(2, addrs[0]!, key(0n), value(1n), 2n)).toBe(0n); // BPF_EXIST
    expect(call(2, addrs[0]!, key(9n), value(1n), 0n)).toBe(neg(7)); // -E2BIG
    expect(call(2, addrs[0]!, key(0n), value(1n), 3n)).toBe(neg(22)); // unknown flags: -EINVAL
    expect(call(3, addrs[0]!, key(0n))).toBe(neg(22));
  });
});

describe("hash map", () => {
  const spec: MapSpec = { name: "h", type: "hash", keySize: 8, valueSize: 8, maxEntries: 2 };

  it("inserts, finds, refuses when full, deletes and reuses the slot", () => {
    const { mem, addrs, call, key, value } = setup([spec]);
    const m = addrs[0]!;
    expect(call(1, m, key(5n, 8))).toBe(0n);
    expect(call(2, m, key(5n, 8), value(50n), 2n)).toBe(neg(2)); // BPF_EXIST on a missing key: -ENOENT
    expect(call(2, m, key(5n, 8), value(50n), 1n)).toBe(0n);
    expect(call(2, m, key(5n, 8), value(51n), 1n)).toBe(neg(17));
    expect(call(2, m, key(6n, 8), value(60n), 0n)).toBe(0n);
    expect(call(2, m, key(7n, 8), value(70n), 0n)).toBe(neg(7)); // full: -E2BIG
    const p5 = call(1, m, key(5n, 8));
    expect(mem.read(p5, 8)).toBe(50n);
    expect(call(3, m, key(5n, 8))).toBe(0n);
    expect(call(3, m, key(5n, 8))).toBe(neg(2));
    expect(call(1, m, key(5n, 8))).toBe(0n);
    expect(call(2, m, key(7n, 8), value(70n), 0n)).toBe(0n);
    expect(call(1, m, key(7n, 8))).toBe(p5); // the freed slot
  });

  it("dumps entries in key order", () => {
    const { maps, addrs, call, key, value } = setup([spec]);
    call(2, addrs[0]!, key(9n, 8), value(90n), 0n);
    call(2, addrs[0]!, key(3n, 8), value(30n), 0n);
    const d = maps.dump()[0]!;
    expect(d.entries.map((e) => e.key[0])).toEqual([3, 9]);
    expect(d.entries.map((e) => e.value[0])).toEqual([30, 90]);
  });
});

describe("prog array", () => {
  it("writes struct bpf_prog pointers at ptrs[] and remembers the program", () => {
    const spec: MapSpec = { name: "jmp", type: "prog_array", keySize: 4, valueSize: 4, maxEntries: 4, entries: [{ key: 2n, value: 1n }] };
    const { mem, addrs, maps } = setup([spec]);
    expect(mem.read(addrs[0]! + BigInt(ARRAY_PTRS_OFF) + 16n, 8)).toBe(0xffff_ffff_9000_0040n);
    expect(mem.read(addrs[0]! + BigInt(ARRAY_PTRS_OFF) + 8n, 8)).toBe(0n);
    const pa = maps.list[0] as ProgArrayMap;
    expect([pa.program(2), pa.program(1), pa.program(99)]).toEqual([1, undefined, undefined]);
  });

  it("refuses specs the kernel refuses", () => {
    expect(() => setup([{ name: "bad", type: "array", keySize: 8, valueSize: 4, maxEntries: 1 }])).toThrow(/array maps need key_size 4/);
    expect(() => setup([{ name: "z", type: "hash", keySize: 4, valueSize: 4, maxEntries: 0 }])).toThrow(/max_entries/);
  });
});

describe("other helpers", () => {
  it("bpf_trace_printk formats like the kernel and captures the line", () => {
    const { mem, env, call } = setup([]);
    const fmt = new TextEncoder().encode("x=%d h=%llx %s%%\0");
    mem.writeBytes(SCRATCH, fmt);
    mem.writeBytes(SCRATCH + 0x200n, new TextEncoder().encode("ok\0"));
    const n = call(6, SCRATCH, BigInt(fmt.length), 0xffff_ffffn, 0x1_0000_0000n, SCRATCH + 0x200n);
    expect(env.trace).toEqual(["x=-1 h=100000000 ok%"]);
    expect(formatTrace("%u %x %ld %c", [0xffff_ffffn, 0x1_0000_00abn, 2n ** 64n - 2n, 65n], mem)).toBe("4294967295 ab -2 A");
    expect(n).toBe(BigInt(env.trace[0]!.length));
    expect(formatTrace("%s", [SCRATCH + 0x200n], mem)).toBe("ok");
    // Not NUL-terminated within fmt_size: -EINVAL.
    expect(call(6, SCRATCH, 3n)).toBe(neg(22));
  });

  it("ktime is monotonic and deterministic; prandom is seeded", () => {
    const a = setup([]);
    const b = setup([]);
    const t1 = a.call(5), t2 = a.call(5);
    expect(t2 > t1).toBe(true);
    expect(b.call(5)).toBe(t1);
    const r = [a.call(7), a.call(7)];
    expect(r[0]).not.toBe(r[1]);
    expect([b.call(7), b.call(7)]).toEqual(r);
    expect(r.every((x) => x < 2n ** 32n)).toBe(true);
  });

  it("probe_read copies, or zeroes and returns -EFAULT on a bad source", () => {
    const { mem, call } = setup([]);
    mem.write(SCRATCH, 8, 0x0102030405060708n);
    expect(call(113, SCRATCH + 0x10n, 8n, SCRATCH)).toBe(0n);
    expect(mem.read(SCRATCH + 0x10n, 8)).toBe(0x0102030405060708n);
    expect(call(113, SCRATCH + 0x10n, 8n, 0x1000n)).toBe(neg(14));
    expect(mem.read(SCRATCH + 0x10n, 8)).toBe(0n);
  });

  it("a bad map pointer, a bad key pointer and the tail-call helper are errors", () => {
    const { addrs, call } = setup([{ name: "a", type: "array", keySize: 4, valueSize: 4, maxEntries: 1 }]);
    expect(() => call(1, 0x1234n, SCRATCH)).toThrow(HelperArgError);
    expect(() => call(1, addrs[0]!, 0x10n)).toThrow(GuestFault);
    expect(() => call(12, addrs[0]!, 0n, 0n)).toThrow(TailCallHelperCalled);
  });
});

describe("prototypes (compiler/bpf/helper-protos.ts)", () => {
  it("every prototype the verifier accepts has an implementation, and every implementation a prototype", () => {
    expect([...HELPERS.keys()].sort((a, b) => a - b)).toEqual([...HELPER_PROTOS.keys()].sort((a, b) => a - b));
    for (const [id, p] of HELPER_PROTOS) {
      const d = HELPERS.get(id)!;
      expect([d.id, d.name, d.args, d.ret]).toEqual([p.id, p.name, p.args, p.ret]);
    }
  });

  it("names and argument counts are the kernel's (include/uapi/linux/bpf.h)", () => {
    const shown = [1, 2, 6, 12, 16].map((id) => `${HELPER_PROTOS.get(id)!.name}/${HELPER_PROTOS.get(id)!.args}`);
    expect(shown).toEqual(["bpf_map_lookup_elem/2", "bpf_map_update_elem/4", "bpf_trace_printk/5", "bpf_tail_call/3", "bpf_get_current_comm/2"]);
    expect([...HELPER_PROTOS.values()].filter((p) => p.ret === "map_value_or_null").map((p) => p.name)).toEqual(["bpf_map_lookup_elem"]);
  });
});
