/**
 * @fileoverview Verifier, part 9: the kernel's rewrites that turn the checked program into the "xlated" one the JIT
 * compiles (resolve_pseudo_ldimm64 + convert_pseudo_ld_imm64, and do_misc_fixups in kernel/bpf/verifier.c):
 *   - map loads become the map's (or its value's) address, a plain LD_IMM64;
 *   - `call bpf_tail_call` becomes BPF_JMP | BPF_TAIL_CALL with imm 0;
 *   - division and modulo by a register get the guards of reference §4.3 (x/0 = 0, x%0 = x, INT_MIN/-1 = INT_MIN,
 *     x smod -1 = 0), and sdiv/smod by the immediate -1 become neg / mov32 0;
 *   - a program that throws without a declared exception callback gets the hidden one appended (done by the caller,
 *     after these patches, with appendHiddenExceptionCb).
 * Jumps, calls and function loads are re-aimed as bpf_adj_branches does: a jump to a patched instruction lands on
 * the first instruction of its patch.
 */
import { ARRAY_PTRS_OFF } from "../kernel-abi.js";
import { type Insn, insn, isLdImm64, isTailCallHelper } from "../bpf/insn.js";
import { AX, exit, ja, mov64Reg } from "../bpf/build.js";
import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_DIV, BPF_JA, BPF_JEQ, BPF_JGT, BPF_JMP, BPF_JMP32, BPF_JNE,
  BPF_K, BPF_MOD, BPF_MOV, BPF_NEG, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_IDX_VALUE, BPF_PSEUDO_MAP_VALUE, BPF_TAIL_CALL, BPF_X,
  BPF_XOR,
  bpfClass, bpfOp,
} from "../bpf/opcodes.js";
import { isJump, isPseudoCall, isPseudoFunc, jumpTarget } from "./verify-cfg.js";
import { VerifierError } from "./verify-types.js";

export interface Rewritten {
  insns: Insn[];
  /** xlated slot -> source slot (-1: inserted). */
  origin: number[];
  /** Source slot -> xlated slot of the first instruction it became. */
  newIndex: Int32Array;
}

/**
 * The guarded replacement of a division or modulo by a register (reference §4.3), or of sdiv/smod by -1;
 * undefined for every other instruction. The original instruction is marked by `self` in the returned list.
 */
function divPatch(x: Insn): (Insn | "self")[] | undefined {
  const op = bpfOp(x.code);
  const cls = bpfClass(x.code);
  if ((cls !== BPF_ALU && cls !== BPF_ALU64) || (op !== BPF_DIV && op !== BPF_MOD)) return undefined;
  const is64 = cls === BPF_ALU64;
  const alu = is64 ? BPF_ALU64 : BPF_ALU;
  const jmp = is64 ? BPF_JMP : BPF_JMP32;
  const signed = x.off === 1;
  const d = x.dst;
  if ((x.code & BPF_X) === BPF_K) {
    if (!signed || x.imm !== -1) return undefined;
    // x s/ -1 = -x (which leaves INT_MIN as it is); x smod -1 = 0.
    return [op === BPF_DIV ? insn(alu | BPF_NEG | BPF_K, d, 0, 0, 0) : insn(BPF_ALU | BPF_MOV | BPF_K, d, 0, 0, 0)];
  }
  const s = x.src;
  const mov32Self = insn(BPF_ALU | BPF_MOV | BPF_X, d, d, 0, 0); // zero-extends a 32-bit result kept unchanged
  if (op === BPF_DIV && !signed) {
    // if src != 0 goto div; dst ^= dst (32-bit); goto out; div:
    return [insn(jmp | BPF_JNE | BPF_K, s, 0, 2, 0), insn(BPF_ALU | BPF_XOR | BPF_X, d, d, 0, 0), ja(1), "self"];
  }
  if (op === BPF_MOD && !signed) {
    // if src == 0 goto out (32-bit: to the zero-extension); mod; [32-bit: goto out; zext: w_dst = w_dst]
    const p: (Insn | "self")[] = [insn(jmp | BPF_JEQ | BPF_K, s, 0, is64 ? 1 : 2, 0), "self"];
    return is64 ? p : [...p, ja(1), mov32Self];
  }
  if (op === BPF_DIV) {
    // AX = src + 1; if AX > 1 goto sdiv; if AX == 0 goto neg (src == -1); dst = 0 (src == 0); neg: dst = -dst; goto out
    return [
      mov64Reg(AX, s), insn(alu | BPF_ADD | BPF_K, AX, 0, 0, 1), insn(jmp | BPF_JGT | BPF_K, AX, 0, 4, 1),
      insn(jmp | BPF_JEQ | BPF_K, AX, 0, 1, 0), insn(alu | BPF_MOV | BPF_K, d, 0, 0, 0), insn(alu | BPF_NEG | BPF_K, d, 0, 0, 0),
      ja(1), "self",
    ];
  }
  // smod: AX = src + 1; if AX > 1 goto smod; if AX == 1 goto out (src == 0: dst unchanged); w_dst = 0 (src == -1); goto out
  const p: (Insn | "self")[] = [
    mov64Reg(AX, s), insn(alu | BPF_ADD | BPF_K, AX, 0, 0, 1), insn(jmp | BPF_JGT | BPF_K, AX, 0, 3, 1),
    insn(jmp | BPF_JEQ | BPF_K, AX, 0, is64 ? 3 : 4, 1), insn(BPF_ALU | BPF_MOV | BPF_K, d, 0, 0, 0), ja(1), "self",
  ];
  return is64 ? p : [...p, ja(1), mov32Self];
}

/** The address an LD_IMM64 map load turns into: the map object, or a byte of its value area. */
function mapLoadValue(x: Insn, second: Insn, mapAddress: (map: number) => bigint): bigint {
  const isValue = x.src === BPF_PSEUDO_MAP_VALUE || x.src === BPF_PSEUDO_MAP_IDX_VALUE;
  return mapAddress(x.imm) + (isValue ? BigInt(ARRAY_PTRS_OFF + (second.imm >>> 0)) : 0n);
}

/** Applies the rewrites to a checked program. */
export function rewrite(src: readonly Insn[], mapAddress: (map: number) => bigint): Rewritten {
  const out: Insn[] = [];
  const origin: number[] = [];
  const newIndex = new Int32Array(src.length + 1);
  const emit = (x: Insn, from: number) => (out.push(x), origin.push(from));
  for (let i = 0; i < src.length; i++) {
    const x = src[i]!;
    newIndex[i] = out.length;
    if (isLdImm64(x)) {
      newIndex[i + 1] = out.length + 1;
      if (x.src === 0 || x.src === BPF_PSEUDO_FUNC) {
        emit(x, i);
        emit(src[i + 1]!, i + 1);
      } else {
        const v = mapLoadValue(x, src[i + 1]!, mapAddress);
        emit(insn(x.code, x.dst, 0, 0, Number(v & 0xffff_ffffn) | 0), i);
        emit(insn(0, 0, 0, 0, Number(v >> 32n) | 0), i + 1);
      }
      i++;
      continue;
    }
    if (isTailCallHelper(x)) {
      emit(insn(BPF_JMP | BPF_TAIL_CALL, 0, 0, 0, 0), i);
      continue;
    }
    const patch = divPatch(x);
    if (!patch) emit(x, i);
    else for (const p of patch) p === "self" ? emit(x, i) : emit(p, -1);
  }
  newIndex[src.length] = out.length;
  retarget(src, out, origin, newIndex);
  return { insns: out, origin, newIndex };
}

/** Re-aims every jump, bpf-to-bpf call and function load of the source program at its target's new slot. */
function retarget(src: readonly Insn[], out: Insn[], origin: number[], newIndex: Int32Array): void {
  for (let k = 0; k < out.length; k++) {
    const from = origin[k]!;
    if (from < 0) continue;
    const x = out[k]!;
    if (isJump(x)) {
      const rel = newIndex[jumpTarget(src[from]!, from)]! - (k + 1);
      const gotol = x.code === (BPF_JMP32 | BPF_JA);
      if (!gotol && (rel < -32768 || rel > 32767)) throw new VerifierError(from, `insn ${from} cannot be patched due to 16-bit range`);
      out[k] = gotol ? { ...x, imm: rel } : { ...x, off: rel };
    } else if (isPseudoCall(x) || isPseudoFunc(x)) {
      out[k] = { ...x, imm: newIndex[from + 1 + x.imm]! - (k + 1) };
    }
  }
}

/** Appends the kernel's default exception callback, `r0 = r1; exit` (returns the cookie). Returns its start. */
export function appendHiddenExceptionCb(r: Rewritten): number {
  const start = r.insns.length;
  r.insns.push(mov64Reg(0, 1), exit());
  r.origin.push(-1, -1);
  return start;
}
