/**
 * @fileoverview Verifier, part 4: memory accesses through a pointer register (the kernel's check_mem_access and
 * the stack read/write tracking behind it), with the kernel's messages:
 *   - a scalar, NULL-able, map or function pointer cannot be dereferenced ("R1 invalid mem access 'scalar'");
 *   - stack accesses stay inside the frame's 512 bytes below R10 ("invalid write to stack R10 off=-520 size=8")
 *     and are aligned to their size ("misaligned stack access ..."); they set the function's stack depth;
 *   - ctx accesses use a fixed offset ("dereference of modified ctx ptr R1 off=8 disallowed") inside ctx;
 *   - memory and map value accesses stay inside the object ("invalid access to map value, value_size=8 off=8
 *     size=4"), for a variable offset at both ends of its range;
 *   - without efficient unaligned access (RISC-V's default), every access is aligned to its size, as the kernel's
 *     strict alignment demands ("misaligned access off (0x0; 0x0)+0+2 size 4").
 */
import { MAX_BPF_STACK } from "../kernel-abi.js";
import { type FrameState, type VState } from "./verify-state.js";
import { type Ptr, type Reg, scalarConst, scalarSigned, scalarUpTo, UNKNOWN } from "./verify-value.js";
import { VerifierError } from "./verify-types.js";

/** BPF_MAX_VAR_OFF: the largest offset a pointer may carry. */
export const MAX_VAR_OFF = 1 << 29;

/** What the access checks need from the verifier's context. */
export interface MemEnv {
  /** Byte size of the object r1 points to at entry (ctx or mem); undefined: unchecked. */
  ctxSize?: number;
  /** value_size of each map. */
  mapValueSize(map: number): number;
  /** Strict alignment for all pointer kinds (RISC-V without efficient unaligned access). */
  strictAlignment: boolean;
  /** Records that function `subprog`'s stack reaches `depth` bytes below its R10. */
  noteStackDepth(subprog: number, depth: number): void;
}

export interface Access {
  insn: number;
  /** The pointer register and its state. */
  regno: number;
  ptr: Reg;
  /** The instruction's offset field. */
  off: number;
  size: 1 | 2 | 4 | 8;
  write: boolean;
  /** Atomics must be aligned whatever the configuration (check_atomic's strict_alignment_once). */
  atomic?: boolean;
  /** For a store: what is stored (a register's state, or an immediate as a constant scalar). */
  value?: Reg;
  /** A store of an immediate (BPF_ST), for the ctx rule. */
  isSt?: boolean;
}

const TYPE_NAMES: Record<Ptr["kind"], string> = { stack: "fp", ctx: "ctx", mem: "mem", map_value: "map_value", map_ptr: "map_ptr", func: "func" };

/** The kernel's reg_type_str for a register state. */
export function regTypeName(r: Reg): string {
  if (r.t === "scalar") return "scalar";
  if (r.t === "uninit") return "?";
  return r.nullable ? `${TYPE_NAMES[r.kind]}_or_null` : TYPE_NAMES[r.kind];
}

/** The kernel's tnum text "(0x…; 0x…)" for a pointer's variable offset part, from its bounds and known zero bits. */
export function varOffText(p: Ptr): string {
  const lo = BigInt.asUintN(64, BigInt(p.vmin));
  const hi = BigInt.asUintN(64, BigInt(p.vmax));
  let bits = 0n;
  while (lo >> bits !== hi >> bits) bits++;
  const unknown = (1n << bits) - 1n;
  const mask = unknown & ~((1n << BigInt(p.vtz)) - 1n);
  return `(0x${(lo & ~unknown).toString(16)}; 0x${mask.toString(16)})`;
}

/** Is (variable part + off) aligned to `size`? */
function aligned(p: Ptr, off: number, size: number): boolean {
  const need = Math.log2(size);
  if (p.vmin === p.vmax) return (p.vmin + p.off + off) % size === 0;
  return (p.off + off) % size === 0 && p.vtz >= need;
}

function fail(a: Access, msg: string): never {
  throw new VerifierError(a.insn, msg);
}

/**
 * Checks one access and returns what a load reads (for stores: UNKNOWN, unused). Stores into the stack update
 * `st`'s slots.
 */
export function checkMemAccess(env: MemEnv, st: VState, a: Access): Reg {
  const p = a.ptr;
  if (p.t !== "ptr" || p.nullable || p.kind === "map_ptr" || p.kind === "func") {
    fail(a, `R${a.regno} invalid mem access '${regTypeName(p)}'`);
  }
  const strict = env.strictAlignment || a.atomic;
  if (p.kind === "stack") return stackAccess(env, st, a, p);
  const desc = p.kind === "ctx" ? "context " : p.kind === "map_value" ? "value " : "";
  if (strict && a.size > 1 && !aligned(p, a.off, a.size)) {
    fail(a, `misaligned ${desc}access off ${varOffText(p)}+${p.off}+${a.off} size ${a.size}`);
  }
  if (p.kind === "ctx") {
    if (a.isSt) fail(a, `BPF_ST stores into R${a.regno} ctx is not allowed`);
    if (p.vmin !== p.vmax || p.vmin !== 0) fail(a, `variable ctx access var_off=${varOffText(p)} disallowed`);
    if (p.off !== 0) fail(a, `dereference of modified ctx ptr R${a.regno} off=${p.off} disallowed`);
    if (env.ctxSize !== undefined && (a.off < 0 || a.off + a.size > env.ctxSize)) {
      fail(a, `invalid bpf_context access off=${a.off} size=${a.size}`);
    }
    return loaded(a.size, false);
  }
  const size = p.kind === "mem" ? env.ctxSize : env.mapValueSize(p.map);
  if (size !== undefined) regionAccess(a, p, size);
  return loaded(a.size, false);
}

/** The value a load of `size` bytes gives when nothing more is known. */
export function loaded(size: number, signed: boolean): Reg {
  if (size === 8) return UNKNOWN;
  const bits = BigInt(size * 8);
  return signed ? scalarSigned(-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n) : scalarUpTo((1n << bits) - 1n);
}

/** check_mem_region_access: [off + var part, + size) inside [0, objectSize). */
function regionAccess(a: Access, p: Ptr, objectSize: number): void {
  const off = a.off + p.off;
  const what = p.kind === "mem" ? `memory, mem_size=${objectSize}` : `map value, value_size=${objectSize}`;
  const bad = (o: number) => o < 0 || o + a.size > objectSize;
  if (p.vmin === p.vmax) {
    if (bad(off + p.vmin)) fail(a, `invalid access to ${what} off=${off + p.vmin} size=${a.size}`);
    return;
  }
  if (p.vmin < 0 && off + p.vmin < 0) {
    fail(a, `R${a.regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  }
  if (bad(off + p.vmin)) fail(a, `R${a.regno} min value is outside of the allowed memory range`);
  if (p.vmax >= MAX_VAR_OFF) fail(a, `R${a.regno} unbounded memory access, make sure to bounds check any such access`);
  if (bad(off + p.vmax)) fail(a, `R${a.regno} max value is outside of the allowed memory range`);
}

/** A stack access: bounds, alignment, depth, and the slot contents. */
function stackAccess(env: MemEnv, st: VState, a: Access, p: Ptr): Reg {
  const frame = st.frames[p.frame]!;
  const off = p.off + a.off;
  const dir = a.write ? " write to" : " read from";
  if (!aligned(p, a.off, a.size)) fail(a, `misaligned stack access off ${varOffText(p)}+${p.off}+${a.off} size ${a.size}`);
  if (p.vmin !== p.vmax && (p.vmax >= MAX_VAR_OFF || p.vmin <= -MAX_VAR_OFF)) {
    fail(a, `invalid unbounded variable-offset${dir} stack R${a.regno}`);
  }
  const minOff = off + p.vmin;
  const maxOff = off + p.vmax + a.size;
  if (minOff < -MAX_BPF_STACK || maxOff > 0) {
    if (p.vmin === p.vmax) fail(a, `invalid${dir} stack R${a.regno} off=${minOff} size=${a.size}`);
    fail(a, `invalid variable-offset${dir} stack R${a.regno} var_off=${varOffText(p)} off=${off} size=${a.size}`);
  }
  env.noteStackDepth(frame.subprog, -minOff);
  if (p.vmin !== p.vmax) {
    // Variable offset: every slot the access may touch becomes unknown bytes (a write), or is read as a scalar.
    if (a.write) for (let o = minOff; o < maxOff; o += 8) frame.stack[slotOf(o)] = undefined;
    return loaded(a.size, false);
  }
  return a.write ? stackWrite(frame, a, minOff) : stackRead(frame, a, minOff);
}

/** Slot index of the byte at offset `o` (negative) from R10. */
const slotOf = (o: number): number => Math.floor((-o - 1) / 8);

function stackWrite(frame: FrameState, a: Access, o: number): Reg {
  const v = a.value;
  if (v && v.t === "ptr" && a.size !== 8) fail(a, "invalid size of register spill");
  const slot = slotOf(o);
  // An aligned 8-byte store of a register or an immediate spills it: a later 8-byte load gives the same state back.
  frame.stack[slot] = a.size === 8 && v && v.t !== "uninit" && !a.atomic ? v : undefined;
  return UNKNOWN;
}

function stackRead(frame: FrameState, a: Access, o: number): Reg {
  const spilled = frame.stack[slotOf(o)];
  if (!spilled) return loaded(a.size, false);
  if (a.size === 8) return spilled;
  if (spilled.t === "ptr") fail(a, "invalid size of register fill");
  return loaded(a.size, false);
}

/** The constant an immediate store writes, as the spilled state. */
export function immValue(imm: number): Reg {
  return scalarConst(BigInt(imm));
}
