/**
 * @fileoverview Generates specs/atomic: every BPF_ATOMIC read-modify-write operation in both sizes (add, or, and,
 * xor with and without BPF_FETCH, xchg, cmpxchg on a match and a mismatch), on the stack through r10 (the JIT's t1
 * address) and through a pointer with offset 0 (the register itself) or beyond 12 bits; and the aliased operands
 * test_bpf checks: src = R0 for fetch and cmpxchg, src = the address register, and cmpxchg whose address register
 * is R0. Expected values come from the BigInt model of the operations below (RFC 9669 §5.3).
 */
import { ctx64, type GenSpec, u64, val } from "./gen-lib.js";

const MODEL = "the BigInt model of the atomic operations in scripts/gen-atomic-specs.ts";

type RmwOp = "add" | "or" | "and" | "xor";
const SYNTAX: Readonly<Record<RmwOp, string>> = { add: "+=", or: "|=", and: "&=", xor: "^=" };

function rmw(op: RmwOp, a: bigint, b: bigint, bits: 32 | 64): bigint {
  const m = (1n << BigInt(bits)) - 1n;
  const x = a & m;
  const y = b & m;
  const r = op === "add" ? x + y : op === "or" ? x | y : op === "and" ? x & y : x ^ y;
  return r & m;
}

/** The memory word after writing the low `bits` of `v` into `mem` (a 32-bit atomic touches the low half only). */
function put(mem: bigint, v: bigint, bits: 32 | 64): bigint {
  return bits === 64 ? u64(v) : (mem & ~0xffff_ffffn) | (v & 0xffff_ffffn);
}

const CASES: readonly [bigint, bigint][] = [
  [0x0000_0001_ffff_fff0n, 0x0000_0000_0000_0011n],
  [0xf0f0_f0f0_8000_0000n, 0x0f0f_0f0f_8000_0001n],
  [u64(-1n), 1n],
];

/** The two ctx words (memory, operand), the comment naming them, and the run's expectations. */
function runs(expect: (mem: bigint, v: bigint) => string): string[] {
  return CASES.flatMap(([m, v]) => [`;; memory = ${val(m)}, operand = ${val(v)}`, `${ctx64([m, v])} => ${expect(m, v)}`]);
}

/** Where the atomic operates: the stack through r10 - 8, or a pointer register with offset 0. */
type Where = "r10" | "ptr";
const ADDR: Readonly<Record<Where, string>> = { r10: "r10 - 8", ptr: "r4 + 0" };
const SETUP: Readonly<Record<Where, string[]>> = { r10: [], ptr: ["r4 = r10", "r4 += -8"] };

function rmwSpec(op: RmwOp, bits: 32 | 64, fetch: boolean, where: Where): GenSpec {
  const ty = bits === 64 ? "u64" : "u32";
  const reg = bits === 64 ? "r3" : "w3";
  const insn = fetch ? `${reg} = atomic_fetch_${op}((${ty} *)(${ADDR[where]}), ${reg})` : `lock *(${ty} *)(${ADDR[where]}) ${SYNTAX[op]} ${reg}`;
  return {
    path: `atomic/${op}${fetch ? "-fetch" : ""}-${bits}${where === "ptr" ? "-off0" : ""}.bpf`,
    desc: `${fetch ? `atomic_fetch_${op}` : `lock ${SYNTAX[op]}`} (${ty}) on the stack through ${where === "r10" ? "r10 - 8" : "a pointer with offset 0"}: the whole u64 after${fetch ? ", and the old value zero-extended in src (stored to ctx[8])" : ""}`,
    source: MODEL,
    runs: runs((m, v) => {
      const after = put(m, rmw(op, m, v, bits), bits);
      const old = bits === 64 ? m : m & 0xffff_ffffn;
      return `r0=${val(after)}${fetch ? ` ctx[8]:u64=${val(old)}` : ""}`;
    }),
    body: [
      "r2 = *(u64 *)(r1 + 0)", "r3 = *(u64 *)(r1 + 8)", "*(u64 *)(r10 - 8) = r2", ...SETUP[where], insn,
      ...(fetch ? ["*(u64 *)(r1 + 8) = r3"] : []), "r0 = *(u64 *)(r10 - 8)", "exit",
    ],
  };
}

function xchgSpec(bits: 32 | 64): GenSpec {
  const ty = bits === 64 ? "u64" : "u32";
  const call = bits === 64 ? "r3 = xchg_64(r10 - 8, r3)" : "w3 = xchg32_32(r10 - 8, w3)";
  return {
    path: `atomic/xchg-${bits}.bpf`,
    desc: `xchg (${ty}): memory gets src, src gets the old value (zero-extended), stored to ctx[8]`,
    source: MODEL,
    runs: runs((m, v) => `r0=${val(put(m, v, bits))} ctx[8]:u64=${val(bits === 64 ? m : m & 0xffff_ffffn)}`),
    body: ["r2 = *(u64 *)(r1 + 0)", "r3 = *(u64 *)(r1 + 8)", "*(u64 *)(r10 - 8) = r2", call, "*(u64 *)(r1 + 8) = r3", "r0 = *(u64 *)(r10 - 8)", "exit"],
  };
}

/** cmpxchg: r0 is compared with memory; on a match memory gets src. r0 gets the old value either way. */
function cmpxchgSpec(bits: 32 | 64): GenSpec {
  const ty = bits === 64 ? "u64" : "u32";
  const call = bits === 64 ? "r0 = cmpxchg_64(r10 - 8, r0, r3)" : "w0 = cmpxchg32_32(r10 - 8, w0, w3)";
  const cases: { m: bigint; expected: bigint; v: bigint; why: string }[] = [
    { m: 0x1122_3344_5566_7788n, expected: 0x1122_3344_5566_7788n, v: 0x99n, why: "match" },
    { m: 0x1122_3344_5566_7788n, expected: 0x1122_3344_5566_7789n, v: 0x99n, why: "mismatch" },
    { m: 0xffff_ffff_8000_0000n, expected: bits === 64 ? 0x8000_0000n : 0x5_8000_0000n, v: 7n, why: bits === 64 ? "mismatch in the upper half" : "match: only the low halves are compared" },
  ];
  const mask = bits === 64 ? u64(-1n) : 0xffff_ffffn;
  return {
    path: `atomic/cmpxchg-${bits}.bpf`,
    desc: `cmpxchg (${ty}) on a match and a mismatch: the u64 in memory after (r0), the old value returned in r0 (ctx[8])`,
    source: MODEL,
    runs: cases.flatMap(({ m, expected, v, why }) => {
      const match = (m & mask) === (expected & mask);
      const after = match ? put(m, v, bits) : m;
      return [`;; ${why}: memory = ${val(m)}, r0 = ${val(expected)}, src = ${val(v)}`, `${ctx64([m, expected, v])} => r0=${val(after)} ctx[8]:u64=${val(m & mask)}`];
    }),
    body: [
      "r2 = *(u64 *)(r1 + 0)", "r0 = *(u64 *)(r1 + 8)", "r3 = *(u64 *)(r1 + 16)", "*(u64 *)(r10 - 8) = r2", call,
      "*(u64 *)(r1 + 8) = r0", "r0 = *(u64 *)(r10 - 8)", "exit",
    ],
  };
}

/** Aliased operands and far offsets: a map value holds the memory word (+0) and the map's own address (+8). */
function aliasSpecs(): GenSpec[] {
  const map = "map m: array key=4 value=8192 max=1";
  const prologue = ["r2 = *(u64 *)(r1 + 0)", "r6 = map_value[m + 0] ll", "*(u64 *)(r6 + 8) = r6", "*(u64 *)(r6 + 0) = r2"];
  const addr = ["r5 = *(u64 *)(r6 + 8)"]; // the address as a scalar (reloaded from memory)
  const vals = [0x10n, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_fff0n];
  const one = (why: string, expect: (m: bigint) => bigint) => vals.flatMap((m) => [`;; ${why}: memory = ${val(m)}`, `${ctx64([m])} => r0=${val(expect(m))}`]);
  return [
    {
      path: "atomic/alias-fetch-add-src-r0.bpf",
      desc: "aliasing: r0 = atomic_fetch_add((u64 *)(r10 - 8), r0): R0 is the operand and receives the old value",
      source: MODEL,
      runs: vals.flatMap((m) => [`;; memory = ${val(m)}, r0 = 3`, `${ctx64([m])} => r0=${val(u64(m ^ (m + 3n)))}`]),
      body: ["r2 = *(u64 *)(r1 + 0)", "*(u64 *)(r10 - 8) = r2", "r0 = 3", "r0 = atomic_fetch_add((u64 *)(r10 - 8), r0)", "r3 = *(u64 *)(r10 - 8)", "r0 ^= r3", "exit"],
    },
    {
      path: "atomic/alias-fetch-xor-32-src-r0.bpf",
      desc: "aliasing: w0 = atomic_fetch_xor((u32 *)(r10 - 8), w0): the old low half comes back zero-extended in R0",
      source: MODEL,
      runs: vals.flatMap((m) => [`;; memory = ${val(m)}, w0 = 0xffffffff`, `${ctx64([m])} => r0=${val((m & 0xffff_ffffn) ^ put(m, (m ^ 0xffff_ffffn) & 0xffff_ffffn, 32))}`]),
      body: ["r2 = *(u64 *)(r1 + 0)", "*(u64 *)(r10 - 8) = r2", "r0 = -1", "w0 = atomic_fetch_xor((u32 *)(r10 - 8), w0)", "r3 = *(u64 *)(r10 - 8)", "r0 ^= r3", "exit"],
    },
    {
      path: "atomic/alias-cmpxchg-src-r0.bpf",
      desc: "aliasing: r0 = cmpxchg_64(r10 - 8, r0, r0): a match stores R0 itself, a mismatch leaves memory; r0 = old",
      source: MODEL,
      runs: [
        `;; match: memory = r0 = 0x55`, `${ctx64([0x55n, 0x55n])} => r0=${val(0x55n * 0x100n + 0x55n)}`,
        `;; mismatch: memory = 0x55, r0 = 0x66`, `${ctx64([0x55n, 0x66n])} => r0=${val(0x55n * 0x100n + 0x55n)}`,
      ],
      body: [
        "r2 = *(u64 *)(r1 + 0)", "*(u64 *)(r10 - 8) = r2", "r0 = *(u64 *)(r1 + 8)", "r0 = cmpxchg_64(r10 - 8, r0, r0)",
        "r0 <<= 8", "r3 = *(u64 *)(r10 - 8)", "r0 += r3", "exit",
      ],
    },
    {
      path: "atomic/alias-add-src-is-address.bpf",
      desc: "aliasing: lock *(u64 *)(r6 + 0) += r6, the address register is also the operand (result less the address)",
      source: MODEL,
      directives: [map],
      runs: one("memory + address - address", (m) => m),
      body: [...prologue, "lock *(u64 *)(r6 + 0) += r6", ...addr, "r0 = *(u64 *)(r6 + 0)", "r0 -= r5", "exit"],
    },
    {
      path: "atomic/alias-fetch-add-src-is-address-off.bpf",
      desc: "aliasing: r6 = atomic_fetch_add((u64 *)(r6 + 16), r6) with offset 16: the address is overwritten by the old value",
      source: MODEL,
      directives: [map],
      runs: one("old value, then memory - address", (m) => u64(m * 2n)),
      body: [
        "r2 = *(u64 *)(r1 + 0)", "r6 = map_value[m + 0] ll", "*(u64 *)(r6 + 8) = r6", "*(u64 *)(r6 + 16) = r2", "r7 = r6",
        "r6 = atomic_fetch_add((u64 *)(r6 + 16), r6)", "r5 = *(u64 *)(r7 + 8)", "r0 = *(u64 *)(r7 + 16)", "r0 -= r5", "r0 += r6", "exit",
      ],
    },
    {
      path: "atomic/alias-xchg-src-is-address.bpf",
      desc: "aliasing: r6 = xchg_64(r6 + 0, r6): memory gets the address, r6 the old value",
      source: MODEL,
      directives: [map],
      runs: one("old value, and memory - address = 0", (m) => m),
      body: [...prologue, "r7 = r6", "r6 = xchg_64(r6 + 0, r6)", "r5 = *(u64 *)(r7 + 8)", "r0 = *(u64 *)(r7 + 0)", "r0 -= r5", "r0 += r6", "exit"],
    },
    {
      path: "atomic/alias-cmpxchg-address-r0.bpf",
      desc: "aliasing: r0 = cmpxchg_64(r0 + 0, r0, r2) where R0 is the address: memory holding the address matches",
      source: MODEL,
      directives: [map],
      runs: vals.flatMap((v) => [`;; memory = its own address, src = ${val(v)}`, `${ctx64([v])} => r0=${val(v)}`]),
      body: [
        "r2 = *(u64 *)(r1 + 0)", "r6 = map_value[m + 0] ll", "*(u64 *)(r6 + 8) = r6", "*(u64 *)(r6 + 0) = r6", "r0 = r6",
        "r0 = cmpxchg_64(r0 + 0, r0, r2)", "r5 = *(u64 *)(r6 + 8)", "r0 -= r5", "r3 = *(u64 *)(r6 + 0)", "r0 += r3", "exit",
      ],
    },
    {
      path: "atomic/fetch-or-far-offset.bpf",
      desc: "atomic_fetch_or (u64) and lock add (u32) at offsets 4096 and -2052 from map value pointers (address in t1 via imm + add)",
      source: MODEL,
      directives: [map],
      runs: vals.flatMap((m) => [`;; memory = ${val(m)}, operand = 0x0f00`, `${ctx64([m])} => r0=${val(m ^ (m | 0xf00n) ^ (5n + 0x0f00n))}`]),
      body: [
        "r2 = *(u64 *)(r1 + 0)", "r6 = map_value[m + 0] ll", "*(u64 *)(r6 + 4096) = r2", "r3 = 0x0f00", "r3 = atomic_fetch_or((u64 *)(r6 + 4096), r3)",
        "r7 = r6", "r7 += 8000", "*(u32 *)(r7 - 2052) = 5", "r4 = 0x0f00", "lock *(u32 *)(r7 - 2052) += w4",
        "r0 = *(u64 *)(r6 + 4096)", "r0 ^= r3", "r5 = *(u32 *)(r7 - 2052)", "r0 ^= r5", "exit",
      ],
    },
  ];
}

export function atomicSpecs(): GenSpec[] {
  const out: GenSpec[] = [];
  for (const bits of [64, 32] as const) {
    for (const op of ["add", "or", "and", "xor"] as const) {
      for (const fetch of [false, true]) out.push(rmwSpec(op, bits, fetch, "r10"));
    }
    out.push(rmwSpec("add", bits, true, "ptr"), rmwSpec("and", bits, false, "ptr"), xchgSpec(bits), cmpxchgSpec(bits));
  }
  return [...out, ...aliasSpecs()];
}
