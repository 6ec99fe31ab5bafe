/**
 * @fileoverview Verifier, part 3: the state of one path through the program — a stack of call frames, each with
 * its registers and its 512-byte BPF stack in 8-byte slots — and the two comparisons path pruning needs:
 * "is this state exactly one seen before" (a loop that makes no progress) and "does a finished state cover this
 * one" (everything that can happen from here was already checked).
 *
 * Stack slots hold either a spilled register (an aligned 8-byte store of a register or an immediate, which a later
 * aligned 8-byte load gives back with its type and bounds) or unknown bytes. Privileged programs may read stack they
 * never wrote (the kernel's allow_uninit_stack), so "never written" and "unknown bytes" are the same thing here.
 */
import { MAX_BPF_STACK } from "../kernel-abi.js";
import { type Reg, type Scalar, UNINIT } from "./verify-value.js";

export const STACK_SLOTS = MAX_BPF_STACK / 8;

export interface FrameState {
  /** R0..R10. */
  regs: Reg[];
  /** Slot k covers [R10 - 8(k+1), R10 - 8k); undefined = unknown bytes. */
  stack: (Reg | undefined)[];
  /** Index of the function (subprogram) the frame runs. */
  subprog: number;
  /** Slot of the call instruction in the caller (-1 for the first frame). */
  callsite: number;
}

/** Which registers (bit r) and stack slots (two 32-bit masks) of a frame still matter (verify-live.ts). */
export interface RelevantMask {
  regs: number;
  lo: number;
  hi: number;
}

/** The relevance of each frame of a state, by frame number; undefined: everything matters. */
export type RelevanceOf = (frame: number) => RelevantMask | undefined;

const slotRelevant = (m: RelevantMask | undefined, k: number) => !m || ((k < 32 ? m.lo : m.hi) & (1 << (k & 31))) !== 0;
const regRelevant = (m: RelevantMask | undefined, r: number) => !m || (m.regs & (1 << r)) !== 0;

export interface VState {
  frames: FrameState[];
  /** Nesting of bpf_rcu_read_lock, bpf_preempt_disable and bpf_local_irq_save. */
  rcu: number;
  preempt: number;
  irq: number;
}

export function newFrame(subprog: number, callsite: number): FrameState {
  return { regs: new Array<Reg>(11).fill(UNINIT), stack: new Array<Reg | undefined>(STACK_SLOTS).fill(undefined), subprog, callsite };
}

export function cloneState(s: VState): VState {
  return { ...s, frames: s.frames.map((f) => ({ ...f, regs: f.regs.slice(), stack: f.stack.slice() })) };
}

export function curFrame(s: VState): FrameState {
  return s.frames[s.frames.length - 1]!;
}

function scalarCovers(old: Scalar, cur: Scalar): boolean {
  return old.smin <= cur.smin && cur.smax <= old.smax && old.umin <= cur.umin && cur.umax <= old.umax && old.tz <= cur.tz;
}

/**
 * Does `old` cover `cur` for everything the program can do from here on? A register `old` never had initialised
 * covers anything (the finished exploration from `old` never read it); scalars cover narrower scalars; pointers
 * must be the same pointer. Linked registers (scalar ids, NULL-able pointer ids) must pair up one-to-one, or a
 * check could narrow `cur` less than it narrowed `old`.
 */
export function covers(old: VState, cur: VState, rel: RelevanceOf = () => undefined): boolean {
  if (old.frames.length !== cur.frames.length || old.rcu !== cur.rcu || old.preempt !== cur.preempt || old.irq !== cur.irq) return false;
  const ids = new Map<number, number>();
  const sameLinks = (o: number | undefined, c: number | undefined): boolean => {
    if (o === undefined) return true;
    if (c === undefined) return false;
    const seen = ids.get(o);
    if (seen === undefined) ids.set(o, c);
    return (seen ?? c) === c;
  };
  const regCovers = (o: Reg | undefined, c: Reg | undefined, slot: boolean, relevant: boolean): boolean => {
    if (slot && !o) return !c || c.t !== "ptr"; // unknown bytes read back as a scalar; a spilled pointer would not
    if (!o || o.t === "uninit") return true;
    if (!c) return false;
    if (o.t === "scalar") return c.t === "scalar" && (!relevant || (scalarCovers(o, c) && sameLinks(o.id, c.id)));
    if (c.t !== "ptr" || o.kind !== c.kind || o.frame !== c.frame || o.map !== c.map || o.off !== c.off) return false;
    if (!(o.vmin <= c.vmin && c.vmax <= o.vmax && o.vtz <= c.vtz)) return false;
    if (o.nullable !== c.nullable) return false;
    return !o.nullable || sameLinks(o.id, c.id);
  };
  for (let k = 0; k < old.frames.length; k++) {
    const o = old.frames[k]!;
    const c = cur.frames[k]!;
    if (o.callsite !== c.callsite || o.subprog !== c.subprog) return false;
    const m = rel(k);
    for (let r = 0; r < 11; r++) if (!regCovers(o.regs[r], c.regs[r], false, regRelevant(m, r))) return false;
    for (let i = 0; i < STACK_SLOTS; i++) if (!regCovers(o.stack[i], c.stack[i], true, slotRelevant(m, i))) return false;
  }
  return true;
}

/** Are `a` and `b` the same state for everything that still matters (each covers the other)? Loop detection. */
export function sameState(a: VState, b: VState, rel: RelevanceOf = () => undefined): boolean {
  return covers(a, b, rel) && covers(b, a, rel);
}
