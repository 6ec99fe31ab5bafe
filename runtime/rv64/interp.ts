/**
 * @fileoverview The interpreter: one `switch` over dense op numbers, generated once at module load from the
 * semantic templates (semantics/), so that it and the block translator (blocks.ts) run the same one-liners.
 *
 * Registers live in `m.x`, an Int32Array of (lo, hi) pairs: x[2r] is the low word of register r, x[2r + 1] the high
 * word; pair 32 (index 64) swallows writes to x0. The program counter is an offset `off` into the current code
 * region; leaving the region (a jump elsewhere, a trap address) returns to Machine.run, which finds the next one.
 * Every instruction costs one unit of `left`, the remaining budget; it is checked before the instruction runs, so a
 * run stops exactly at its budget.
 *
 * Memory accesses go through the region the instruction touched last (record word 3): one compare of the high word
 * and one of the offset against the region's limit. A miss asks Memory.resolve, which finds the region allowing
 * the access or explains the fault.
 */
import * as int64 from "./int64.js";
import type { Machine } from "./machine.js";
import { PERM_R, PERM_W } from "./memory.js";
import { OP_NAMES, SEMANTICS, type Sem, type Size } from "./semantics/index.js";

/** How a run of the interpreter ended (Machine.run hides JUMP: it moves to the next region and continues). */
export const EXIT_TRAP = 1;
export const EXIT_ECALL = 2;
export const EXIT_EBREAK = 3;
export const EXIT_FAULT = 4;
export const EXIT_BUDGET = 5;
export const EXIT_JUMP = 6;

export type InterpFn = (m: Machine) => number;

/** Replaces `$name` placeholders of a template. */
export function subst(code: string, env: Readonly<Record<string, string>>): string {
  return code.replace(/\$(\w+)/g, (_, k: string) => {
    const v = env[k];
    if (v === undefined) throw new Error(`semantic template uses $${k}, which this tier does not provide: ${code}`);
    return v;
  });
}

/** Register reads of the interpreter tier. */
const ENV = {
  a_lo: "x[a]", a_hi: "x[a + 1]", b_lo: "x[b]", b_hi: "x[b + 1]", imm: "imm",
  pc_lo: "((cLo + off) | 0)", pc_hi: "cHi", m_lo: "ml", m_hi: "mh",
};

/** Effective address x[rs1] + imm into (aH, aL). */
const ADDR = "aL = (x[a] + imm) | 0; aH = (x[a + 1] + (imm >> 31) + ((aL >>> 0) < (x[a] >>> 0) ? 1 : 0)) | 0;";
/** Atomics address x[rs1] exactly and must be naturally aligned. */
const ATOMIC_ADDR = (size: number) =>
  `aL = x[a]; aH = x[a + 1]; if ((aL & ${size - 1}) !== 0) return m.atomicFault(off, left, aH, aL, ${size});`;

/** Finds the region for a `size`-byte access with permissions `perm` at (aH, aL): sets ri, o (offset), dv (view). */
function region(size: number, perm: number, access: string): string {
  return `ri = D[k + 3]; o = (aL - RLO[ri]) >>> 0;
      if (aH !== RHI[ri] || o + ${size} > RLIM[ri]) {
        ri = mem.resolve(aH, aL, ${size}, ${perm});
        if (ri < 0) return m.memFault(off, left, aH, aL, ${size}, "${access}");
        D[k + 3] = ri; o = (aL - RLO[ri]) >>> 0;
      }
      dv = V[ri];`;
}
const misaligned = (size: number) => (size > 1 ? `if ((aL & ${size - 1}) !== 0) mem.misaligned++;` : "");

/** Reads `size` bytes at dv[o] into (lo, hi), sign- or zero-extended. */
export function readValue(size: Size, signed: boolean, dv = "dv", o = "o"): string {
  switch (size) {
    case 1: return signed ? `lo = ${dv}.getInt8(${o}); hi = lo >> 31;` : `lo = ${dv}.getUint8(${o}); hi = 0;`;
    case 2: return signed ? `lo = ${dv}.getInt16(${o}, true); hi = lo >> 31;` : `lo = ${dv}.getUint16(${o}, true); hi = 0;`;
    case 4: return signed ? `lo = ${dv}.getInt32(${o}, true); hi = lo >> 31;` : `lo = ${dv}.getInt32(${o}, true); hi = 0;`;
    case 8: return `lo = ${dv}.getInt32(${o}, true); hi = ${dv}.getInt32(${o} + 4, true);`;
  }
}
/** Writes the low `size` bytes of (lo, hi) at dv[o]. */
export function writeValue(size: Size, lo: string, hi: string, dv = "dv", o = "o"): string {
  switch (size) {
    case 1: return `${dv}.setInt8(${o}, ${lo});`;
    case 2: return `${dv}.setInt16(${o}, ${lo}, true);`;
    case 4: return `${dv}.setInt32(${o}, ${lo}, true);`;
    case 8: return `${dv}.setInt32(${o}, ${lo}, true); ${dv}.setInt32(${o} + 4, ${hi}, true);`;
  }
}

/** The old memory value of an atomic into (ml, mh), sign-extended for .w. */
const readOld = (size: 4 | 8) =>
  size === 4 ? "ml = dv.getInt32(o, true); mh = ml >> 31;" : "ml = dv.getInt32(o, true); mh = dv.getInt32(o + 4, true);";

/**
 * After a taken control transfer to `off`: count the entry, and when a translated block starts there (or one is due
 * to be translated) leave it to Machine.enterBlock. The rare part is out of line, so this big function keeps one
 * stable shape: block calls (a call site that sees many targets) and translation never deoptimize it.
 */
const DISPATCH = `if (T !== null && (off >>> 0) < cSize && (T.index[off >>> 1] !== 0 || ++T.heat[off >>> 1] === T.hot)) {
        m.left = left; off = m.enterBlock(T, off); left = m.left;
        if (off < 0) return ${EXIT_JUMP};
      }`;
const LINK = "lo = (cLo + off + sz) | 0; x[d] = lo; x[d + 1] = (cHi + ((lo >>> 0) < (cLo >>> 0) ? 1 : 0)) | 0;";
/** The atomics: rare in eBPF JIT output and 40% of the source, so they live in a second function (see below). */
const OUT_OF_LINE = new Set<Sem["kind"]>(["amo", "lr", "sc", "cas"]);

function caseBody(s: Sem, NEXT = "off += sz; continue;"): string {
  switch (s.kind) {
    case "alu":
      return `${subst(s.code, ENV)} x[d] = lo; x[d + 1] = hi; ${NEXT}`;
    case "branch":
      return `if (${subst(s.cond, ENV)}) { off += imm; ${DISPATCH} } else off += sz; continue;`;
    case "load":
      return `${ADDR} ${region(s.size, PERM_R, "load")} ${misaligned(s.size)} ${readValue(s.size, s.signed)} x[d] = lo; x[d + 1] = hi; ${NEXT}`;
    case "store":
      return `${ADDR} ${region(s.size, PERM_W, "store")} ${misaligned(s.size)} ${writeValue(s.size, "x[b]", "x[b + 1]")} ${NEXT}`;
    case "jal":
      return `${LINK} off += imm; ${DISPATCH} continue;`;
    case "jalr":
      // The target is computed before the link is written: rd may be rs1.
      return `t = (x[a] + imm) | 0; aH = (x[a + 1] + (imm >> 31) + ((t >>> 0) < (x[a] >>> 0) ? 1 : 0)) | 0; aL = t & -2;
      ${LINK}
      if (aH !== cHi || ((aL - cLo) >>> 0) >= cSize) return m.jump(aH, aL, left);
      off = (aL - cLo) >>> 0; ${DISPATCH} continue;`;
    case "amo":
      return `${ATOMIC_ADDR(s.size)} ${region(s.size, PERM_R | PERM_W, "amo")}
      ${readOld(s.size)}
      ${subst(s.code, ENV)} ${writeValue(s.size, "lo", "hi")} x[d] = ml; x[d + 1] = mh; ${NEXT}`;
    case "lr":
      return `${ATOMIC_ADDR(s.size)} ${region(s.size, PERM_R, "load")} ${readValue(s.size, true)}
      m.resHi = aH; m.resLo = aL; m.resSize = ${s.size}; x[d] = lo; x[d + 1] = hi; ${NEXT}`;
    case "sc":
      return `${ATOMIC_ADDR(s.size)}
      if (m.resSize === ${s.size} && m.resHi === aH && m.resLo === aL) {
        ${region(s.size, PERM_W, "store")} ${writeValue(s.size, "x[b]", "x[b + 1]")} lo = 0;
      } else lo = 1;
      m.resSize = 0; x[d] = lo; x[d + 1] = 0; ${NEXT}`;
    case "cas": {
      // rd is both the expected value and the destination; rd = x0 expects 0.
      const eq = s.size === 4 ? "ml === s" : "ml === s && mh === t";
      return `${ATOMIC_ADDR(s.size)} ${region(s.size, PERM_R | PERM_W, "amo")}
      ${readOld(s.size)}
      s = d === 64 ? 0 : x[d]; t = d === 64 ? 0 : x[d + 1];
      if (${eq}) { ${writeValue(s.size, "x[b]", "x[b + 1]")} }
      x[d] = ml; x[d + 1] = mh; ${NEXT}`;
    }
    case "fence":
      return NEXT;
    case "ecall":
      return `return m.stop(${EXIT_ECALL}, off, left);`;
    case "ebreak":
      return `return m.stop(${EXIT_EBREAK}, off, left);`;
  }
}

const cases = (keep: (s: Sem) => boolean, next?: string) =>
  OP_NAMES.slice(1)
    .map((name, i) => [name, i + 1] as const)
    .filter(([name]) => keep(SEMANTICS[name]!))
    .map(([name, id]) => `    case ${id}: /* ${name} */ {\n      ${caseBody(SEMANTICS[name]!, next)}\n    }`)
    .join("\n");

/**
 * The interpreter's source (exported for inspection: `node -e` it to read what runs). Two functions: `interp`, the
 * loop, and `atomic`, which executes one atomic instruction for it and returns 0, or an exit code after a fault.
 * Keeping the atomics out of the loop makes the function V8 optimizes smaller, which shortens its compile time
 * (a cost every short run pays) and each recompilation after a deoptimization.
 */
export function interpreterSource(): string {
  return `"use strict";
const { ${Object.keys(int64).join(", ")} } = int64;
function atomic(m, x, D, k, d, a, b, off, left) {
  const mem = m.mem, RHI = mem.baseHi, RLO = mem.baseLo, RLIM = mem.limit, V = mem.views;
  let lo = 0, hi = 0, s = 0, t = 0, aL = 0, aH = 0, o = 0, ri = 0, ml = 0, mh = 0, dv = V[0];
  switch (D[k]) {
${cases((sem) => OUT_OF_LINE.has(sem.kind), "return 0;")}
    default: throw new Error("runtime/rv64: op " + D[k] + " is not an atomic");
  }
}
return function interp(m) {
  const x = m.x, mem = m.mem, RHI = mem.baseHi, RLO = mem.baseLo, RLIM = mem.limit, V = mem.views;
  const reg = m.region, D = reg.dec, cLo = reg.baseLo, cHi = reg.baseHi, cSize = RLIM[reg.index];
  const T = m.blockCache(reg);
  let off = m.off, left = m.left;
  let op = 0, w = 0, d = 0, a = 0, b = 0, imm = 0, sz = 0, k = 0;
  let lo = 0, hi = 0, s = 0, t = 0, aL = 0, aH = 0, o = 0, ri = 0, dv = V[0];
  for (;;) {
    if ((off >>> 0) >= cSize) return m.leave(off, left);
    k = off << 1;
    op = D[k];
    if (op === 0 && (op = m.decodeAt(off)) === 0) return m.stop(${EXIT_FAULT}, off, left);
    if (left <= 0) return m.stop(${EXIT_BUDGET}, off, left);
    left--;
    w = D[k + 1]; d = w & 255; a = (w >>> 8) & 255; b = (w >>> 16) & 255; sz = w >>> 24; imm = D[k + 2];
    switch (op) {
${cases((sem) => !OUT_OF_LINE.has(sem.kind))}
    default: {
      const e = atomic(m, x, D, k, d, a, b, off, left);
      if (e !== 0) return e;
      off += sz; continue;
    }
    }
  }
};`;
}

/** Compiles the interpreter. */
export function buildInterpreter(): InterpFn {
  return new Function("int64", interpreterSource())(int64) as InterpFn;
}
