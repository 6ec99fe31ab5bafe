/**
 * @fileoverview Generates specs/mem: loads (LDX, LDX MEMSX) and stores (STX, ST) of every size, at offset zero,
 * small positive and negative offsets, and offsets beyond 12 bits in both directions (the JIT adds them to the base
 * in t1/t2). Far accesses use a 40,000-byte map value whose contents the spec gives before the run and checks
 * after it, so where each access lands is checked from outside the program. Expected values are little-endian
 * byte arithmetic in this file.
 */
import { type GenSpec, u64, val } from "./gen-lib.js";

const SOURCE = "little-endian byte arithmetic in scripts/gen-mem-specs.ts";

type Size = 1 | 2 | 4 | 8;
const SIZES: readonly Size[] = [1, 2, 4, 8];
const U = (n: Size): string => `u${n * 8}`;

const hexBytes = (b: readonly number[]): string => b.map((x) => x.toString(16).padStart(2, "0")).join("");

/** Little-endian load of `n` bytes at `off`, zero- or sign-extended to 64 bits. */
function load(mem: readonly number[], off: number, n: Size, signed: boolean): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(mem[off + i]!);
  return signed ? u64(BigInt.asIntN(n * 8, v)) : v;
}

/** `mem` with the low `n` bytes of `v` stored little-endian at `off`. */
function store(mem: readonly number[], off: number, n: Size, v: bigint): number[] {
  const out = [...mem];
  for (let i = 0; i < n; i++) out[off + i] = Number((u64(v) >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** A byte string for a spec, with runs of one byte written as XX*N. */
function bytesLiteral(b: readonly number[]): string {
  const words: string[] = [];
  let plain = "";
  for (let i = 0; i < b.length; ) {
    let j = i;
    while (j < b.length && b[j] === b[i]) j++;
    if (j - i >= 8) {
      if (plain) words.push(plain);
      plain = "";
      words.push(`${b[i]!.toString(16).padStart(2, "0")}*${j - i}`);
    } else {
      plain += hexBytes(b.slice(i, j));
    }
    i = j;
  }
  if (plain) words.push(plain);
  return `[${words.join(" ")}]`;
}

const CTX_PATTERNS: readonly number[][] = [
  Array.from({ length: 16 }, (_, i) => i),
  [0x80, 0x91, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf7, 0x07, 0x18, 0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e],
  Array.from({ length: 16 }, () => 0xff),
];

/** An aligned, non-zero offset inside 16 bytes of ctx for each size. */
const CTX_OFF: Readonly<Record<Size, number>> = { 1: 13, 2: 6, 4: 12, 8: 8 };

function ctxLoadSpec(n: Size, signed: boolean): GenSpec {
  const off = CTX_OFF[n];
  const ty = signed ? `s${n * 8}` : U(n);
  return {
    path: `mem/${signed ? "ldsx" : "ldx"}-${ty}-ctx.bpf`,
    desc: `${signed ? "LDX MEMSX (sign-extending)" : "LDX"} ${ty} from ctx at offset ${off}, and at offset 0 into r2, combined with xor`,
    source: SOURCE,
    runs: CTX_PATTERNS.map((p) => `ctx=[${hexBytes(p)}] => r0=${val(load(p, off, n, signed) ^ load(p, 0, n, signed))}`),
    body: [`r0 = *(${ty} *)(r1 + ${off})`, `r2 = *(${ty} *)(r1 + 0)`, "r0 ^= r2", "exit"],
  };
}

function ctxStoreSpec(n: Size): GenSpec {
  const off = CTX_OFF[n];
  const after = (p: number[]) => store(p, off, n, load(p, 0, 8, false));
  return {
    path: `mem/stx-${U(n)}-ctx.bpf`,
    desc: `STX ${U(n)}: the low ${n} byte${n > 1 ? "s" : ""} of the u64 at ctx[0] stored at ctx[${off}], the bytes around it unchanged`,
    source: SOURCE,
    runs: CTX_PATTERNS.map((p) => `ctx=[${hexBytes(p)}] => r0=0 ctx[0]=[${hexBytes(after(p))}]`),
    body: ["r2 = *(u64 *)(r1 + 0)", `*(${U(n)} *)(r1 + ${off}) = r2`, "r0 = 0", "exit"],
  };
}

/** ST: an immediate of each lowering (c.li, li, lui+addiw) and sign (a u64 store sign-extends it). */
const ST_IMMS: readonly bigint[] = [-1n, 0x5an, -2048n, 0x1234_5678n, -0x8000_0000n];

/** ST into the stack slot at r10 - 16 (BPF_ST into ctx is refused), at the slot offset each size uses in ctx. */
function stackStoreImmSpec(n: Size): GenSpec {
  const off = CTX_OFF[n] % 8;
  const p = CTX_PATTERNS[1]!.slice(0, 8);
  const reloads = ST_IMMS.reduce((acc, k) => acc ^ load(store(p, off, n, k), off, n, false), 0n);
  const final = load(store(p, off, n, ST_IMMS[ST_IMMS.length - 1]!), 0, 8, false);
  return {
    path: `mem/st-${U(n)}-stack.bpf`,
    desc: `ST ${U(n)} of immediates -1, 0x5a, -2048, 0x12345678 and INT32_MIN at r10 - ${16 - off}, each reloaded, then the whole slot`,
    source: SOURCE,
    runs: [`ctx=[${hexBytes(p)}] => r0=${val(reloads ^ final)}`],
    body: [
      "r2 = *(u64 *)(r1 + 0)", "*(u64 *)(r10 - 16) = r2", "r0 = 0",
      ...ST_IMMS.flatMap((k) => [`*(${U(n)} *)(r10 - ${16 - off}) = ${k}`, `r2 = *(${U(n)} *)(r10 - ${16 - off})`, "r0 ^= r2"]),
      "r2 = *(u64 *)(r10 - 16)", "r0 ^= r2", "exit",
    ],
  };
}

function stackSpecs(): GenSpec[] {
  const v = 0x8091_a2b3_c4d5_e6f7n;
  const bytes = store(new Array(8).fill(0), 0, 8, v);
  return [
    {
      path: "mem/stack-u64-then-narrow.bpf",
      desc: "a u64 stored at r10 - 8, reloaded as u8 at r10 - 1, u16 at r10 - 4, u32 at r10 - 8 and s8/s16/s32 at the same places",
      source: SOURCE,
      runs: [`ctx=[${hexBytes(bytes)}] => r0=${val(load(bytes, 7, 1, false) ^ load(bytes, 4, 2, false) ^ load(bytes, 0, 4, false) ^ load(bytes, 7, 1, true) ^ load(bytes, 4, 2, true) ^ load(bytes, 0, 4, true))}`],
      body: [
        "r2 = *(u64 *)(r1 + 0)", "*(u64 *)(r10 - 8) = r2",
        "r0 = *(u8 *)(r10 - 1)", "r3 = *(u16 *)(r10 - 4)", "r0 ^= r3", "r3 = *(u32 *)(r10 - 8)", "r0 ^= r3",
        "r3 = *(s8 *)(r10 - 1)", "r0 ^= r3", "r3 = *(s16 *)(r10 - 4)", "r0 ^= r3", "r3 = *(s32 *)(r10 - 8)", "r0 ^= r3", "exit",
      ],
    },
    {
      path: "mem/stack-narrow-then-u64.bpf",
      desc: "bytes, a u16 and a u32 stored into the stack slot at r10 - 16, reloaded as one u64",
      source: SOURCE,
      runs: [`=> r0=${val(load([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88], 0, 8, false))}`],
      body: [
        "r2 = 0x44332211", "*(u32 *)(r10 - 16) = r2", "r2 = 0x6655", "*(u16 *)(r10 - 12) = r2",
        "r2 = 0x77", "*(u8 *)(r10 - 10) = r2", "*(u8 *)(r10 - 9) = 0x88", "r0 = *(u64 *)(r10 - 16)", "exit",
      ],
    },
    {
      path: "mem/stack-512.bpf",
      desc: "the whole 512-byte BPF stack: stores at r10 - 512 and r10 - 8, reloaded through other sizes",
      source: SOURCE,
      runs: [`ctx=[${hexBytes(bytes)}] => r0=${val(load(bytes, 0, 8, false) ^ load(bytes, 6, 2, false))}`],
      body: [
        "r2 = *(u64 *)(r1 + 0)", "*(u64 *)(r10 - 512) = r2", "*(u16 *)(r10 - 8) = r2",
        "r0 = *(u64 *)(r10 - 512)", "r3 = *(u16 *)(r10 - 506)", "r0 ^= r3", "r3 = *(u16 *)(r10 - 8)", "r3 ^= r2",
        "r3 &= 0xffff", "r0 ^= r3", "exit",
      ],
    },
  ];
}

// ---- far offsets: a 40,000-byte map value, the base pointer at +0 or +36,000 ----

const VALUE = 40_000;
const FAR_BASE_HIGH = 36_000;

/** Offsets either side of the 12-bit limit and up to the 16-bit extremes, from a base at 0 or at +36,000. */
const FAR: readonly { off: number; high: boolean }[] = [
  { off: 2040, high: false }, { off: 2048, high: false }, { off: 4000, high: false }, { off: 32760, high: false },
  { off: -2048, high: true }, { off: -2056, high: true }, { off: -32768, high: true },
];

const farAddr = (f: { off: number; high: boolean }): number => (f.high ? FAR_BASE_HIGH : 0) + f.off;
const farBase = (f: { high: boolean }): string => (f.high ? "r7" : "r6");
const showOff = (off: number): string => (off < 0 ? `- ${-off}` : `+ ${off}`);
const FAR_PROLOGUE = ["r6 = map_value[big + 0] ll", "r7 = r6", `r7 += ${FAR_BASE_HIGH}`];

function mapDecl(contents?: readonly number[]): string {
  return `map big: array key=4 value=${VALUE} max=1${contents ? ` [0]=${bytesLiteral(contents)}` : ""}`;
}

function farSpecs(): GenSpec[] {
  const out: GenSpec[] = [];
  // Loads: a distinct u64 at every far place; r0 is the xor of what the program loads from them.
  let mem = new Array(VALUE).fill(0);
  FAR.forEach((f, k) => (mem = store(mem, farAddr(f), 8, 0x0101_0101_0101_0101n * BigInt(k + 1) + (1n << BigInt(56 + k)))));
  const loaded = FAR.reduce((acc, f) => acc ^ load(mem, farAddr(f), 8, false), 0n);
  out.push({
    path: "mem/ldx-u64-far.bpf",
    desc: "LDX u64 at offsets 2040, 2048, 4000, 32760 from a base and -2048, -2056, -32768 from base + 36000 (12-bit and wider)",
    source: SOURCE,
    directives: [mapDecl(mem)],
    runs: [`=> r0=${val(loaded)}`],
    body: [...FAR_PROLOGUE, "r0 = 0", ...FAR.flatMap((f) => [`r2 = *(u64 *)(${farBase(f)} ${showOff(f.off)})`, "r0 ^= r2"]), "exit"],
  });
  // Narrow loads, signed and unsigned, at odd or unaligned-to-12-bit offsets.
  const narrow: { n: Size; signed: boolean; off: number; high: boolean }[] = [
    { n: 1, signed: false, off: 2049, high: false }, { n: 1, signed: true, off: -2049, high: true },
    { n: 2, signed: false, off: 4094, high: false }, { n: 2, signed: true, off: -4096, high: true },
    { n: 4, signed: false, off: 32764, high: false }, { n: 4, signed: true, off: -32768, high: true },
  ];
  let nmem = new Array(VALUE).fill(0);
  for (const x of narrow) nmem = store(nmem, farAddr(x), 8 as Size, 0x8899_aabb_ccdd_eeffn);
  const nres = narrow.reduce((acc, x) => acc ^ load(nmem, farAddr(x), x.n, x.signed), 0n);
  out.push({
    path: "mem/ldx-narrow-far.bpf",
    desc: "LDX and LDX MEMSX of 1, 2 and 4 bytes at offsets beyond 12 bits, positive and negative",
    source: SOURCE,
    directives: [mapDecl(nmem)],
    runs: [`=> r0=${val(nres)}`],
    body: [
      ...FAR_PROLOGUE, "r0 = 0",
      ...narrow.flatMap((x) => [`r2 = *(${x.signed ? "s" : "u"}${x.n * 8} *)(${farBase(x)} ${showOff(x.off)})`, "r0 ^= r2"]),
      "exit",
    ],
  });
  // Stores: STX of each size and ST of each size at far offsets; the map's bytes after the run are the check.
  for (const kind of ["stx", "st"] as const) {
    let after = new Array(VALUE).fill(0);
    const body = [...FAR_PROLOGUE, "r2 = 0x1122334455667788 ll"];
    FAR.forEach((f, k) => {
      const n = SIZES[k % 4]!;
      const v = kind === "stx" ? 0x1122_3344_5566_7788n : BigInt(-1 - k * 0x1111);
      after = store(after, farAddr(f), n, v);
      body.push(kind === "stx" ? `*(${U(n)} *)(${farBase(f)} ${showOff(f.off)}) = r2` : `*(${U(n)} *)(${farBase(f)} ${showOff(f.off)}) = ${-1 - k * 0x1111}`);
    });
    body.push("r0 = 0", "exit");
    out.push({
      path: `mem/${kind}-far.bpf`,
      desc: `${kind.toUpperCase()} of every size at offsets 2040 .. 32760 and -2048 .. -32768 (beyond 12 bits: through t1${kind === "st" ? "/t2" : ""})`,
      source: SOURCE,
      directives: [mapDecl()],
      runs: [`=> r0=0 big[0]=${bytesLiteral(after)}`],
      body,
    });
  }
  return out;
}

export function memSpecs(): GenSpec[] {
  const out: GenSpec[] = [];
  for (const n of SIZES) out.push(ctxLoadSpec(n, false));
  for (const n of [1, 2, 4] as const) out.push(ctxLoadSpec(n, true));
  for (const n of SIZES) out.push(ctxStoreSpec(n), stackStoreImmSpec(n));
  return [...out, ...stackSpecs(), ...farSpecs()];
}
