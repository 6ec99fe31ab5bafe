/**
 * @fileoverview Verifier, part 7: the path walk (the kernel's do_check_main / do_check_subprogs). Every path from
 * an entry is followed instruction by instruction with the state of part 3, splitting at conditional jumps whose
 * outcome the bounds do not decide. Two things keep it finite, as in the kernel:
 *   - pruning: at jump targets and after branches and calls, a state covered by one whose every continuation was
 *     already checked is not explored again; a state *equal* to one whose continuations are still being explored
 *     is an endless loop ("infinite loop detected at insn 7");
 *   - limits: at most `complexityLimit` instructions processed ("BPF program is too large. Processed 1000001
 *     insn") and 8192 pending branches ("The sequence of 8193 jumps is too complex.").
 * Entries: the main function with the contract's registers; then every global function that some path calls, and
 * the exception callback, each on its own with scalar arguments.
 */
import { isLdImm64 } from "../bpf/insn.js";
import { BPF_ALU, BPF_ALU64, BPF_CALL, BPF_EXIT, BPF_JMP, BPF_JMP32, BPF_LD, bpfClass, bpfOp } from "../bpf/opcodes.js";
import { checkCall, checkExit, fp } from "./verify-call.js";
import { isJump, jumpTarget } from "./verify-cfg.js";
import { type CheckEnv, fail } from "./verify-env.js";
import { checkAlu, checkJump, checkLdImm64, checkMemInsn, type Succ } from "./verify-insn.js";
import { type Relevance, relevance } from "./verify-live.js";
import { cloneState, covers, newFrame, type RelevanceOf, sameState, type VState } from "./verify-state.js";
import { type Reg, UNKNOWN } from "./verify-value.js";

/** BPF_COMPLEXITY_LIMIT_JMP_SEQ. */
const MAX_PENDING = 8192;

interface Checkpoint {
  st: VState;
  insn: number;
  /** Paths (and unfinished child checkpoints) below this one still being explored. */
  branches: number;
  parent?: Checkpoint;
}

interface Path {
  st: VState;
  insn: number;
  /** The innermost checkpoint this path passed. */
  cp?: Checkpoint;
}

/** Slots where states are compared: jump targets, the slot after a conditional jump, the slot after a call. */
function prunePoints(env: CheckEnv): Uint8Array {
  const marks = new Uint8Array(env.insns.length + 1);
  for (let i = 0; i < env.insns.length; i++) {
    const x = env.insns[i]!;
    if (isJump(x)) {
      marks[jumpTarget(x, i)] = 1;
      marks[i + 1] = 1;
    } else if (x.code === (BPF_JMP | BPF_CALL)) {
      marks[i + 1] = 1;
    }
    if (isLdImm64(x)) i++;
  }
  return marks;
}

/** One instruction on one path. */
function step(env: CheckEnv, st: VState, i: number): Succ[] {
  const x = env.insns[i]!;
  switch (bpfClass(x.code)) {
    case BPF_ALU:
    case BPF_ALU64:
      checkAlu(env, st, i, x);
      return [{ st, insn: i + 1 }];
    case BPF_LD:
      if (!isLdImm64(x)) fail(i, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
      checkLdImm64(env, st, i, x);
      return [{ st, insn: i + 2 }];
    case BPF_JMP:
    case BPF_JMP32:
      if (bpfOp(x.code) === BPF_CALL) return checkCall(env, st, i, x);
      if (bpfOp(x.code) === BPF_EXIT) return checkExit(env, st, i);
      return checkJump(st, i, x);
    default:
      checkMemInsn(env, st, i, x);
      return [{ st, insn: i + 1 }];
  }
}

/** What still matters in each frame of `st` when its innermost frame is at slot `i`. */
function relevanceAt(rel: Relevance, st: VState, i: number): RelevanceOf {
  return (frame) => {
    const at = frame === st.frames.length - 1 ? i : st.frames[frame + 1]!.callsite + 1;
    return { regs: rel.regs[at]!, lo: rel.slotsLo[at]!, hi: rel.slotsHi[at]! };
  };
}

/** A finished state kept for pruning, with how often it helped (the kernel's hit_cnt / miss_cnt). */
interface Explored {
  st: VState;
  hits: number;
  misses: number;
}

/** Is `cur` covered by a finished state at its slot? Drops states that keep missing, as the kernel does. */
function coveredByExplored(list: Explored[] | undefined, cur: VState, matters: RelevanceOf): boolean {
  if (!list) return false;
  for (let k = 0; k < list.length; k++) {
    const e = list[k]!;
    if (covers(e.st, cur, matters)) {
      e.hits++;
      return true;
    }
    if (++e.misses > e.hits * 3 + 3) list.splice(k--, 1);
  }
  return false;
}

/** Explores every path from `start` in state `st0`. */
function walk(env: CheckEnv, st0: VState, start: number, marks: Uint8Array, rel: Relevance): void {
  const active = new Map<number, Checkpoint[]>();
  const done = new Map<number, Explored[]>();
  const finish = (from: Checkpoint | undefined) => {
    for (let cp = from; cp; cp = cp.parent) {
      if (--cp.branches > 0) return;
      const here = active.get(cp.insn)!;
      here.splice(here.indexOf(cp), 1);
      let list = done.get(cp.insn);
      if (!list) done.set(cp.insn, (list = []));
      list.push({ st: cp.st, hits: 0, misses: 0 });
    }
  };
  const pending: Path[] = [{ st: st0, insn: start }];
  while (pending.length) {
    const path = pending.pop()!;
    for (;;) {
      const i = path.insn;
      if (++env.processed > env.complexityLimit) fail(i, `BPF program is too large. Processed ${env.processed} insn`);
      if (marks[i]) {
        const matters = relevanceAt(rel, path.st, i);
        let here = active.get(i);
        if (!here) active.set(i, (here = []));
        // The same state (for everything that still matters) as one still being explored: an endless loop.
        if (here.some((cp) => sameState(cp.st, path.st, matters))) fail(i, `infinite loop detected at insn ${i}`);
        if (coveredByExplored(done.get(i), path.st, matters)) {
          finish(path.cp);
          break;
        }
        const cp: Checkpoint = { st: cloneState(path.st), insn: i, branches: 1, parent: path.cp };
        here.push(cp);
        path.cp = cp;
      }
      const next = step(env, path.st, i);
      if (next.length === 0) {
        finish(path.cp);
        break;
      }
      for (const s of next.slice(1)) {
        pending.push({ st: s.st, insn: s.insn, cp: path.cp });
        if (path.cp) path.cp.branches++;
      }
      if (pending.length > MAX_PENDING) fail(i, `The sequence of ${pending.length} jumps is too complex.`);
      [path.st, path.insn] = [next[0]!.st, next[0]!.insn];
    }
  }
}

/** The state at the first instruction of function `fi`, with r1..r`args` set from `args`. */
function entryState(fi: number, args: Reg[]): VState {
  const f = newFrame(fi, -1);
  args.forEach((r, k) => (f.regs[k + 1] = r));
  f.regs[10] = fp(0);
  return { frames: [f], rcu: 0, preempt: 0, irq: 0 };
}

/**
 * Walks the main function with `mainArgs` in r1.., then each global function some path calls (and the exception
 * callback), until no new one turns up.
 */
export function checkProgram(env: CheckEnv, mainArgs: Reg[]): void {
  const marks = prunePoints(env);
  const rel = relevance(env.insns, env.funcs);
  walk(env, entryState(0, mainArgs), 0, marks, rel);
  const walked = new Set<number>([0]);
  const cb = env.funcs.findIndex((f) => f.isExceptionCb);
  if (cb > 0) env.calledGlobals.add(cb);
  for (let more = true; more; ) {
    more = false;
    for (const fi of [...env.calledGlobals].sort((a, b) => a - b)) {
      if (walked.has(fi)) continue;
      walked.add(fi);
      more = true;
      const f = env.funcs[fi]!;
      if (f.ret === "ptr") fail(f.start, `Global function ${f.name ?? `#${fi}`}() doesn't return scalar. Only those are supported.`);
      walk(env, entryState(fi, new Array<Reg>(f.params).fill(UNKNOWN)), f.start, marks, rel);
    }
  }
}
