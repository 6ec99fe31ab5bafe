/**
 * @fileoverview Calls out of the program: into helpers, kfuncs, and the return sentinels. Each lives at a fixed
 * address in a trap region (layout.ts); executing there hands control to this file.
 *
 * Contract of a helper or kfunc call (the RISC-V C calling convention, as the kernel's C functions follow it):
 * - The call must land exactly on the entry: helper k at helperAddress(k), kfunc id at kfuncAddress(id).
 * - Arguments in a0..a4; the result in a0; control returns to ra.
 * - Afterwards every caller-saved register that does not carry the result (ra, t0-t6, a1-a7) holds a poison
 *   value that changes with every call, and the 256 bytes below sp are overwritten (the callee's frame would
 *   have been there). JIT code that keeps something in them across a call fails visibly.
 * - bpf_tail_call (helper 12) is never called: the JIT inlines it. Reaching its address is a fault.
 * - bpf_throw (a kfunc) never returns: see throw.ts.
 */
import { KFUNC_BPF_THROW, kfuncName } from "../../compiler/bpf/helper-names.js";
import { CALL_BASE, HELPER_STRIDE, KFUNC_BASE } from "../../compiler/kernel-abi.js";
import { X } from "../../compiler/riscv/regs.js";
import { GuestFault } from "./guest-memory.js";
import { BPF_FUNC_TAIL_CALL, HELPERS } from "./helpers.js";
import { callPoison, type Kernel, type Stop } from "./kernel.js";
import { CALLBACK_RETURN_SENTINEL, HELPER_REGION, KFUNC_REGION, RETURN_SENTINEL, STACK_ADDR } from "./layout.js";
import { HelperArgError } from "./maps.js";
import { bpfThrow } from "./throw.js";

/** Caller-saved registers a call clobbers (a0 carries the result). */
const CLOBBERED = [X.ra, X.t0, X.t1, X.t2, X.a1, X.a2, X.a3, X.a4, X.a5, X.a6, X.a7, X.t3, X.t4, X.t5, X.t6];
/** How much stack below sp a callee is assumed to have used. */
const CALLEE_FRAME = 256;

/** Clobbers what a C callee may clobber: caller-saved registers (but a0) and the stack below sp. */
export function clobberAfterCall(k: Kernel): void {
  const m = k.m;
  const call = k.calls.length - 1;
  for (const r of CLOBBERED) m.setReg(r, callPoison(call, r));
  const sp = m.reg(X.sp);
  const lo = sp - BigInt(CALLEE_FRAME) < STACK_ADDR ? STACK_ADDR : sp - BigInt(CALLEE_FRAME);
  if (sp > lo && sp <= k.stack.end) k.scrubStack(lo, sp);
}

const hexOff = (v: bigint) => `0x${v.toString(16)}`;

/** Handles a stop at a trap address; undefined means the program continues. */
export function handleTrap(k: Kernel): Stop | undefined {
  const pc = k.m.pc;
  if (pc === RETURN_SENTINEL) return { kind: "return" };
  if (pc === CALLBACK_RETURN_SENTINEL) {
    return {
      kind: "fault", what: "exception callback returned",
      why: "the exception callback returned to bpf_throw (the kernel WARNs: \"A call to BPF exception callback should never return\"); it must return through the boundary's frame",
    };
  }
  if (pc >= HELPER_REGION.base && pc < HELPER_REGION.base + BigInt(HELPER_REGION.size)) return callHelper(k, pc - CALL_BASE);
  if (pc >= KFUNC_REGION.base && pc < KFUNC_REGION.base + BigInt(KFUNC_REGION.size)) return callKfunc(k, pc - KFUNC_BASE);
  return { kind: "fault", what: "jump to a trap address", why: `jump to ${k.hex(pc)}, which is no helper, kfunc or return address` };
}

function args(k: Kernel): bigint[] {
  return [X.a0, X.a1, X.a2, X.a3, X.a4].map((r) => k.m.reg(r));
}

/** Returns to ra with `ret` in a0, clobbering as a C function may. */
function returnFromCall(k: Kernel, ret: bigint): void {
  const ra = k.m.reg(X.ra);
  clobberAfterCall(k);
  k.m.setReg(X.a0, ret);
  k.m.pc = ra;
}

function callHelper(k: Kernel, off: bigint): Stop | undefined {
  const id = Number(off / HELPER_STRIDE);
  if (off % HELPER_STRIDE !== 0n) {
    return { kind: "fault", what: "bad helper call", why: `jump into helper ${id} at +${hexOff(off % HELPER_STRIDE)}, not to its entry` };
  }
  const def = k.helpers.get(id);
  if (id === BPF_FUNC_TAIL_CALL && def === HELPERS.get(BPF_FUNC_TAIL_CALL)) {
    return { kind: "fault", what: "bpf_tail_call called", why: "bpf_tail_call (helper 12) was called as a function: the JIT must emit the inline tail-call sequence" };
  }
  if (!def) {
    const known = [...k.helpers.values()].map((h) => `${h.id} ${h.name}`).join(", ");
    return { kind: "fault", what: "unknown helper", why: `call to helper ${id}, which the kernel model does not implement (it has: ${known})` };
  }
  const a = args(k).slice(0, def.args);
  const rec: { name: string; args: bigint[]; ret?: bigint } = { name: def.name, args: a };
  k.calls.push(rec);
  try {
    rec.ret = def.call(a, k.env);
  } catch (e) {
    if (e instanceof GuestFault || e instanceof HelperArgError) return { kind: "fault", what: `bad arguments to ${def.name}`, why: `${def.name}: ${e.message}` };
    throw e;
  }
  returnFromCall(k, rec.ret);
  return undefined;
}

function callKfunc(k: Kernel, off: bigint): Stop | undefined {
  const id = Number(off / HELPER_STRIDE);
  const name = kfuncName(id);
  if (off % HELPER_STRIDE !== 0n || name === undefined) {
    return { kind: "fault", what: "bad kfunc call", why: `jump to ${k.hex(KFUNC_BASE + off)} in the kfunc area: ${name ? `not the entry of ${name}` : `no kfunc has id ${id}`}` };
  }
  if (id === KFUNC_BPF_THROW) {
    k.calls.push({ name, args: args(k).slice(0, 1) });
    return bpfThrow(k);
  }
  // The lock/irq pairs exist for the verifier's rules; at run time they do nothing and return nothing.
  k.calls.push({ name, args: [] });
  returnFromCall(k, 0n);
  return undefined;
}
