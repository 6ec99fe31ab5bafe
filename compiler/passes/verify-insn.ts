/**
 * @fileoverview Verifier, part 5: one instruction's effect on a path's state (the kernel's check_alu_op,
 * check_mem_access callers, check_atomic, check_cond_jmp_op and the LD_IMM64 case of do_check), for a privileged
 * loader (CAP_BPF + CAP_PERFMON: pointer comparisons and copies are allowed, uninitialised stack may be read).
 * Calls and exits are in verify-call.ts.
 */
import { type Insn, ldImm64Value } from "../bpf/insn.js";
import {
  BPF_ADD, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_ATOMIC, BPF_CMPXCHG, BPF_DIV, BPF_END, BPF_FETCH, BPF_JA, BPF_JEQ, BPF_JMP32,
  BPF_JNE, BPF_LDX, BPF_LOAD_ACQ, BPF_LSH, BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_NEG, BPF_OR, BPF_PSEUDO_FUNC,
  BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE, BPF_PSEUDO_MAP_VALUE, BPF_RSH, BPF_STORE_REL,
  BPF_ST, BPF_STX, BPF_SUB, BPF_X, BPF_XCHG, BPF_XOR, bpfClass, bpfMode, bpfOp, bpfSize, sizeBytes,
} from "../bpf/opcodes.js";
import { jumpTarget } from "./verify-cfg.js";
import { type CheckEnv, cur, fail, readReg, writeReg } from "./verify-env.js";
import { checkMemAccess, immValue, loaded, MAX_VAR_OFF, regTypeName } from "./verify-mem.js";
import { cloneState, type VState } from "./verify-state.js";
import {
  branchOnScalars, isConst, type Ptr, type Reg, S64_MIN, type Scalar, scalarAlu, scalarConst, scalarUpTo, UNKNOWN,
} from "./verify-value.js";

/** A successor of an instruction on one path: the state and the slot it continues at. */
export interface Succ {
  st: VState;
  insn: number;
}

const ALU_STRINGS = ["+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian"];

/** ALU and ALU64 instructions. */
export function checkAlu(env: CheckEnv, st: VState, i: number, x: Insn): void {
  const is64 = bpfClass(x.code) === BPF_ALU64;
  const op = bpfOp(x.code);
  const isX = (x.code & BPF_X) !== 0;
  if (op === BPF_END || op === BPF_NEG) {
    const d = readReg(st, i, x.dst);
    writeReg(st, i, x.dst, d.t === "scalar" ? endianOrNeg(op, is64, d, x) : UNKNOWN);
    return;
  }
  if (op === BPF_MOV) {
    if (!isX) {
      writeReg(st, i, x.dst, scalarConst(is64 ? BigInt(x.imm) : BigInt(x.imm >>> 0)));
      return;
    }
    let s = readReg(st, i, x.src);
    if (is64 && x.off === 0 && s.t === "scalar" && !isConst(s) && s.id === undefined && x.dst !== x.src) {
      // A full copy of an unknown scalar links the two registers: a later bounds check on either narrows both.
      s = { ...s, id: ++env.lastId };
      if (x.src !== 10) cur(st).regs[x.src] = s;
    }
    // A full 64-bit copy keeps a pointer a pointer; a 32-bit or sign-extending copy of one is just a number.
    const v = is64 && x.off === 0 ? s : s.t === "scalar" ? scalarAlu(BPF_MOV, is64, UNKNOWN, s, x.off) : UNKNOWN;
    writeReg(st, i, x.dst, v);
    return;
  }
  const src = isX ? readReg(st, i, x.src) : scalarConst(BigInt(x.imm));
  const dst = readReg(st, i, x.dst);
  if ((op === BPF_DIV || op === BPF_MOD) && !isX && x.imm === 0) fail(i, "div by zero");
  if ((op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) && !isX && (x.imm < 0 || x.imm >= (is64 ? 64 : 32))) {
    fail(i, `invalid shift ${x.imm}`);
  }
  if (x.dst === 10) fail(i, "frame pointer is read only");
  let v: Reg;
  if (dst.t === "ptr" && src.t === "ptr") {
    // Combining two pointers yields an arbitrary number; only the difference is allowed (allow_ptr_leaks).
    if (op !== BPF_SUB) fail(i, `R${x.dst} pointer ${ALU_STRINGS[op >> 4]} pointer prohibited`);
    v = UNKNOWN;
  } else if (dst.t === "ptr") {
    v = pointerMath(i, x, op, is64, dst, src as Scalar, false);
  } else if (src.t === "ptr") {
    v = pointerMath(i, x, op, is64, src, dst as Scalar, true);
  } else {
    v = scalarAlu(op, is64, dst as Scalar, src as Scalar, x.off);
  }
  writeReg(st, i, x.dst, v);
}

/** BPF_END and BPF_NEG on a scalar. */
function endianOrNeg(op: number, is64: boolean, d: Scalar, x: Insn): Scalar {
  if (op === BPF_NEG) return scalarAlu(BPF_NEG, is64, d, d, 0);
  if (isConst(d)) {
    let v = d.umin;
    const bits = BigInt(x.imm);
    const swap = is64 || (x.code & BPF_X) !== 0;
    if (swap) {
      let out = 0n;
      for (let k = 0n; k < bits; k += 8n) out = (out << 8n) | ((v >> k) & 0xffn);
      v = out;
    } else if (bits < 64n) v &= (1n << bits) - 1n;
    return scalarConst(v);
  }
  return x.imm === 64 ? UNKNOWN : scalarUpTo((1n << BigInt(x.imm)) - 1n);
}

/**
 * ptr OP scalar (or scalar OP ptr when `swapped`): adjust_ptr_min_max_vals, in the kernel's order of checks. Only
 * 64-bit add and sub move a pointer; a 32-bit difference is a number; everything else is refused.
 */
function pointerMath(i: number, x: Insn, op: number, is64: boolean, p: Ptr, s: Scalar, swapped: boolean): Reg {
  const dst = x.dst;
  if (!is64) {
    if (op === BPF_SUB) return UNKNOWN;
    fail(i, `R${dst} 32-bit pointer arithmetic prohibited`);
  }
  if (p.nullable) fail(i, `R${dst} pointer arithmetic on ${regTypeName(p)} prohibited, null-check it first`);
  const known = isConst(s);
  if (p.kind === "map_ptr" && !(known && s.umin === 0n && op === BPF_ADD)) {
    fail(i, `R${dst} pointer arithmetic on map_ptr prohibited`);
  }
  const typeName = regTypeName(p);
  const max = BigInt(MAX_VAR_OFF);
  if (known && (s.smin >= max || s.smin <= -max)) fail(i, `math between ${typeName} pointer and ${s.smin} is not allowed`);
  if (s.smin === S64_MIN) fail(i, `math between ${typeName} pointer and register with unbounded min value is not allowed`);
  if (s.smin >= max || s.smin <= -max) fail(i, `value ${s.smin} makes ${typeName} pointer be out of bounds`);
  if (op === BPF_SUB) {
    if (swapped) fail(i, `R${dst} tried to subtract pointer from scalar`);
    if (p.kind === "stack") fail(i, `R${dst} subtraction from stack pointer prohibited`);
  } else if (op !== BPF_ADD) {
    const bitwise = op === BPF_AND || op === BPF_OR || op === BPF_XOR;
    fail(i, bitwise ? `R${dst} bitwise operator ${ALU_STRINGS[op >> 4]} on pointer prohibited`
      : `R${dst} pointer arithmetic with ${ALU_STRINGS[op >> 4]} operator prohibited`);
  }
  const sign = op === BPF_ADD ? 1 : -1;
  if (known) {
    const off = p.off + sign * Number(s.smin);
    if (off >= MAX_VAR_OFF || off <= -MAX_VAR_OFF) fail(i, `value ${off} makes ${typeName} pointer be out of bounds`);
    return { ...p, off };
  }
  // A variable part beyond BPF_MAX_VAR_OFF is kept as "unbounded" (clamped): any access through it is refused.
  const clamp = (v: number) => Math.max(-MAX_VAR_OFF, Math.min(MAX_VAR_OFF, v));
  const lo = sign > 0 ? s.smin : -s.smax;
  const hi = sign > 0 ? s.smax : -s.smin;
  const vmin = clamp(p.vmin + Number(lo < -max ? -max : lo));
  const vmax = clamp(p.vmax + Number(hi > max ? max : hi));
  return { ...p, vmin, vmax, vtz: Math.min(p.vtz, s.tz) };
}

/** LD_IMM64: a constant, a map (pseudo fd / index), a map value address, or a function address. */
export function checkLdImm64(env: CheckEnv, st: VState, i: number, x: Insn): void {
  const next = env.insns[i + 1]!;
  let v: Reg;
  switch (x.src) {
    case 0:
      v = scalarConst(ldImm64Value(env.insns, i));
      break;
    case BPF_PSEUDO_MAP_FD:
    case BPF_PSEUDO_MAP_IDX:
    case BPF_PSEUDO_MAP_VALUE:
    case BPF_PSEUDO_MAP_IDX_VALUE: {
      const map = env.maps[x.imm];
      const byIdx = x.src === BPF_PSEUDO_MAP_IDX || x.src === BPF_PSEUDO_MAP_IDX_VALUE;
      if (!map || x.imm < 0) fail(i, byIdx ? `fd_idx ${x.imm} is not pointing to valid bpf_map` : `fd ${x.imm} is not pointing to valid bpf_map`);
      const isValue = x.src === BPF_PSEUDO_MAP_VALUE || x.src === BPF_PSEUDO_MAP_IDX_VALUE;
      if (isValue && (next.imm < 0 || next.imm >= map.valueSize)) {
        fail(i, `invalid access to map value pointer, value_size=${map.valueSize} off=${next.imm >>> 0}`);
      }
      v = { t: "ptr", kind: isValue ? "map_value" : "map_ptr", frame: 0, map: x.imm, off: isValue ? next.imm : 0, vmin: 0, vmax: 0, vtz: 64, nullable: false, id: 0 };
      break;
    }
    case BPF_PSEUDO_FUNC:
      v = { t: "ptr", kind: "func", frame: 0, map: -1, off: 0, vmin: 0, vmax: 0, vtz: 64, nullable: false, id: 0 };
      break;
    default:
      fail(i, `BPF_PSEUDO_BTF_ID loads (src_reg ${x.src}) are not modelled`);
  }
  writeReg(st, i, x.dst, v);
}

/** LDX, ST, STX and the atomics. */
export function checkMemInsn(env: CheckEnv, st: VState, i: number, x: Insn): void {
  const size = sizeBytes(bpfSize(x.code));
  if (bpfClass(x.code) === BPF_LDX) {
    const ptr = readReg(st, i, x.src);
    if (x.dst === 10) fail(i, "frame pointer is read only");
    const v = checkMemAccess(env, st, { insn: i, regno: x.src, ptr, off: x.off, size, write: false });
    const signed = bpfMode(x.code) === BPF_MEMSX;
    writeReg(st, i, x.dst, signed && v.t === "scalar" && size < 8 ? loaded(size, true) : v);
    return;
  }
  if (bpfMode(x.code) === BPF_ATOMIC && bpfClass(x.code) === BPF_STX) return checkAtomic(env, st, i, x, size);
  const isSt = bpfClass(x.code) === BPF_ST;
  const value = isSt ? immValue(x.imm) : readReg(st, i, x.src);
  const ptr = readReg(st, i, x.dst);
  checkMemAccess(env, st, { insn: i, regno: x.dst, ptr, off: x.off, size, write: true, value, isSt });
}

function checkAtomic(env: CheckEnv, st: VState, i: number, x: Insn, size: 1 | 2 | 4 | 8): void {
  if (x.imm === BPF_LOAD_ACQ) {
    const ptr = readReg(st, i, x.src);
    const v = checkMemAccess(env, st, { insn: i, regno: x.src, ptr, off: x.off, size, write: false, atomic: true });
    writeReg(st, i, x.dst, v);
    return;
  }
  const value = readReg(st, i, x.src);
  const ptr = readReg(st, i, x.dst);
  if (x.imm === BPF_STORE_REL) {
    checkMemAccess(env, st, { insn: i, regno: x.dst, ptr, off: x.off, size, write: true, value, atomic: true });
    return;
  }
  if (x.imm === BPF_CMPXCHG) readReg(st, i, 0);
  if (ptr.t === "ptr" && ptr.kind === "ctx") fail(i, `BPF_ATOMIC stores into R${x.dst} ctx is not allowed`);
  checkMemAccess(env, st, { insn: i, regno: x.dst, ptr, off: x.off, size, write: false, atomic: true });
  checkMemAccess(env, st, { insn: i, regno: x.dst, ptr, off: x.off, size, write: true, value: UNKNOWN, atomic: true });
  const old = size === 4 ? scalarUpTo(0xffff_ffffn) : UNKNOWN;
  if (x.imm === BPF_CMPXCHG) writeReg(st, i, 0, old);
  else if (x.imm === BPF_XCHG || (x.imm & BPF_FETCH) !== 0) writeReg(st, i, x.src, old);
}

/** JA, JMP and JMP32 conditional jumps: the successors that some value of the operands can reach. */
export function checkJump(st: VState, i: number, x: Insn): Succ[] {
  const op = bpfOp(x.code);
  if (op === BPF_JA) return [{ st, insn: jumpTarget(x, i) }];
  const isX = (x.code & BPF_X) !== 0;
  const b = isX ? readReg(st, i, x.src) : scalarConst(BigInt(x.imm));
  const a = readReg(st, i, x.dst);
  const is32 = bpfClass(x.code) === BPF_JMP32;
  const target = i + 1 + x.off;
  if (a.t === "scalar" && b.t === "scalar") {
    const { taken, fallthrough } = branchOnScalars(op, a, b, is32);
    const out: Succ[] = [];
    const apply = (side: [Scalar, Scalar], s: VState) => {
      narrowLinked(s, x.dst, a, side[0]);
      if (isX) narrowLinked(s, x.src, b, side[1]);
      return s;
    };
    const takenSt = taken && fallthrough ? cloneState(st) : st;
    if (fallthrough) out.push({ st: apply(fallthrough, st), insn: i + 1 });
    if (taken) out.push({ st: apply(taken, takenSt), insn: target });
    return out;
  }
  return pointerBranch(st, i, op, a, b, is32, target);
}

/**
 * Register `r` (which held `was`) is now known to be `now`; so is every register and stack slot linked to it.
 */
function narrowLinked(st: VState, r: number, was: Scalar, now: Scalar): void {
  if (r !== 10) cur(st).regs[r] = was.id === undefined ? now : { ...now, id: was.id };
  if (was.id === undefined) return;
  const v: Scalar = { ...now, id: was.id };
  const fix = (x: Reg | undefined) => (x && x.t === "scalar" && x.id === was.id ? v : x);
  for (const f of st.frames) {
    f.regs = f.regs.map((x) => fix(x)!);
    f.stack = f.stack.map(fix);
  }
}

/**
 * A comparison involving a pointer. Against 0 with JEQ/JNE: a pointer that cannot be NULL is never 0; a NULL-able
 * one becomes the number 0 on one side and a valid pointer on the other, together with every copy of it.
 * Anything else (allowed for privileged programs) tells nothing: both sides are possible.
 */
function pointerBranch(st: VState, i: number, op: number, a: Reg, b: Reg, is32: boolean, target: number): Succ[] {
  const isZero = (r: Reg) => r.t === "scalar" && isConst(r) && r.umin === 0n;
  const p = a.t === "ptr" && isZero(b) ? a : b.t === "ptr" && isZero(a) ? b : undefined;
  if (!p || p.t !== "ptr" || is32 || (op !== BPF_JEQ && op !== BPF_JNE)) {
    return [{ st, insn: i + 1 }, { st: cloneState(st), insn: target }];
  }
  const eqSide = op === BPF_JEQ ? target : i + 1;
  const neSide = op === BPF_JEQ ? i + 1 : target;
  if (!p.nullable) return [{ st, insn: neSide }];
  const isNull = cloneState(st);
  markNullable(isNull, p.id, true);
  markNullable(st, p.id, false);
  return [{ st, insn: neSide }, { st: isNull, insn: eqSide }];
}

/** After a NULL check: every copy of nullable pointer `id` is 0 (`isNull`) or a valid pointer. */
function markNullable(st: VState, id: number, isNull: boolean): void {
  const fix = (r: Reg | undefined): Reg | undefined =>
    r && r.t === "ptr" && r.nullable && r.id === id ? (isNull ? scalarConst(0n) : { ...r, nullable: false, id: 0 }) : r;
  for (const f of st.frames) {
    f.regs = f.regs.map((r) => fix(r)!);
    f.stack = f.stack.map(fix);
  }
}
