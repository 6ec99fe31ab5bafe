/**
 * @fileoverview Every executable mnemonic's semantics, by extension, and the dense op numbers the pre-decoded form
 * uses (1..N in table order; 0 means "not decoded yet").
 */
import { A } from "./a.js";
import { BASE } from "./base.js";
import { ZBA, ZBB, ZBS } from "./b.js";
import { M } from "./m.js";
import type { Sem } from "./types.js";

export type { Sem, Size } from "./types.js";

export const SEMANTICS: Readonly<Record<string, Sem>> = { ...BASE, ...M, ...A, ...ZBA, ...ZBB, ...ZBS };

/** Mnemonic of op number i (index 0 unused). */
export const OP_NAMES: readonly string[] = ["(undecoded)", ...Object.keys(SEMANTICS)];

/** Op number of each executable mnemonic. */
export const OP_ID: ReadonlyMap<string, number> = new Map(OP_NAMES.map((m, i) => [m, i] as [string, number]).slice(1));
