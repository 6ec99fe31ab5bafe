/**
 * @fileoverview Branch and jump forms as data (the kernel's emit_branch / emit_bcc / emit_jump_and_link): which
 * instruction sequence reaches a PC-relative byte offset, how many halfwords it takes, and how it is written.
 *
 *   conditional   B13:        b<cc>   rd, rs, off                          off in [-4 KiB, 4 KiB)
 *                 B_JAL:      b<!cc>  rd, rs, +8;  jal zero, off-4         off-4 in [-1 MiB, 1 MiB)
 *                 B_AUIPC:    b<!cc>  rd, rs, +12; auipc t1, hi; jalr zero, lo(t1)   (off-4 from the auipc)
 *   jump/call     JAL:        jal rd, off              off != 0, fixed target, off in [-1 MiB, 1 MiB)
 *                 AUIPC_JALR: auipc t1, hi; jalr rd, lo(t1)          off in [-2^31 - 2^11, 2^31 - 2^11)
 *
 * A jump whose offset is still 0 (a target not known yet) or whose target is not fixed (a bpf-to-bpf call, resolved
 * only in the extra pass) keeps the 8-byte form so that its size cannot change once the layout is frozen.
 */
import type { Reg } from "../riscv/regs.js";
import * as fromRegs from "../riscv/regs.js";
import * as fromOpcodes from "../bpf/opcodes.js";
import * as fromBpfRegs from "./bpf-regs.js";
import * as fromImm from "./imm.js";
import * as fromOps from "./ops.js";
import * as fromEncodeOp from "./encode-op.js";
import * as fromErrors from "./errors.js";

// Imported values as module-local constants: this module runs for every instruction, and V8 folds a module's own
// constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { X } = fromRegs;
const { BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT } = fromOpcodes;
const { T1 } = fromBpfRegs;
const { fitsI13, fitsI21, hi20, inAuipcJalrRange, lo12 } = fromImm;
const { OP } = fromOps;
const { writeB, writeI, writeJ, writeU } = fromEncodeOp;
const { JitError } = fromErrors;

/** A BPF condition as an RV branch: mnemonic, and whether rd/rs are swapped (bgtu a,b == bltu b,a). */
interface CondRow {
  readonly op: number;
  readonly swap: boolean;
  /** The condition that is true exactly when this one is false. */
  readonly inverse: number;
}

const COND: ReadonlyArray<readonly [number, CondRow]> = [
  [BPF_JEQ, { op: OP.beq, swap: false, inverse: BPF_JNE }],
  [BPF_JNE, { op: OP.bne, swap: false, inverse: BPF_JEQ }],
  [BPF_JGT, { op: OP.bltu, swap: true, inverse: BPF_JLE }],
  [BPF_JLE, { op: OP.bgeu, swap: true, inverse: BPF_JGT }],
  [BPF_JLT, { op: OP.bltu, swap: false, inverse: BPF_JGE }],
  [BPF_JGE, { op: OP.bgeu, swap: false, inverse: BPF_JLT }],
  [BPF_JSGT, { op: OP.blt, swap: true, inverse: BPF_JSLE }],
  [BPF_JSLE, { op: OP.bge, swap: true, inverse: BPF_JSGT }],
  [BPF_JSLT, { op: OP.blt, swap: false, inverse: BPF_JSGE }],
  [BPF_JSGE, { op: OP.bge, swap: false, inverse: BPF_JSLT }],
];

/** The rows by condition (a BPF_J* op value is a multiple of 16): an array index, not a hash lookup per branch. */
const COND_BY_OP: readonly (CondRow | undefined)[] = (() => {
  const t: (CondRow | undefined)[] = new Array<CondRow | undefined>(16).fill(undefined);
  for (const [cond, row] of COND) t[cond >> 4] = row;
  return t;
})();

function condRow(cond: number): CondRow {
  const row = (cond & 15) === 0 ? COND_BY_OP[cond >> 4] : undefined;
  if (!row) throw new Error(`internal: no RV branch for BPF condition 0x${cond.toString(16)}`);
  return row;
}

/** A way to reach a PC-relative target: its size, when it applies, how it is written. */
export interface BranchForm {
  readonly name: string;
  readonly hw: number;
  readonly fits: (off: number) => boolean;
}

/** The conditional-branch forms, shortest first; the first that fits is used (emit_branch). Each writes itself into
 * an image (halfwords) at `p` and returns the halfword after it. */
export const BRANCH_FORMS: readonly (BranchForm & { write(hws: Uint16Array, p: number, cond: number, rd: Reg, rs: Reg, off: number): number })[] = [
  {
    name: "B13",
    hw: 2,
    fits: fitsI13,
    write: (hws, p, cond, rd, rs, off) => bcc(hws, p, cond, rd, rs, off),
  },
  {
    name: "B_JAL",
    hw: 4,
    fits: (off) => fitsI21(off - 4), // the jal sits 4 bytes after the branch
    write(hws, p, cond, rd, rs, off) {
      const q = bcc(hws, p, condRow(cond).inverse, rd, rs, 8);
      return writeJ(hws, q, OP.jal, X.zero, off - 4);
    },
  },
  {
    name: "B_AUIPC",
    hw: 6,
    fits: (off) => inAuipcJalrRange(off - 4), // PC-relative to the auipc, 4 bytes after the branch
    write(hws, p, cond, rd, rs, off) {
      const q = bcc(hws, p, condRow(cond).inverse, rd, rs, 12);
      return writeI(hws, writeU(hws, q, OP.auipc, T1, hi20(off - 4)), OP.jalr, X.zero, T1, lo12(off - 4));
    },
  },
];

/** The jump-and-link forms (emit_jump_and_link); `fixed`: the target will not move in a later pass. */
export const JUMP_FORMS: readonly (BranchForm & { write(hws: Uint16Array, p: number, rd: Reg, off: number): number })[] = [
  { name: "JAL", hw: 2, fits: fitsI21, write: (hws, p, rd, off) => writeJ(hws, p, OP.jal, rd, off) },
  {
    name: "AUIPC_JALR",
    hw: 4,
    fits: inAuipcJalrRange,
    write: (hws, p, rd, off) => writeI(hws, writeU(hws, p, OP.auipc, T1, hi20(off)), OP.jalr, rd, T1, lo12(off)),
  },
];

function bcc(hws: Uint16Array, p: number, cond: number, rd: Reg, rs: Reg, off: number): number {
  const row = condRow(cond);
  return row.swap ? writeB(hws, p, row.op, rs, rd, off) : writeB(hws, p, row.op, rd, rs, off);
}

/**
 * Halfwords of the conditional-branch form for `off`: BRANCH_FORMS' sizes, chosen by the same range predicates but
 * without the table's closure calls (the layout passes evaluate this for every branch in every pass; in the first,
 * most forward branches of a large function need B_AUIPC, as the initial offsets say 64 bytes a slot).
 */
export function branchHw(off: number): number {
  if (fitsI13(off)) return 2; // B13
  if (fitsI21(off - 4)) return 4; // B_JAL
  if (inAuipcJalrRange(off - 4)) return 6; // B_AUIPC
  return BRANCH_FORMS[branchForm(off)]!.hw; // out of range: branchForm says so
}

/** Index into BRANCH_FORMS of the form that reaches `off` bytes. */
export function branchForm(off: number): number {
  for (let f = 0; f < BRANCH_FORMS.length; f++) if (BRANCH_FORMS[f]!.fits(off)) return f;
  throw new JitError(`bpf-jit: branch offset 0x${off.toString(16)} is out of range`);
}

/** Index into JUMP_FORMS of the form used for `off` bytes: jal only for a known (non-zero), fixed target. */
export function jumpForm(off: number, fixed: boolean): number {
  if (off !== 0 && fixed && JUMP_FORMS[0]!.fits(off)) return 0;
  if (JUMP_FORMS[1]!.fits(off)) return 1;
  throw new JitError(`bpf-jit: target offset 0x${off.toString(16)} is out of range`);
}

/** Writes `if (rd COND rs) goto pc + off` at halfword `p` of an image; returns the halfword after it. */
export function writeBranch(hws: Uint16Array, p: number, cond: number, rd: Reg, rs: Reg, off: number): number {
  if (off >= -4096 && off < 4096) return bcc(hws, p, cond, rd, rs, off); // B13, most branches: no form lookup
  return BRANCH_FORMS[branchForm(off)]!.write(hws, p, cond, rd, rs, off);
}

/** Writes `rd = pc + size; goto pc + off` at halfword `p`; returns the halfword after it. */
export function writeJump(hws: Uint16Array, p: number, rd: Reg, off: number, fixed: boolean): number {
  return JUMP_FORMS[jumpForm(off, fixed)]!.write(hws, p, rd, off);
}
