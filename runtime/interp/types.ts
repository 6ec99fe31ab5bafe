/**
 * @fileoverview What the reference interpreter takes and returns. The shape follows the emulator's RunInput and
 * RunResult (docs/architecture.md) minus the machine-level fields, so a runner can compare the two engines field by
 * field: r0 in full 64 bits, the thrown cookie, ctx and maps after the run.
 */
import type { Verified } from "../../compiler/passes/verify-types.js";
import type { HelperDef } from "../kernel/helpers.js";
import type { MapDump, MapSpec } from "../kernel/maps.js";

export interface InterpInput {
  /** The context r1 points to (mapped at layout.CTX_ADDR, writable). Without it r1 = 0. */
  ctx?: Uint8Array;
  /** r1..r5 at entry, for programs that take more than ctx; args[0] replaces the ctx pointer in r1. */
  args?: bigint[];
  maps?: MapSpec[];
  /**
   * Where each map lives: the addresses the verifier wrote into the program's map loads (its `mapAddress` option).
   * Default: runtime/kernel/layout.ts mapAddress, where the emulator's kernel model puts them and the verifier's
   * default, so one Verified program runs on both engines.
   */
  mapAddrs?: bigint[];
  /** The run's program list, which must hold the entry program: prog array values index it. Default: [entry]. */
  programs?: Verified[];
  /** Most instructions to execute before giving up (default 10,000,000). */
  budget?: number;
  /** Seed of bpf_get_prandom_u32. */
  seed?: number;
  /** What bpf_get_smp_processor_id returns (default 0), as the kernel model's RunInput.cpu. */
  cpu?: number;
}

export interface InterpOptions {
  /** Helper definitions by number; default runtime/kernel HELPERS. */
  helpers?: ReadonlyMap<number, HelperDef>;
  /** Record one line per executed instruction in `insnTrace` (slow; for debugging a difference). */
  insnTrace?: boolean;
}

/** One frame of a bpf_throw unwind, innermost first. */
export interface InterpFrame {
  /** Index in the run's program list. */
  prog: number;
  /** Subprogram index in that program, and its name when it has one. */
  func: number;
  name?: string;
  /** "main": the first frame of a main program (the boundary); "subprog": a bpf-to-bpf call's frame. */
  kind: "main" | "subprog";
  /** Slot of the call (or of the bpf_throw call in the innermost frame). */
  insn: number;
}

export interface InterpResult {
  /** "return": the entry program exited; "fault": a bad access or an unmodelled call; "budget": too many steps. */
  kind: "return" | "fault" | "budget";
  /** R0 at the entry program's exit (full 64 bits); 0 when the run did not return. */
  r0: bigint;
  /** The last bpf_throw of the run: its cookie and the frames it unwound (innermost first, boundary last). */
  thrown?: { cookie: bigint; frames: InterpFrame[] };
  /** Instructions executed (an LD_IMM64 counts once). */
  steps: number;
  /** Most bytes of BPF stack in use at once: the sum over live frames of the deepest byte each touched. */
  stackUsed: number;
  ctxAfter?: Uint8Array;
  mapsAfter?: MapDump[];
  /** bpf_trace_printk output. */
  trace: string[];
  /** Helper and kfunc calls in order, with their arguments (as many as each reads) and results, as the emulator's. */
  calls: { name: string; args: bigint[]; ret?: bigint }[];
  /** What went wrong, for "fault" and "budget", naming the instruction. */
  report?: string;
  /** With `insnTrace`: one line per executed instruction. */
  insnTrace?: string[];
}

/** Thrown by a helper to end the whole run with `r0` (the conformance suite's "unwind" helper). */
export class HelperExit {
  constructor(readonly r0: bigint) {}
}
