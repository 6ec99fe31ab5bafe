/**
 * @fileoverview One layout pass over a function, as the kernel's build_prologue + build_body + build_epilogue do it
 * with ctx->insns unset: walk the units, give each var item the size its current offset calls for, and (in the
 * sizing passes) record where each unit ends in the offset table.
 *
 * The offset table is read the way the kernel reads it, including its mixed generations: a branch to a target that
 * is already behind us this pass sees its new position, one ahead sees the previous pass's (initially a pessimistic
 * 32 halfwords per slot). That is what makes the bytes, and the number of passes, identical to Linux.
 *
 *   offset[k]     halfwords from the image start to the end of the unit whose last slot is k (slot k's successor's
 *                 start); the first slot of a two-slot unit keeps its initial value, as in the kernel.
 *   prologueLen   start of slot 0;  epilogueOffset  start of the epilogue (both from the latest sizing pass).
 */
import type { CodeBuf } from "./code.js";
import { VK } from "./code.js";
import { branchForm, BRANCH_FORMS, jumpForm, JUMP_FORMS } from "./branch.js";
import { JitError } from "./errors.js";

/** What a pass needs to know about the frame variant in use. */
export interface PassFrame {
  prologueHw: number;
  epilogueHw: number;
  tailEpilogueHw: number;
}

export class LayoutState {
  readonly offset: Int32Array;
  prologueLen = 0;
  epilogueOffset = 0;
  /** The image has an address: calls to fixed addresses get their real offsets (and may shrink to jal). */
  allocated = false;
  /** Final pass of a multi-function program: bpf-to-bpf calls know their targets. */
  extraPass = false;
  /** Per var item: target address minus image address (bytes), for CallFixed/CallBpf once known, else NaN. */
  readonly delta: Float64Array;
  // Results of the latest pass, per var item:
  /** Position (halfwords from the image start). */
  readonly at: Int32Array;
  /** Size (halfwords). */
  readonly hw: Uint8Array;
  /** PC-relative byte offset the item was sized for (Branch, Jump, JumpEpilogue, CallFixed, CallBpf, TailOut). */
  readonly rvoff: Float64Array;

  constructor(
    readonly body: CodeBuf,
    nslots: number,
  ) {
    this.offset = new Int32Array(nslots);
    for (let i = 0; i < nslots; i++) this.offset[i] = 32 * (i + 1);
    this.delta = new Float64Array(body.nv).fill(NaN);
    this.at = new Int32Array(body.nv);
    this.hw = new Uint8Array(body.nv);
    this.rvoff = new Float64Array(body.nv);
  }

  /**
   * Runs one pass; returns the image size in halfwords. `record`: update the offset table, prologueLen and
   * epilogueOffset (sizing passes); the final pass reads them frozen.
   */
  pass(frame: PassFrame, record: boolean): number {
    const b = this.body;
    const { uVar, uHw, uLast, uSlot, vk, vpre } = b;
    const offset = this.offset;
    let pos = frame.prologueHw;
    if (record) this.prologueLen = pos;
    for (let u = 0, nu = b.nu; u < nu; u++) {
      const start = pos;
      const v0 = uVar[u]!;
      const v1 = uVar[u + 1]!;
      let extra = 0;
      for (let v = v0; v < v1; v++) {
        const at = start + vpre[v]! + extra;
        const hw = this.size(v, vk[v]!, at, start, uSlot[u]!, frame);
        this.at[v] = at;
        this.hw[v] = hw;
        extra += hw;
      }
      pos = start + uHw[u]! + extra;
      if (record) offset[uLast[u]!] = pos;
    }
    if (record) this.epilogueOffset = pos;
    return pos + frame.epilogueHw;
  }

  /** Size of var item `v` at halfword `at` (its unit starts at `start`, slot `slot`); records its offset. */
  private size(v: number, kind: number, at: number, start: number, slot: number, frame: PassFrame): number {
    const b = this.body;
    let off: number;
    switch (kind) {
      case VK.Branch:
      case VK.Jump: {
        const t = b.vtarget[v]!;
        off = 2 * ((t > 0 ? this.offset[t - 1]! : this.prologueLen) - at); // eBPF offsets are from pc + 1: target start
        this.rvoff[v] = off;
        return kind === VK.Branch ? BRANCH_FORMS[branchForm(off)]!.hw : JUMP_FORMS[jumpForm(off, true)]!.hw;
      }
      case VK.JumpEpilogue:
        off = 2 * (this.epilogueOffset - at);
        this.rvoff[v] = off;
        return JUMP_FORMS[jumpForm(off, true)]!.hw;
      case VK.CallFixed:
        off = this.allocated && !Number.isNaN(this.delta[v]!) ? this.delta[v]! - 2 * at : 0;
        this.rvoff[v] = off;
        return JUMP_FORMS[jumpForm(off, true)]!.hw;
      case VK.CallBpf:
        off = this.extraPass ? this.delta[v]! - 2 * at : 0;
        this.rvoff[v] = off;
        return JUMP_FORMS[jumpForm(off, false)]!.hw;
      case VK.Addr:
        return 4;
      case VK.TailOut: {
        // The kernel measures "out" as this unit's size in the offset table: offset[i] - offset[i - 1] (offset[0]
        // alone for i == 0, which then also counts the prologue), added to where the unit starts.
        const tc = slot > 0 ? this.offset[slot]! - this.offset[slot - 1]! : this.offset[0]!;
        off = 2 * (tc - (at - start));
        this.rvoff[v] = off;
        return BRANCH_FORMS[branchForm(off)]!.hw;
      }
      case VK.TailEpilogue:
        return frame.tailEpilogueHw;
    }
    throw new JitError(`internal: unknown var item kind ${kind}`);
  }
}
