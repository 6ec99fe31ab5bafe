/**
 * @fileoverview Every executable mnemonic's semantics, by extension, and the dense op numbers the pre-decoded form
 * uses (1..N in table order; 0 means "not decoded yet").
 */
import { A } from "./a.js";
import { BASE } from "./base.js";
import { ZBA, ZBB, ZBS } from "./b.js";
import { M } from "./m.js";
import type { Sem } from "./types.js";
import { ISA, type InsnSpec } from "../../../compiler/riscv/isa.js";

export type { Sem, Size } from "./types.js";

export const SEMANTICS: Readonly<Record<string, Sem>> = { ...BASE, ...M, ...A, ...ZBA, ...ZBB, ...ZBS };

/** Mnemonic of op number i (index 0 unused). */
export const OP_NAMES: readonly string[] = ["(undecoded)", ...Object.keys(SEMANTICS)];

/**
 * Op number of every mnemonic of the instruction table: a compressed form runs the op of the instruction it
 * expands to (isa.ts `expands`), so pre-decoding needs no expand() per instruction.
 */
export const OP_ID: ReadonlyMap<string, number> = (() => {
  const ids = new Map(OP_NAMES.map((m, i) => [m, i] as [string, number]).slice(1));
  for (const [m, spec] of Object.entries(ISA) as [string, InsnSpec][]) {
    if (spec.expands !== undefined && ids.has(spec.expands)) ids.set(m, ids.get(spec.expands)!);
  }
  return ids;
})();
