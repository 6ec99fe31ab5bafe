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
 * constant. Segments are recorded in the order the kernel records offsets, so a read sees the same generation. It
 * also starts each pass where the previous one can first have changed anything (see SegmentedLayout.resumeAt).
 * test/jit/layout-equivalence.test.ts checks that both agree pass for pass.
 */
import type { CodeBuf } from "./code.js";
import * as fromCode from "./code.js";
import * as fromBranch from "./branch.js";
import * as fromErrors from "./errors.js";
import { type Arrays, FRESH } from "./scratch.js";

// Imported values as module-local constants: this module runs for every instruction, and V8 folds a module's own
// constants into optimized code but reloads an imported binding, checking that it is initialised, at every use.
const { VK } = fromCode;
const { branchForm, branchHw, BRANCH_FORMS, jumpForm, JUMP_FORMS } = fromBranch;
const { JitError } = fromErrors;

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
  // The latest sizing pass's results (`at` is each implementation's own):
  abstract readonly at: Int32Array;
  readonly hw: Uint8Array;
  readonly rvoff: Float64Array;

  /** `scratch`: where the working arrays come from (scratch.ts; fresh ones by default). */
  constructor(
    readonly body: CodeBuf,
    scratch: Arrays = FRESH,
  ) {
    this.delta = scratch.float64(body.nv).fill(NaN);
    this.hw = scratch.uint8(body.nv).fill(0);
    this.rvoff = scratch.float64(body.nv).fill(0);
  }

  /** offset[k] as the kernel would read it now. */
  abstract offsetAt(k: number): number;

  /**
   * Runs one pass; returns the image size in halfwords. `record`: update the offset table, prologueLen and
   * epilogueOffset (sizing passes); the final pass reads them frozen. Results go to `out` (this layout's own by
   * default). `bpfDelta` is the extra pass: per CallBpf item, its target's address minus the image's.
   */
  abstract pass(frame: PassFrame, record: boolean, out?: PassResult, bpfDelta?: Float64Array): number;

  /** The final pass, into a new result (SegmentedLayout may answer with its own, see there). */
  finalPass(frame: PassFrame, bpfDelta?: Float64Array): { size: number; result: PassResult } {
    const result = passResult(this.body.nv);
    return { size: this.pass(frame, false, result, bpfDelta), result };
  }

  /** Start (halfwords) of var item `v`'s unit in the pass under way, given where the item landed. */
  protected abstract unitStart(v: number, at: number, out: PassResult): number;
  /** First eBPF slot of var item `v`'s unit. */
  protected abstract unitSlot(v: number): number;

  /** Sizes var item `v` at halfword `at`; records its offset. */
  protected size(v: number, kind: number, at: number, frame: PassFrame, out: PassResult, bpfDelta: Float64Array | undefined): number {
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
        const slot = this.unitSlot(v);
        const tc = slot > 0 ? this.offsetAt(slot) - this.offsetAt(slot - 1) : this.offsetAt(0);
        off = 2 * (tc - (at - this.unitStart(v, at, out)));
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
  readonly at: Int32Array;

  constructor(body: CodeBuf, nslots: number) {
    super(body);
    this.at = new Int32Array(body.nv);
    this.offset = new Int32Array(nslots);
    for (let i = 0; i < nslots; i++) this.offset[i] = 32 * (i + 1);
  }

  offsetAt(k: number): number {
    return this.offset[k]!;
  }

  private curStart = 0;
  private curSlot = 0;

  pass(frame: PassFrame, record: boolean, out: PassResult = this, bpfDelta?: Float64Array): number {
    const b = this.body;
    let pos = frame.prologueHw;
    if (record) this.prologueLen = pos;
    for (let u = 0; u < b.nu; u++) {
      const start = pos;
      this.curStart = start;
      this.curSlot = b.uSlot[u]!;
      let extra = 0;
      for (let v = b.uVar[u]!; v < b.uVar[u + 1]!; v++) {
        const at = start + b.vpos[v]! - b.uStart[u]! + extra;
        const hw = this.size(v, b.vk[v]!, at, frame, out, bpfDelta);
        out.at[v] = at;
        out.hw[v] = hw;
        extra += hw;
      }
      pos = start + (b.uStart[u + 1]! - b.uStart[u]!) + extra;
      if (record) this.offset[b.uSlot[u + 1]! - 1] = pos;
    }
    if (record) this.epilogueOffset = pos;
    return pos + frame.epilogueHw;
  }

  protected unitStart(): number {
    return this.curStart;
  }

  protected unitSlot(): number {
    return this.curSlot;
  }
}

/**
 * The same table, by segments. Segment j is the run of units ending with the j-th unit that holds var items (the
 * last segment runs to the end of the body). A unit's end is its segment's start plus a constant, except for the
 * segment's closing var unit, whose end is the next segment's start. So a pass only has to walk the var items, and
 * record where each segment starts; a segment not yet recorded in any pass reads as the kernel's initial table, 32
 * halfwords per slot.
 *
 * Everything is indexed by var item: a segment is named by the first var item of its closing unit (the last segment
 * by nv), and its start is stored under that name. Per item, the constructor resolves once what the pass needs:
 *
 *   lead[v]   fixed halfwords before the item: from its segment's start for the first item of a unit, from the end
 *             of the previous item otherwise;
 *   tail[v]   fixed halfwords after it, up to the end of its unit (0 unless it is the unit's last item);
 *   tKey[v]   for a branch or jump, the segment its target's offset-table entry is read from (nv + 1: an entry no
 *   tRel[v]   unit records, which keeps its initial value tRel), and the entry's distance from that segment's start.
 *
 * A pass is then one loop: pos = pos + lead; size the item; pos = at + size + tail, storing pos under every item's
 * index as it goes (only segment names are ever read back). A target whose segment lies after the item reads the
 * previous pass's start, exactly the generation the kernel reads.
 *
 * Most of a pass repeats the previous one: the kernel's loop converges as a wave (with many forward branches, each
 * pass settles the next few KiB), and everything before the wave is sized again from the same inputs. An item's
 * size and offset depend only on where it lands and on the entry it reads; so if the items before it were sized as
 * last time, it is sized as last time unless it reads an entry *ahead* of it (last pass's generation) that last
 * pass moved. A pass therefore resumes at the first item reading ahead of the first size change of the previous
 * pass (resumeAt), with the previous pass's results for everything before it, which are this pass's too.
 *
 * Behind the wave, everything is the previous pass moved by a constant: once past the last item the previous pass
 * changed, an item that lands `shift` halfwords from where it landed last time, where `shift` is also how far the
 * previous pass moved everything behind its changes, reads entries ahead that moved by the same amount (so its
 * offset is the same) and entries behind it that moved with it (as long as nothing changed size in between); so
 * its size is the same and so is everything's after it. The pass then stops, and records that the rest moved (applied when read).
 * Items whose offset depends on where they land in absolute terms (calls to fixed addresses, a tail call's exits,
 * entries no unit records) allow this only when the shift is 0.
 */
export class SegmentedLayout extends Layout {
  /** Per var item, resolved once (see above). */
  private readonly lead: Int32Array;
  private readonly tail: Int32Array;
  private readonly tKey: Int32Array;
  private readonly tRel: Int32Array;
  /** Per var item: its unit (the code buffer's). */
  private readonly unitOf: Int32Array;
  /** Fixed halfwords of the last segment (the units after the last var unit). */
  private readonly lastFixed: number;
  /** Start of each segment, under its name (and scratch under every other item index; nv + 1 stays 0). */
  private readonly segStart: Int32Array;
  /** Segments recorded so far by the first sizing pass: names up to this one (after it, all of them). */
  private recorded = -1;
  /** Per var item: the furthest segment read ahead of itself by it or any item before it (-1: none). */
  private readonly reach: Int32Array;
  /** Per var item: the smallest segment read behind itself by it or any item after it (nv + 2: none), and whether
   * it or an item after it depends on its absolute position (1). */
  private readonly minBack: Int32Array;
  private readonly absolute: Uint8Array;
  /** What the last sizing pass saw: the first and last items whose size it changed (nv and -1: none), where the body
   * ended, how far that moved from the pass before (shiftKnown: whether there was one to compare with), and its
   * inputs. */
  private lastChange = -1;
  private lastChangeEnd = -1;
  private lastEnd = 0;
  private lastShift = 0;
  private shiftKnown = false;
  private lastPrologueHw = -1;
  private lastTailEpilogueHw = -1;
  private lastAllocated = false;
  /** Some item calls a fixed address: only those are sized differently once the image is allocated. */
  private readonly callsFixed: boolean;
  /** Where each item landed in the latest sizing pass, except that the items from `pendFrom` on (and the segment
   * starts stored under their names) are still to be moved by `pendShift`: a pass that stops early leaves the rest
   * where it was and records the move (see pass()). `at` applies it first. */
  private readonly atOf: Int32Array;
  private pendFrom: number;
  private pendShift = 0;
  /** During a pass, the item being sized: entries under names up to it were written by this pass, never pending. */
  private cursor = -1;
  /** Var items the latest pass sized itself (the others it took from the previous pass): for tests and benches. */
  sized = 0;

  /** The arrays come from `scratch` as they were left: each is filled or written whole before it is read (tKey and
   * tRel: for the branches and jumps, the only items that read them). */
  constructor(body: CodeBuf, nslots: number, scratch: Arrays = FRESH) {
    super(body, scratch);
    const nv = body.nv;
    this.atOf = scratch.int32(nv).fill(0);
    this.pendFrom = nv;
    this.lead = scratch.int32(nv);
    this.tail = scratch.int32(nv).fill(0);
    this.unitOf = body.vunit;
    this.segStart = scratch.int32(nv + 2).fill(0);
    this.lastFixed = walkVars(body, this.lead, this.tail);
    this.tKey = scratch.int32(nv);
    this.tRel = scratch.int32(nv);
    this.reach = scratch.int32(nv);
    resolveTargets(body, this.tKey, this.tRel, this.reach);
    this.minBack = scratch.int32(nv + 1).fill(nv + 2);
    this.absolute = scratch.uint8(nv + 1).fill(0);
    readsBehind(body, this.tKey, this.minBack, this.absolute);
    this.callsFixed = body.vk.subarray(0, nv).includes(VK.CallFixed);
    if (nslots !== body.uSlot[body.nu]) throw new JitError(`internal: a layout of ${nslots} slots for units covering ${body.uSlot[body.nu]}`);
  }

  get at(): Int32Array {
    this.settle(this.body.nv);
    return this.atOf;
  }

  offsetAt(k: number): number {
    const key = segmentOf(this.body, k);
    return key >= 0 && key <= this.recorded ? this.segStartOf(key) + entryRel(this.body, k, key) : 32 * (k + 1);
  }

  /** The start of segment `key` as recorded, with the pending move if it applies. */
  private segStartOf(key: number): number {
    return this.segStart[key]! + pendingMove(key, this.cursor, this.pendFrom, this.body.nv, this.pendShift);
  }

  /** Applies the pending move to the items before `end` (and their segment starts). */
  private settle(end: number): void {
    const { atOf, segStart, pendShift } = this;
    if (pendShift !== 0) {
      for (let w = this.pendFrom; w < end; w++) {
        atOf[w] += pendShift;
        segStart[w] += pendShift;
      }
    }
    if (end >= this.body.nv) {
      this.pendFrom = this.body.nv;
      this.pendShift = 0;
    } else this.pendFrom = Math.max(this.pendFrom, end);
  }

  /**
   * The final pass reads every entry as the last sizing pass left it. When that pass changed no size (the loop's
   * usual end), every entry is what the pass before it had left too, so the final pass reads exactly what the last
   * sizing pass read, and its results are that pass's: this layout's own arrays, neither copied nor computed again
   * (so no pass may run on it while they are in use). Not in the extra pass, where bpf-to-bpf calls get their targets.
   */
  override finalPass(frame: PassFrame, bpfDelta?: Float64Array): { size: number; result: PassResult } {
    if (bpfDelta !== undefined || this.lastChange !== this.body.nv || !this.sameInputs(frame)) return super.finalPass(frame, bpfDelta);
    const result = { at: this.at, hw: this.hw, rvoff: this.rvoff };
    return { size: this.epilogueOffset + frame.epilogueHw, result };
  }

  /** This pass sizes with the frame and allocation state the previous one had (the allocation matters only to
   * calls to fixed addresses). */
  private sameInputs(frame: PassFrame): boolean {
    const allocation = this.lastAllocated === this.allocated || !this.callsFixed;
    return frame.prologueHw === this.lastPrologueHw && frame.tailEpilogueHw === this.lastTailEpilogueHw && allocation;
  }

  /**
   * The first item this sizing pass can size differently from the previous one (see the class comment): the first
   * item whose reach passes the previous pass's first change (reach only grows, so a binary search finds it).
   */
  private resumeAt(): number {
    const { reach, lastChange } = this;
    let lo = 0;
    let hi = this.body.nv;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (reach[mid]! > lastChange) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  pass(frame: PassFrame, record: boolean, out: PassResult = this, bpfDelta?: Float64Array): number {
    const { nv, vk, vtarget } = this.body;
    const { lead, tail, tKey, tRel, segStart, minBack, absolute } = this;
    const sizing = record && out === this; // a sizing pass into this layout: the only kind that may stop early
    const atOf = out === this ? this.atOf : out.at;
    const { hw: hwOf, rvoff } = out;
    const first = this.recorded < nv; // the first sizing pass: segments after the current item read initial values
    // The previous pass's results are in atOf/hwOf, and were computed from the same inputs as this one's:
    const again = sizing && this.lastChange >= 0 && this.sameInputs(frame);
    const from = again ? this.resumeAt() : 0;
    // Nothing before `from` is pending any more; in any other pass, nothing at all.
    this.settle(sizing ? from : nv);
    const pf = this.pendFrom;
    const ps = this.pendShift;
    // Where the rest may be the previous pass moved (class comment): past its last change, by its own shift.
    const stopAfter = again && this.shiftKnown ? this.lastChangeEnd : nv;
    const shift = this.lastShift;
    let pos = from === 0 ? frame.prologueHw : atOf[from - 1]! + hwOf[from - 1]! + tail[from - 1]!;
    let change = nv;
    let changeEnd = -1;
    if (record) this.prologueLen = frame.prologueHw;
    let v = from;
    for (; v < nv; v++) {
      if (v > stopAfter && pos + lead[v]! - (atOf[v]! + (v >= pf ? ps : 0)) === shift && changeEnd < minBack[v]! && (shift === 0 || absolute[v] === 0)) break;
      if (record) {
        segStart[v] = pos; // the segment's start if v names one (the first item of a var unit), else unused
        if (first) this.recorded = v;
      }
      const at = pos + lead[v]!;
      const kind = vk[v]!;
      let hw: number;
      if (kind === VK.Branch) {
        // rv_offset: the target's entry as it reads now (this pass's if already recorded, else the last pass's,
        // with the move still pending on it if any)
        const key = tKey[v]!;
        const entry = first && key > v ? 32 * vtarget[v]! : segStart[key]! + tRel[v]! + pendingMove(key, v, pf, nv, ps);
        const off = 2 * (entry - at);
        rvoff[v] = off;
        hw = branchHw(off);
      } else {
        this.cursor = v;
        hw = this.size(v, kind, at, frame, out, bpfDelta);
      }
      atOf[v] = at;
      if (hwOf[v] !== hw) {
        if (change === nv) change = v;
        changeEnd = v;
      }
      hwOf[v] = hw;
      pos = at + hw + tail[v]!;
    }
    this.cursor = -1;
    this.sized = v - from;
    if (v < nv) {
      // The rest is the previous pass's, moved by `shift`: same sizes and offsets. The move is recorded, not made:
      // if a move is pending from further on, the items from v up to there are moved now (usually none: a pass
      // stops further on than the one before it), and the pending move grows by this one.
      if (ps === 0) this.pendFrom = v;
      else {
        if (shift !== 0) {
          for (let w = v; w < pf; w++) {
            atOf[w] += shift;
            segStart[w] += shift;
          }
        }
        this.pendFrom = Math.max(pf, v);
      }
      this.pendShift = ps + shift;
      pos = this.lastEnd + shift;
    } else {
      this.pendFrom = nv;
      this.pendShift = 0;
    }
    if (record) {
      segStart[nv] = pos;
      this.recorded = nv;
      this.epilogueOffset = pos + this.lastFixed;
      // The first pass compared its sizes with nothing: only from the second on is `change` a change.
      const compared = out === this && this.lastPrologueHw >= 0;
      this.lastChange = compared ? change : -1;
      this.lastChangeEnd = changeEnd;
      this.shiftKnown = compared;
      this.lastShift = pos - this.lastEnd;
      this.lastEnd = pos;
      this.lastPrologueHw = frame.prologueHw;
      this.lastTailEpilogueHw = frame.tailEpilogueHw;
      this.lastAllocated = this.allocated;
    } else if (out === this) this.lastChange = -1; // sized with frozen reads: not a pass to resume from
    return pos + this.lastFixed + frame.epilogueHw;
  }

  /** Start of var item v's unit, from where the item landed and the sizes of the items before it in the unit. */
  protected unitStart(v: number, at: number, out: PassResult): number {
    const b = this.body;
    const u = this.unitOf[v]!;
    let extra = 0;
    for (let w = b.uVar[u]!; w < v; w++) extra += out.hw[w]!;
    return at - (b.vpos[v]! - b.uStart[u]!) - extra;
  }

  protected unitSlot(v: number): number {
    return this.body.uSlot[this.unitOf[v]!]!;
  }
}

/**
 * The move still pending on the segment start stored under `key` while item `v` is sized (-1 between passes): one
 * applies to the names from `pendFrom` up to the last item, except those this pass has written already (up to v).
 */
function pendingMove(key: number, v: number, pendFrom: number, nv: number, pendShift: number): number {
  return key > v && key >= pendFrom && key < nv ? pendShift : 0;
}

// The constructor's three walks, each a function of its own: they run once per layout, and V8 optimizes a function
// whole once it has run a few times, whereas a loop optimized on entry (on-stack) deoptimizes at the code after it.
// They visit the var items only: a unit without any is found, when a target is in it, through the slot's unit.

/** Each item's lead and tail (see SegmentedLayout), from where it sits in the fixed code and where its unit ends.
 * Returns the fixed halfwords of the last segment (the units after the last var unit). */
function walkVars(body: CodeBuf, lead: Int32Array, tail: Int32Array): number {
  const { nv, vunit, uStart, vpos } = body;
  let segFixed = 0; // fixed halfwords before the current segment: the end of the previous var unit
  for (let v = 0; v < nv; v++) {
    const u = vunit[v]!;
    lead[v] = v === 0 || vunit[v - 1] !== u ? vpos[v]! - segFixed : vpos[v]! - vpos[v - 1]!;
    if (v + 1 === nv || vunit[v + 1] !== u) {
      tail[v] = uStart[u + 1]! - vpos[v]!;
      segFixed = uStart[u + 1]!;
    }
  }
  return uStart[body.nu]! - segFixed;
}

/**
 * The segment slot k's offset-table entry is read from: the one that starts where the unit whose last slot is k
 * ends, named by the first var item after that unit (nv: the last segment); -1 if no unit records the entry (k is
 * the first slot of a two-slot unit).
 */
function segmentOf(body: CodeBuf, k: number): number {
  const u = body.slotUnit[k]!;
  return body.uSlot[u + 1]! - 1 === k ? body.uVar[u + 1]! : -1;
}

/** The entry's distance from the start of its segment `key`: the fixed halfwords from the end of the var unit
 * before the segment (the body's start for the first) to the end of slot k's unit. */
function entryRel(body: CodeBuf, k: number, key: number): number {
  const { uStart, slotUnit, vunit } = body;
  return uStart[slotUnit[k]! + 1]! - (key === 0 ? 0 : uStart[vunit[key - 1]! + 1]!);
}

/**
 * Per item: where a branch's or jump's target entry is read from, and what the item reads ahead of itself (a branch
 * or jump its target's segment, a jump to the epilogue the end, since epilogueOffset is the last pass's, a tail
 * call's exit the end of its own unit), as a running maximum.
 */
function resolveTargets(body: CodeBuf, tKey: Int32Array, tRel: Int32Array, reach: Int32Array): void {
  const { nv, vk, vtarget, uSlot, vunit } = body;
  let furthest = -1;
  for (let v = 0; v < nv; v++) {
    const kind = vk[v];
    if (kind === VK.Branch || kind === VK.Jump) {
      const t = vtarget[v]!;
      // target slot 0 reads prologueLen, which is where segment 0 (named 0, or nv if there are no var items) starts
      const key = t === 0 ? 0 : segmentOf(body, t - 1);
      tKey[v] = key < 0 ? nv + 1 : key;
      tRel[v] = key < 0 ? 32 * t : t === 0 ? 0 : entryRel(body, t - 1, key);
      if (key > furthest && key > v) furthest = key;
    } else if (kind === VK.JumpEpilogue) furthest = nv;
    else if (kind === VK.TailOut) furthest = Math.max(furthest, segmentOf(body, uSlot[vunit[v]!]!), v);
    reach[v] = furthest;
  }
}

/** What each item reads behind itself, and which items depend on where they land (from the end backwards). */
function readsBehind(body: CodeBuf, tKey: Int32Array, minBack: Int32Array, absolute: Uint8Array): void {
  const { nv, vk, uSlot, vunit } = body;
  for (let v = nv - 1; v >= 0; v--) {
    const kind = vk[v];
    let behind = nv + 2;
    let abs = 0;
    if (kind === VK.Branch || kind === VK.Jump) {
      if (tKey[v]! <= v) behind = tKey[v]!;
      else if (tKey[v]! > nv) abs = 1; // an entry no unit records: a fixed number
    } else if (kind === VK.TailOut) {
      const slot = uSlot[vunit[v]!]!;
      if (slot > 0 && segmentOf(body, slot - 1) >= 0) behind = segmentOf(body, slot - 1);
      abs = 1;
    } else if (kind === VK.CallFixed) abs = 1;
    const next = minBack[v + 1]!;
    minBack[v] = behind < next ? behind : next;
    absolute[v] = abs | absolute[v + 1]!;
  }
}
