/**
 * @fileoverview The one interface between the golden machinery and everything that compiles and runs programs.
 * For a parsed spec and one configuration, an Engine returns the text of each golden section (listing, pass dumps)
 * and what each run case did. It knows nothing about goldens, expectations or files; the suite knows nothing
 * about the JIT or the emulator. suite/engines/real.ts plugs in the assembler, verifier, JIT, listing, emulator
 * and reference interpreter; tests use small fakes.
 *
 * Failures an engine reports by throwing:
 *   SpecError     the spec's program is wrong (assembler error, unknown function or pass): file:line:col
 *   NotSupported  a feature the JIT/emulator does not handle yet: reported as "not supported: <what>"
 *   anything else an internal error: reported for that spec and configuration, never crashing the run
 */
import type { ConfigName } from "./config.js";
import type { SourcePos } from "./spec/errors.js";
import type { Spec } from "./spec/model.js";

export interface EngineRequest {
  spec: Spec;
  config: ConfigName;
  /** Passes whose output to return (from `; dump-after:` or `--dump-after`), each a name in `Engine.passes`. */
  dumpAfter: readonly string[];
  /** False when the listing will not be shown (`; golden: summary`): the engine may return "" and save the work. */
  listing: boolean;
}

/** The verifier refused the program (expected by `; reject:`, or a behaviour failure). */
export interface Rejected {
  kind: "rejected";
  message: string;
  /** The instruction it refused, in the spec. */
  at?: SourcePos;
}

export interface Compiled {
  kind: "compiled";
  /** Totals over every program and function of the spec. */
  summary: { rvInsns: number; bytes: number; bpfInsns: number };
  /** Frame layout and annotated code of each function (compiler/listing.ts), LF-separated, no trailing newline. */
  listing: string;
  /** Output of each requested pass, in the order requested. */
  passes: { pass: string; text: string }[];
  /** One per run case of the spec, in order. */
  runs: Observed[];
}

export type EngineResult = Compiled | Rejected;

/** What one run case did on the emulator (with the reference interpreter's verdict). */
export interface Observed {
  outcome: "return" | "throw" | "fault" | "abi-violation" | "budget";
  /** eBPF R0 at exit; after a throw, the exception callback's R0. */
  r0: bigint;
  /** a0 as the caller of the program sees it. */
  ret: bigint;
  /** For a throw: the cookie, and the frames the unwinder walked (innermost first), as the engine names them. */
  cookie?: bigint;
  frames?: string[];
  /** RV64 instructions executed; bytes of machine stack used (deepest sp below the entry sp). */
  steps: number;
  stackUsed: number;
  ctxAfter?: Uint8Array;
  packetAfter?: Uint8Array;
  /** Contents of each map after the run, by map name. */
  maps?: ReadonlyMap<string, readonly { key: Uint8Array; value: Uint8Array }[]>;
  /** For fault / abi-violation / budget: what happened, for the user. */
  report?: string;
  /** Set when the reference interpreter disagrees with the emulator: what differs. */
  mismatch?: string;
}

export interface Engine {
  /** Pass names `; dump-after:` and `--dump-after` accept, in pipeline order. */
  readonly passes: readonly string[];
  evaluate(req: EngineRequest): EngineResult;
  /**
   * True for a listing line that starts a natural unit (a function header, or the annotation naming the eBPF
   * instruction the following code came from): diffs print the nearest one above a change as context.
   */
  isContextLine(line: string): boolean;
}

/** A feature the JIT or the emulator cannot handle yet. `what` completes "not supported: ...". */
export class NotSupported extends Error {
  constructor(readonly what: string, readonly at?: SourcePos) {
    super(`not supported: ${what}`);
    this.name = "NotSupported";
  }
}
