/**
 * @fileoverview The JIT's code buffer: RV64 code grouped into *units* (one kernel emission step: one eBPF instruction,
 * or two when it consumes the next slot), with the position-dependent parts held apart as *var items* so that the
 * sizing passes can lay code out without looking at any instruction.
 *
 *   unit u:  [fixed op][fixed op][VAR v][fixed op][VAR v+1] ...
 *            ^ uStart[u]           ^ vpos[v]      ^ vpos[v+1]      (positions in the fixed code only)
 *
 * A fixed op is final the moment it is chosen, so it is encoded as it is emitted, into `code` (halfwords; the
 * final pass only copies it between the var items). Nothing else is kept per op: the code says where each one ends
 * (insnHw), and dumps decode it.
 * A var item is everything whose bytes depend on where code lands: branches and jumps to eBPF slots, the jump to the
 * epilogue, helper and bpf-to-bpf calls, PC-relative address loads, and the tail call's exits and inline epilogue.
 * Sizes are in halfwords, the kernel's `ninsns` unit.
 */
import { lengthOf } from "../riscv/decode.js";
import * as fromEncodeOp from "./encode-op.js";
import { type Arrays, FRESH } from "./scratch.js";

// Imported values as module-local constants: this module runs for every instruction, and V8 folds a module's own
// constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { encodeInto, writeC, writeI, writeR, writeS, writeU } = fromEncodeOp;

/** Kinds of var items. */
export const VK = {
  /** Conditional branch to an eBPF slot: b<cc> | b<!cc>+jal | b<!cc>+auipc+jalr. */
  Branch: 0,
  /** Unconditional jump to an eBPF slot (JA, gotol): jal | auipc+jalr. */
  Jump: 1,
  /** EXIT that is not the last instruction: jump to the epilogue. */
  JumpEpilogue: 2,
  /** Call to a fixed kernel address (helper, kfunc): jal ra once reachable, else auipc+jalr ra. */
  CallFixed: 3,
  /** bpf-to-bpf call: always auipc+jalr ra, resolved in the extra pass. */
  CallBpf: 4,
  /** rd = PC-relative address (auipc+addi), of a function or of a fixed kernel address. */
  Addr: 5,
  /** One of the tail call's "goto out" branches, to the end of the tail-call sequence. */
  TailOut: 6,
  /** The tail call's inline epilogue (restores, pops the frame, jumps past the callee's TCC init). */
  TailEpilogue: 7,
} as const;
export type VarKind = (typeof VK)[keyof typeof VK];

/** Halfwords of the instruction whose first halfword is `first` (the instruction layer's lengthOf, in halfwords). */
export const insnHw = (first: number): number => lengthOf(first) >> 1;

function grow<T extends Uint8Array | Uint16Array | Int32Array>(a: T, n: number): T {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

export class CodeBuf {
  // ---- fixed code: the encodings of the fixed ops, in order
  code: Uint16Array;
  /** Halfwords of fixed code emitted so far (whole buffer). */
  hw = 0;

  // ---- var items
  nv = 0;
  vk: Uint8Array;
  /** Branch condition (a BPF_J* op value), or 0. */
  vcond: Uint8Array;
  /** First register operand (branch rd, link/destination register). */
  va: Uint8Array;
  /** Second register operand (branch rs). */
  vb: Uint8Array;
  /** Target eBPF slot (Branch, Jump), function index (CallBpf, Addr of a function), or -1. */
  vtarget: Int32Array;
  /** Where the item goes in the fixed code: the halfwords of fixed code emitted before it. */
  vpos: Int32Array;
  /** Absolute target address (CallFixed, Addr of a kernel symbol). */
  vaddr: (bigint | undefined)[] = [];

  /** The unit each var item belongs to. */
  vunit: Int32Array;

  // ---- units: they tile the function's slots in order, unit u covering slots uSlot[u] .. uSlot[u + 1] - 1
  nu = 0;
  /** First eBPF slot of the unit (one extra entry, one past the last unit's last slot, closes it). The slot whose
   * offset-table entry the unit writes is its last, uSlot[u + 1] - 1. */
  uSlot: Int32Array;
  /** First var item of the unit (one extra entry closes the last unit). */
  uVar: Int32Array;
  /** Fixed halfwords before the unit (one extra entry closes the last unit): the unit has uStart[u + 1] - uStart[u]. */
  uStart: Int32Array;
  /** Per eBPF slot: its unit (both slots of a two-slot unit), so that where any one slot lands can be found without
   * walking the units. */
  slotUnit: Int32Array;

  // ---- exception table: ops that may fault (PROBE_MEM loads, arena accesses), where their code starts in the fixed
  // code, and the register to clear on a fault
  faultPos: number[] = [];
  faultReg: number[] = [];

  /** Room, to begin with, for `opCapacity` 4-byte ops and `unitCapacity` units (the arrays grow). `scratch`: where the
   * arrays come from (scratch.ts; fresh ones by default): only the passes read them, the output keeps its own record
   * of how long each unit is (encode.ts). Every element is written before it is read. */
  constructor(opCapacity = 64, unitCapacity = 16, scratch: Arrays = FRESH) {
    this.code = scratch.uint16(2 * opCapacity);
    const v = Math.max(8, unitCapacity >> 2);
    this.vk = scratch.uint8(v);
    this.vcond = scratch.uint8(v);
    this.va = scratch.uint8(v);
    this.vb = scratch.uint8(v);
    this.vtarget = scratch.int32(v);
    this.vpos = scratch.int32(v);
    this.vunit = scratch.int32(v);
    this.uSlot = scratch.int32(unitCapacity + 1);
    this.uVar = scratch.int32(unitCapacity + 1);
    this.uStart = scratch.int32(unitCapacity + 1);
    this.slotUnit = scratch.int32(unitCapacity + 1);
    this.uSlot[0] = 0; // the first unit's first slot, var item and fixed start (endUnit writes every later one)
    this.uVar[0] = 0;
    this.uStart[0] = 0;
  }

  /** Appends a fixed instruction, encoded. */
  emit(op: number, rd: number, rs1: number, rs2: number, imm: number, fl = 0): void {
    this.hw = encodeInto(this.room(), this.hw, op, rd, rs1, rs2, imm, fl);
  }

  /** emit() for an op whose format the caller knows (the assembler's raw forms and compressed choices). */
  emitR(op: number, rd: number, rs1: number, rs2: number): void {
    this.hw = writeR(this.room(), this.hw, op, rd, rs1, rs2);
  }
  emitC(op: number, rd: number, rs1: number, rs2: number, imm: number): void {
    this.hw = writeC(this.room(), this.hw, op, rd, rs1, rs2, imm);
  }
  emitI(op: number, rd: number, rs1: number, imm: number): void {
    this.hw = writeI(this.room(), this.hw, op, rd, rs1, imm);
  }
  emitS(op: number, rs1: number, rs2: number, imm: number): void {
    this.hw = writeS(this.room(), this.hw, op, rs1, rs2, imm);
  }
  emitU(op: number, rd: number, imm: number): void {
    this.hw = writeU(this.room(), this.hw, op, rd, imm);
  }

  /** Makes room for one more instruction; returns the code array to write it into, at `hw`. */
  private room(): Uint16Array {
    if (this.hw + 2 > this.code.length) this.code = grow(this.code, this.hw + 2);
    return this.code;
  }

  /** Appends a var item; returns its index. */
  emitVar(kind: VarKind, cond: number, a: number, b: number, target: number, addr?: bigint): number {
    const v = this.nv;
    if (v === this.vk.length) this.growVars(v + 1);
    this.vk[v] = kind;
    this.vcond[v] = cond;
    this.va[v] = a;
    this.vb[v] = b;
    this.vtarget[v] = target;
    this.vpos[v] = this.hw;
    this.vunit[v] = this.nu;
    if (addr !== undefined) this.vaddr[v] = addr;
    this.nv = v + 1;
    return v;
  }

  /** Appends the fixed code of `from` (which must hold no var items). */
  append(from: CodeBuf): void {
    const p = this.hw;
    if (p + from.hw > this.code.length) this.code = grow(this.code, p + from.hw);
    this.code.set(from.code.subarray(0, from.hw), p);
    this.hw = p + from.hw;
  }

  /** Marks the last op emitted since halfword `from` as one that may fault; the handler zeroes `reg` (0: none) and
   * resumes after it. */
  markFault(reg: number, from: number): void {
    let p = from;
    while (p + insnHw(this.code[p]!) < this.hw) p += insnHw(this.code[p]!);
    this.faultPos.push(p);
    this.faultReg.push(reg);
  }

  /** Closes unit `nu`, which covers eBPF slots `first` .. `last` (`first` is the slot after the previous unit's
   * last): what was emitted since the previous unit closed (since the start, for the first) is its. */
  endUnit(first: number, last: number): void {
    const u = this.nu;
    if (u + 2 > this.uSlot.length) this.growUnits(u + 2);
    if (last + 2 > this.slotUnit.length) this.slotUnit = grow(this.slotUnit, last + 2);
    this.slotUnit[first] = u;
    this.slotUnit[last] = u; // the same entry for a one-slot unit
    this.uSlot[u + 1] = last + 1;
    this.uVar[u + 1] = this.nv;
    this.uStart[u + 1] = this.hw;
    this.nu = u + 1;
  }

  private growVars(n: number): void {
    this.vk = grow(this.vk, n);
    this.vcond = grow(this.vcond, n);
    this.va = grow(this.va, n);
    this.vb = grow(this.vb, n);
    this.vtarget = grow(this.vtarget, n);
    this.vpos = grow(this.vpos, n);
    this.vunit = grow(this.vunit, n);
  }

  private growUnits(n: number): void {
    this.uSlot = grow(this.uSlot, n);
    this.uVar = grow(this.uVar, n);
    this.uStart = grow(this.uStart, n);
  }
}
