/**
 * @fileoverview Hot-block translation: a straight-line run of instructions that the interpreter entered often
 * becomes one JavaScript function (`new Function`), built from the same semantic templates as the interpreter, with
 * the block's registers in locals (`l10`/`h10` = low/high word of a0) and immediates and addresses as constants. A
 * block that branches back to its own start runs as a JS loop.
 *
 * A block ends after its first control transfer (branch, jal, jalr), before any instruction this tier leaves to
 * the interpreter (atomics, ecall, ebreak, undecodable bits), or at MAX_LEN. Only blocks that branch back to their
 * own entry, or are at least MIN_STRAIGHT long, are translated. Contract with the interpreter
 * (interp.ts, DISPATCH): `f(x, m)` runs from its entry with `m.left` as the budget and returns the offset to
 * continue at, or -1 after setting m.pcHi/pcLo (a jump out of the region). It never runs an instruction beyond the
 * budget: it enters only with left >= its length, and leaves to the interpreter when a memory access misses its
 * cached region (returning that instruction's offset, which the interpreter then executes or reports as a fault).
 */
import * as int64 from "./int64.js";
import { readValue, subst, writeValue } from "./interp.js";
import type { Machine } from "./machine.js";
import { NO_REGION, PERM_R, PERM_W, type Region } from "./memory.js";
import { predecode, REC } from "./predecode.js";
import { OP_NAMES, SEMANTICS, type Sem } from "./semantics/index.js";

export type BlockFn = (x: Int32Array, m: Machine) => number;

export interface BlockCache {
  /** Index in `fns` of the translated block at entry offset / 2; 0 = none. (A typed array: a JS array this long
   * would be in dictionary mode, a hash lookup on every taken branch.) */
  readonly index: Int32Array;
  /** Translated blocks; slot 0 unused. */
  readonly fns: BlockFn[];
  /** Entries seen, by offset / 2 (wraps at 65536; the interpreter calls `compile` each time it reaches `hot`). */
  readonly heat: Uint16Array;
  readonly hot: number;
  /** Decides whether the block at `off` is worth translating yet, and translates it. */
  compile(off: number): void;
  /** Blocks translated so far. */
  count: number;
}

/** When to translate; the defaults suit programs run once (specs, `rvjit emu`), where compile time counts. */
export interface BlockPolicy {
  /** Entries of a block that branches back to itself before it is translated (default 256). */
  hot?: number;
  /** Entries of any other block, once it is long enough (default 4096). */
  hotStraight?: number;
  /** Shortest translated block that does not loop (default Infinity: none). */
  minStraight?: number;
}

const MAX_LEN = 128;
/**
 * By default only blocks that loop on themselves are translated. A call into a block loads and stores every register
 * it touches, and V8 compiles each block function twice (bytecode, then optimized code, ~1 ms on a busy machine).
 * Measured on glibc code (printf, qsort, recursion: mostly 2-17 instruction blocks entered from the interpreter),
 * translating every block at 256 entries made a 3-million-instruction run 3-5x slower than interpreting it, and
 * straight blocks of 12+ instructions after 4096 entries still cost more than they saved; self-loops run at
 * 300-400 MIPS against the interpreter's ~90. Straight blocks remain available (tests translate everything).
 */
const DEFAULT_POLICY: Required<BlockPolicy> = { hot: 256, hotStraight: 4096, minStraight: Infinity };

const caches = new WeakMap<Region, BlockCache>();

export function blockCacheFor(m: Machine, r: Region): BlockCache {
  let c = caches.get(r);
  if (c) return c;
  const n = r.bytes.length >>> 1;
  const p = { ...DEFAULT_POLICY, ...m.blockPolicy };
  const hot = Math.max(1, Math.min(p.hot, 65535));
  /** Straight blocks seen hot once already: deferred until `hotStraight` entries. */
  const deferred = new Uint8Array(n);
  const cache: BlockCache = {
    index: new Int32Array(n),
    fns: [undefined as unknown as BlockFn],
    heat: new Uint16Array(n),
    hot,
    count: 0,
    compile: (off) => {
      const insns = scan(m, r, off);
      const loops = loopsToEntry(insns, off);
      if (!loops) {
        if (insns.length < p.minStraight) return;
        const wait = Math.min(p.hotStraight, 65535) - hot;
        if (wait > 0 && deferred[off >>> 1] === 0) {
          // heat reaches `hot` again after `wait` more entries
          deferred[off >>> 1] = 1;
          cache.heat[off >>> 1] = (hot - wait) & 0xffff;
          return;
        }
      } else if (insns.length < 2) {
        return;
      }
      cache.index[off >>> 1] = cache.fns.length;
      cache.fns.push(compileBlock(m, r, off, insns));
      cache.count++;
    },
  };
  caches.set(r, cache);
  return cache;
}

interface Insn {
  off: number;
  name: string;
  sem: Sem;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  size: number;
}

/** Kinds this tier translates; the others end a block before them. */
const TRANSLATED = new Set(["alu", "branch", "load", "store", "jal", "jalr", "fence"]);
const ENDS_BLOCK = new Set(["branch", "jal", "jalr"]);

/** The instructions of the block at `entry`, decoding them as needed. */
function scan(m: Machine, r: Region, entry: number): Insn[] {
  const out: Insn[] = [];
  const dec = r.dec!;
  for (let off = entry; out.length < MAX_LEN;) {
    const k = (off >>> 1) * REC;
    if (dec[k] === 0 && typeof predecode(r, off, m.isa) !== "number") break;
    const name = OP_NAMES[dec[k]!]!;
    const sem = SEMANTICS[name]!;
    if (!TRANSLATED.has(sem.kind)) break;
    const w = dec[k + 1]!;
    const d = w & 255;
    out.push({ off, name, sem, rd: d === 64 ? 0 : d >> 1, rs1: ((w >>> 8) & 255) >> 1, rs2: ((w >>> 16) & 255) >> 1, imm: dec[k + 2]!, size: w >>> 24 });
    off += w >>> 24;
    if (ENDS_BLOCK.has(sem.kind)) break;
  }
  return out;
}

/** Registers a block reads or writes (x0 excluded). */
function registersOf(insns: Insn[]): number[] {
  const set = new Set<number>();
  for (const i of insns) for (const r of [i.rd, i.rs1, i.rs2]) if (r !== 0) set.add(r);
  return [...set].sort((a, b) => a - b);
}

function hexOff(off: number): string {
  return off.toString(16);
}

/** True when the block's last instruction jumps back to its entry (it then runs as a JS loop). */
function loopsToEntry(insns: Insn[], entry: number): boolean {
  const last = insns[insns.length - 1];
  return last !== undefined && (last.sem.kind === "branch" || last.sem.kind === "jal") && last.off + last.imm === entry;
}

/** Translates the block at `entry` whatever its size (no policy: see blockCacheFor); undefined if it is empty. */
export function translate(m: Machine, r: Region, entry: number): BlockFn | undefined {
  const insns = scan(m, r, entry);
  return insns.length === 0 ? undefined : compileBlock(m, r, entry, insns);
}

function compileBlock(m: Machine, r: Region, entry: number, insns: Insn[]): BlockFn {
  const src = blockSource(r, entry, insns);
  const memOps = insns.filter((i) => i.sem.kind === "load" || i.sem.kind === "store").length;
  const cache = new Int32Array(Math.max(memOps, 1)).fill(NO_REGION);
  return new Function("int64", "mem", "C", src)(int64, m.mem, cache) as BlockFn;
}

/** What the code of one instruction needs to know about its block. */
interface BlockCtx {
  r: Region;
  entry: number;
  len: number;
  /** Leaves the block after `done` instructions, continuing at `next` (an offset expression). */
  exit(done: number | string, next: string): string;
  /** Declarations of the per-access region caches, filled as memory instructions are emitted. */
  caches: string[];
}

const lo = (n: number) => (n === 0 ? "0" : `l${n}`);
const hi = (n: number) => (n === 0 ? "0" : `h${n}`);

/** The code of instruction number `n` of the block. */
function insnCode(b: BlockCtx, i: Insn, n: number): string {
  const pc = b.r.base + BigInt(i.off);
  const pcLo = Number(pc & 0xffff_ffffn) | 0;
  const pcHi = Number((pc >> 32n) & 0xffff_ffffn) | 0;
  const env = {
    a_lo: lo(i.rs1), a_hi: hi(i.rs1), b_lo: lo(i.rs2), b_hi: hi(i.rs2), imm: `(${i.imm})`,
    pc_lo: `(${pcLo})`, pc_hi: `(${pcHi})`,
  };
  const setRd = i.rd === 0 ? "" : `l${i.rd} = lo | 0; h${i.rd} = hi | 0;`;
  const comment = `/* ${hexOff(i.off)}: ${i.name} */ `;
  /** Continues at `target`: around the loop when it is the entry (budget permitting), else out of the block. */
  const goTo = (target: number) => (target === b.entry
    ? `{ left -= ${b.len}; if (left >= ${b.len}) continue; ${b.exit(0, String(b.entry))} }`
    : b.exit(b.len, String(target)));
  const s = i.sem;
  switch (s.kind) {
    case "alu":
      return `${comment}${subst(s.code, env)} ${setRd}`;
    case "fence":
      return comment;
    case "load":
    case "store": {
      // Each access has its own region cache in locals (base, limit, view), loaded at block entry from C[c] and
      // refreshed when an access misses; a miss that no region allows leaves the block before the instruction.
      const perm = s.kind === "load" ? PERM_R : PERM_W;
      const c = b.caches.length;
      b.caches.push(`bl${c} = RLO[C[${c}]], bh${c} = RHI[C[${c}]], lim${c} = RLIM[C[${c}]] - ${s.size}, dv${c} = V[C[${c}]]`);
      const addr = `aL = (${env.a_lo} + ${i.imm}) | 0; aH = (${env.a_hi} + ${i.imm >> 31} + ((aL >>> 0) < (${env.a_lo} >>> 0) ? 1 : 0)) | 0;`;
      const find = `o = (aL - bl${c}) >>> 0;
    if (aH !== bh${c} || o > lim${c}) {
      ri = mem.resolve(aH, aL, ${s.size}, ${perm}); if (ri < 0) ${b.exit(n, String(i.off))}
      C[${c}] = ri; bl${c} = RLO[ri]; bh${c} = RHI[ri]; lim${c} = RLIM[ri] - ${s.size}; dv${c} = V[ri]; o = (aL - bl${c}) >>> 0;
    }`;
      const mis = s.size > 1 ? `if ((aL & ${s.size - 1}) !== 0) mem.misaligned++;` : "";
      const access = s.kind === "load" ? `${readValue(s.size, s.signed, `dv${c}`)} ${setRd}` : writeValue(s.size, env.b_lo, env.b_hi, `dv${c}`);
      return `${comment}${addr}\n    ${find}\n    ${mis} ${access}`;
    }
    case "branch":
      return `${comment}if (${subst(s.cond, env)}) ${goTo(i.off + i.imm)}\n    ${b.exit(b.len, String(i.off + i.size))}`;
    case "jal":
      return `${comment}${linkCode(i, pcLo, pcHi)} ${goTo(i.off + i.imm)}`;
    case "jalr":
      // The target first: rd may be rs1. Inside this region: an offset; elsewhere: the pc, and -1.
      return `${comment}t = (${env.a_lo} + ${i.imm}) | 0; aH = (${env.a_hi} + ${i.imm >> 31} + ((t >>> 0) < (${env.a_lo} >>> 0) ? 1 : 0)) | 0; aL = t & -2; ${linkCode(i, pcLo, pcHi)}
    if (aH === ${b.r.baseHi} && ((aL - ${b.r.baseLo}) >>> 0) < RLIM[${b.r.index}]) ${b.exit(b.len, `(aL - ${b.r.baseLo}) >>> 0`)}
    m.pcHi = aH; m.pcLo = aL; ${b.exit(b.len, "-1")}`;
    default:
      throw new Error(`blocks.ts: ${i.name} (${s.kind}) cannot be translated`);
  }
}

/** The JavaScript of one block (exported for tests and for reading what runs). */
export function blockSource(r: Region, entry: number, insns: Insn[]): string {
  const regs = registersOf(insns);
  const len = insns.length;
  const writeBack = regs.map((n) => `x[${2 * n}] = l${n}; x[${2 * n + 1}] = h${n};`).join(" ");
  const b: BlockCtx = {
    r, entry, len, caches: [],
    exit: (done, next) => `{ ${writeBack} m.left = left - ${done}; return ${next}; }`,
  };
  const body = insns.map((i, n) => insnCode(b, i, n));
  const last = insns[len - 1]!;
  if (!ENDS_BLOCK.has(last.sem.kind)) body.push(b.exit(len, String(last.off + last.size)));
  return `"use strict";
const { ${Object.keys(int64).join(", ")} } = int64;
const RHI = mem.baseHi, RLO = mem.baseLo, RLIM = mem.limit, V = mem.views;
return function block_${hexOff(entry)}(x, m) {
  let left = m.left;
  if (left < ${len}) return ${entry};
  let ${regs.map((n) => `l${n} = x[${2 * n}], h${n} = x[${2 * n + 1}]`).join(", ") || "unused = 0"};
  let lo = 0, hi = 0, s = 0, t = 0, aL = 0, aH = 0, o = 0, ri = 0;${b.caches.length ? `\n  let ${b.caches.join(",\n    ")};` : ""}
  for (;;) {
    ${body.join("\n    ")}
  }
};`;
}

/** x[rd] = pc + size, as constants. */
function linkCode(i: Insn, pcLo: number, pcHi: number): string {
  if (i.rd === 0) return "";
  const next = BigInt.asUintN(64, ((BigInt(pcHi >>> 0) << 32n) | BigInt(pcLo >>> 0)) + BigInt(i.size));
  return `l${i.rd} = ${Number(next & 0xffff_ffffn) | 0}; h${i.rd} = ${Number(next >> 32n) | 0};`;
}
