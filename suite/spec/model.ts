/**
 * @fileoverview A parsed spec: what a spec file says, with the position of every part, independent of how the JIT,
 * the emulator or the golden files work. docs/spec-format.md describes the text this is parsed from.
 * All 64-bit values are `bigint` reduced to u64 (a negative literal is stored as its two's complement).
 */
import type { ConfigName } from "../config.js";
import type { SourcePos } from "./errors.js";

export interface Spec {
  /** Path relative to the project root, with `/` (what messages and goldens print). */
  path: string;
  text: string;
  /** The first line, without its `;`. */
  description: string;
  /** Configurations to run, in matrix order (all of them unless `; configs:` narrows the list). */
  configs: ConfigName[];
  /** Programs in file order; `programs[0]` is the one the run cases call. */
  programs: SpecProgram[];
  maps: MapDecl[];
  runs: RunCase[];
  /** `; reject:`: the verifier must refuse the program with a message containing `substring`. */
  reject?: { substring: string; pos: SourcePos };
  /** `; dump-after:` passes whose output becomes extra golden sections. */
  dumpAfter: { pass: string; pos: SourcePos }[];
  /** `; xfail:` known failures, per configuration. */
  xfail: Map<ConfigName, { reason: string; pos: SourcePos }>;
  /** `; budget:` instruction budget for each run (default in the engine). */
  budget?: number;
  /** `; golden: summary`: the golden keeps each section's summary and run results, not the listing (huge programs). */
  golden: "full" | "summary";
  /**
   * How the program is entered, from the run cases: "ctx" (the kernel's contract: r1 = the ctx pointer, r2-r5
   * unreadable) unless some run case gives r1-r5; then "args" (r1-r5 scalar arguments, unset ones 0, no ctx).
   */
  entry: "ctx" | "args";
}

export interface SpecProgram {
  /** "main" for the first program unless it is named; else the name given in `; program: <name>`. */
  name: string;
  pos: SourcePos;
  /** The whole file with every line that is not this program's blanked, so assembler positions are file positions. */
  source: string;
  /** 1-based line numbers of this program's own lines (first, last). */
  lines: [number, number];
}

export type MapType = "array" | "hash" | "prog_array";

export interface MapDecl {
  name: string;
  type: MapType;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** Initial contents (for every run). */
  init: MapWrite[];
  pos: SourcePos;
}

/** One element written into a map before a run: bytes, or (prog_array) a program name, or `null`: removed (empty). */
export interface MapWrite {
  map: string;
  key: Uint8Array;
  value: Uint8Array | { program: string } | null;
  pos: SourcePos;
}

export interface RunCase {
  /** 1-based, in file order. */
  index: number;
  name?: string;
  pos: SourcePos;
  /** r1..r5 (index 0 = r1); undefined = not set (0 when the spec's entry is "args"; see Spec.entry). */
  args: (bigint | undefined)[];
  ctx?: Uint8Array;
  packet?: Uint8Array;
  maps: MapWrite[];
  expect: Expectation[];
}

export type MemRegion = "ctx" | "packet";

export type Expectation =
  /** eBPF R0 when the program (or, after a throw, the exception callback) exits, 64 bits. */
  | { kind: "r0"; value: bigint; pos: SourcePos }
  /** What the caller of the program receives in a0 (R0 sign-extended from 32 bits by the epilogue). */
  | { kind: "ret"; value: bigint; pos: SourcePos }
  /** The program threw (bpf_throw) with this cookie. */
  | { kind: "throw"; cookie: bigint; pos: SourcePos }
  /** Bytes of ctx or packet memory after the run, starting at `offset`. */
  | { kind: "mem"; region: MemRegion; offset: number; bytes: Uint8Array; pos: SourcePos }
  /** A map element after the run; `value: null` means the key must be absent. */
  | { kind: "map"; map: string; key: Uint8Array; value: Uint8Array | null; pos: SourcePos };
