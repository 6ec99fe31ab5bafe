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
 *
 * Two implementations with one behaviour: FullLayout keeps the kernel's table literally and walks every unit;
 * SegmentedLayout, used by the JIT, walks only the units that hold var items (the others never change size) and
 * derives any offset-table entry from the start of its *segment* (the run of units ending at a var unit) plus a
 * constant. Segments are recorded in the order the kernel records offsets, so a read sees the same generation.
 * test/jit/layout-equivalence.test.ts checks that both agree pass for pass.
 */
import type { CodeBuf } from "./code.js";
import { VK } from "./code.js";
import { branchForm, branchHw, BRANCH_FORMS, jumpForm, JUMP_FORMS } from "./branch.js";
import { JitError } from "./errors.js";

/** What a pass needs to know about the frame variant in use. */
export interface PassFrame {
  prologueHw: number;
  epilogueHw: number;
  tailEpilogueHw: number;
}

/** What a pass decides, per var item. */
export interface PassResult {
  /** Position (halfwords from the image start). */
  readonly at: Int32Array;
  /** Size (halfwords). */
  readonly hw: Uint8Array;
  /** PC-relative byte offset the item was sized for (Branch, Jump, JumpEpilogue, CallFixed, CallBpf, TailOut). */
  readonly rvoff: Float64Array;
}

function passResult(nv: number): PassResult {
  return { at: new Int32Array(nv), hw: new Uint8Array(nv), rvoff: new Float64Array(nv) };
}

export abstract class Layout implements PassResult {
  prologueLen = 0;
  epilogueOffset = 0;
  /** The image has an address: calls to fixed addresses get their real offsets (and may shrink to jal). */
  allocated = false;
  /** Per var item: target address minus image address (bytes), for CallFixed once allocated, else NaN. */
  readonly delta: Float64Array;
  // The latest sizing pass's results:
  readonly at: Int32Array;
  readonly hw: Uint8Array;
  readonly rvoff: Float64Array;

  constructor(readonly body: CodeBuf) {
    this.delta = new Float64Array(body.nv).fill(NaN);
    const r = passResult(body.nv);
    this.at = r.at;
    this.hw = r.hw;
    this.rvoff = r.rvoff;
  }

  /** offset[k] as the kernel would read it now. */
  abstract offsetAt(k: number): number;

  /**
   * Runs one pass; returns the image size in halfwords. `record`: update the offset table, prologueLen and
   * epilogueOffset (sizing passes); the final pass reads them frozen. Results go to `out` (this layout's own by
   * default). `bpfDelta` is the extra pass: per CallBpf item, its target's address minus the image's.
   */
  abstract pass(frame: PassFrame, record: boolean, out?: PassResult, bpfDelta?: Float64Array): number;

  /** The final pass, into a new result: this layout (a converged one, the previous pass's output) stays as it is. */
  finalPass(frame: PassFrame, bpfDelta?: Float64Array): { size: number; result: PassResult } {
    const result = passResult(this.body.nv);
    return { size: this.pass(frame, false, result, bpfDelta), result };
  }

  /** Sizes var item `v` at halfword `at` (its unit starts at `start`, slot `slot`); records its offset. */
  protected size(v: number, kind: number, at: number, start: number, slot: number, frame: PassFrame, out: PassResult, bpfDelta: Float64Array | undefined): number {
    const b = this.body;
    let off: number;
    switch (kind) {
      case VK.Branch:
      case VK.Jump: {
        const t = b.vtarget[v]!;
        off = 2 * ((t > 0 ? this.offsetAt(t - 1) : this.prologueLen) - at); // eBPF offsets are from pc + 1
        out.rvoff[v] = off;
        return kind === VK.Branch ? branchHw(off) : JUMP_FORMS[jumpForm(off, true)]!.hw;
      }
      case VK.JumpEpilogue:
        off = 2 * (this.epilogueOffset - at);
        out.rvoff[v] = off;
        return JUMP_FORMS[jumpForm(off, true)]!.hw;
      case VK.CallFixed:
        off = this.allocated && !Number.isNaN(this.delta[v]!) ? this.delta[v]! - 2 * at : 0;
        out.rvoff[v] = off;
        return JUMP_FORMS[jumpForm(off, true)]!.hw;
      case VK.CallBpf:
        off = bpfDelta ? bpfDelta[v]! - 2 * at : 0;
        out.rvoff[v] = off;
        return JUMP_FORMS[jumpForm(off, false)]!.hw;
      case VK.Addr:
        return 4;
      case VK.TailOut: {
        // The kernel measures "out" as this unit's size in the offset table: offset[i] - offset[i - 1] (offset[0]
        // alone for i == 0, which then also counts the prologue), added to where the unit starts.
        const tc = slot > 0 ? this.offsetAt(slot) - this.offsetAt(slot - 1) : this.offsetAt(0);
        off = 2 * (tc - (at - start));
        out.rvoff[v] = off;
        return BRANCH_FORMS[branchForm(off)]!.hw;
      }
      case VK.TailEpilogue:
        return frame.tailEpilogueHw;
    }
    throw new JitError(`internal: unknown var item kind ${kind}`);
  }
}

/** The kernel's offset table, literally: every unit visited in every pass. The reference for SegmentedLayout. */
export class FullLayout extends Layout {
  readonly offset: Int32Array;

  constructor(body: CodeBuf, nslots: number) {
    super(body);
    this.offset = new Int32Array(nslots);
    for (let i = 0; i < nslots; i++) this.offset[i] = 32 * (i + 1);
  }

  offsetAt(k: number): number {
    return this.offset[k]!;
  }

  pass(frame: PassFrame, record: boolean, out: PassResult = this, bpfDelta?: Float64Array): number {
    const b = this.body;
    let pos = frame.prologueHw;
    if (record) this.prologueLen = pos;
    for (let u = 0; u < b.nu; u++) {
      const start = pos;
      let extra = 0;
      for (let v = b.uVar[u]!; v < b.uVar[u + 1]!; v++) {
        const at = start + b.vpre[v]! + extra;
        const hw = this.size(v, b.vk[v]!, at, start, b.uSlot[u]!, frame, out, bpfDelta);
        out.at[v] = at;
        out.hw[v] = hw;
        extra += hw;
      }
      pos = start + b.uHw[u]! + extra;
      if (record) this.offset[b.uLast[u]!] = pos;
    }
    if (record) this.epilogueOffset = pos;
    return pos + frame.epilogueHw;
  }
}

/**
 * The same table, by segments. Segment j is the run of units ending with the j-th unit that holds var items (the
 * last segment runs to the end of the body). A unit's end is its segment's start plus a constant, except for the
 * segment's closing var unit, whose end is the next segment's start. A segment not yet recorded in any pass
 * reads as the kernel's initial table, 32 halfwords per slot.
 */
export class SegmentedLayout extends Layout {
  /** Per segment: its closing var unit (-1 for the last segment), fixed halfwords before that unit, total fixed. */
  private readonly segUnit: Int32Array;
  private readonly segLead: Int32Array;
  private readonly segFixed: Int32Array;
  /** Per segment: start (halfwords) as last recorded, and whether it ever was. */
  private readonly segStart: Int32Array;
  private readonly segSet: Uint8Array;
  /** Per slot: the segment of the unit recording offset[k] (-1: no unit does, the entry stays initial), and the
   * entry's distance from that segment's start (-1: the unit closes the segment, read the next segment's start). */
  private readonly slotSeg: Int32Array;
  private readonly slotRel: Int32Array;
  private readonly nseg: number;
  /** Per var item of a branch: where its target's offset-table entry is read from, resolved once: the segment
   * (-1: an entry no unit records, -2: target slot 0, i.e. prologueLen), the distance from that segment's start,
   * and the entry's initial value. Read in order of var items, every pass. */
  private readonly tSeg: Int32Array;
  private readonly tRel: Int32Array;
  private readonly tInit: Int32Array;

  constructor(body: CodeBuf, nslots: number) {
    super(body);
    const { nu, uVar, uHw, uLast } = body;
    let nseg = 1;
    for (let u = 0; u < nu; u++) if (uVar[u + 1]! > uVar[u]!) nseg++;
    this.nseg = nseg;
    this.segUnit = new Int32Array(nseg).fill(-1);
    this.segLead = new Int32Array(nseg);
    this.segFixed = new Int32Array(nseg);
    this.segStart = new Int32Array(nseg);
    this.segSet = new Uint8Array(nseg);
    this.slotSeg = new Int32Array(nslots).fill(-1);
    this.slotRel = new Int32Array(nslots);
    let j = 0;
    let rel = 0;
    for (let u = 0; u < nu; u++) {
      const hasVars = uVar[u + 1]! > uVar[u]!;
      this.slotSeg[uLast[u]!] = j;
      if (hasVars) {
        this.segUnit[j] = u;
        this.segLead[j] = rel;
        this.segFixed[j] = rel + uHw[u]!;
        this.slotRel[uLast[u]!] = -1;
        j++;
        rel = 0;
      } else {
        rel += uHw[u]!;
        this.slotRel[uLast[u]!] = rel;
      }
    }
    this.segFixed[j] = rel;
    const nv = body.nv;
    this.tSeg = new Int32Array(nv);
    this.tRel = new Int32Array(nv);
    this.tInit = new Int32Array(nv);
    for (let v = 0; v < nv; v++) {
      const t = body.vtarget[v]!;
      if (body.vk[v] !== VK.Branch) continue;
      if (t === 0) {
        this.tSeg[v] = -2;
        continue;
      }
      const k = t - 1;
      const sj = this.slotSeg[k]!;
      const r = this.slotRel[k]!;
      this.tSeg[v] = sj < 0 ? -1 : r < 0 ? sj + 1 : sj;
      this.tRel[v] = r < 0 ? 0 : r;
      this.tInit[v] = 32 * t;
    }
  }

  offsetAt(k: number): number {
    const j = this.slotSeg[k]!;
    const rel = this.slotRel[k]!;
    if (j < 0) return 32 * (k + 1);
    const s = rel < 0 ? j + 1 : j;
    return this.segSet[s] ? this.segStart[s]! + (rel < 0 ? 0 : rel) : 32 * (k + 1);
  }

  pass(frame: PassFrame, record: boolean, out: PassResult = this, bpfDelta?: Float64Array): number {
    const b = this.body;
    const { uVar, uHw, uSlot, vk, vpre } = b;
    const { segUnit, segLead, segFixed, segStart, segSet, tSeg, tRel, tInit } = this;
    const { at: atOf, hw: hwOf, rvoff } = out;
    let pos = frame.prologueHw;
    if (record) this.prologueLen = pos;
    const prologueLen = this.prologueLen;
    const last = this.nseg - 1;
    for (let j = 0; j < last; j++) {
      if (record) {
        segStart[j] = pos;
        segSet[j] = 1;
      }
      const u = segUnit[j]!;
      const start = pos + segLead[j]!;
      let extra = 0;
      for (let v = uVar[u]!, v1 = uVar[u + 1]!; v < v1; v++) {
        const at = start + vpre[v]! + extra;
        let hw: number;
        if (vk[v] === VK.Branch) {
          // the common case, inline: offsetAt(t - 1) with its segment resolved in the constructor
          const ts = tSeg[v]!;
          const to = ts === -2 ? prologueLen : ts >= 0 && segSet[ts] ? segStart[ts]! + tRel[v]! : tInit[v]!;
          const off = 2 * (to - at);
          rvoff[v] = off;
          hw = branchHw(off);
        } else hw = this.size(v, vk[v]!, at, start, uSlot[u]!, frame, out, bpfDelta);
        atOf[v] = at;
        hwOf[v] = hw;
        extra += hw;
      }
      pos = start + uHw[u]! + extra;
    }
    if (record) {
      segStart[last] = pos;
      segSet[last] = 1;
    }
    pos += segFixed[last]!;
    if (record) this.epilogueOffset = pos;
    return pos + frame.epilogueHw;
  }
}
