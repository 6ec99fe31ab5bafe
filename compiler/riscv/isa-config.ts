/**
 * @fileoverview ISA strings ("rv64imac_zba_zbb_zacas") <-> IsaConfig: which of the table's extensions a target has.
 * RV64I is always present. Version suffixes as they appear in ELF attributes ("m2p0", "zba1p0") are accepted and
 * ignored; anything the table does not cover (f, d, v, zicsr, ...) is an error naming it.
 */
import type { Ext } from "./isa.js";

export interface IsaConfig {
  m: boolean;
  a: boolean;
  c: boolean;
  zba: boolean;
  zbb: boolean;
  zbs: boolean;
  zacas: boolean;
}

export class IsaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IsaError";
  }
}

const SINGLE = ["m", "a", "c"] as const;
/** Multi-letter extensions in canonical order (by category letter after z, then alphabetically). */
const MULTI = ["zacas", "zba", "zbb", "zbs"] as const;

/** Everything the table knows: rv64imac_zacas_zba_zbb_zbs. */
export const FULL_ISA: Readonly<IsaConfig> = Object.freeze({ m: true, a: true, c: true, zba: true, zbb: true, zbs: true, zacas: true });

/** True when `cfg` includes extension `e` (the base "i" always). */
export function hasExt(cfg: IsaConfig, e: Ext): boolean {
  return e === "i" || cfg[e];
}

const unknown = (name: string, e: string): IsaError =>
  new IsaError(`ISA '${name}': extension '${e}' is not supported (known: m, a, c, ${MULTI.join(", ")})`);

/** Parses "rv64imac_zba_zbb_zacas" (case-insensitive; "rv64g" is refused: this table has no F/D). Throws IsaError. */
export function parseIsa(name: string): IsaConfig {
  const s = name.trim().toLowerCase();
  const cfg: IsaConfig = { m: false, a: false, c: false, zba: false, zbb: false, zbs: false, zacas: false };
  const head = /^rv64(i|e|g)(\d+(?:p\d+)?)?/.exec(s);
  if (!head) throw new IsaError(`ISA '${name}' must start with rv64i (this toolkit targets RV64)`);
  if (head[1] !== "i") throw new IsaError(`ISA '${name}': base '${head[1]}' is not supported (use rv64i...; the table has no F/D or RV64E)`);
  // Single letters follow the base ("imac"), or stand alone between underscores as ELF attributes write them
  // ("rv64i2p1_m2p0_a2p1"); multi-letter names start with z.
  const parts = s.slice(head[0].length).split("_");
  for (const [i, part] of parts.entries()) {
    if (part === "" && i > 0) throw new IsaError(`ISA '${name}': empty extension name between underscores`);
    if (part.startsWith("z")) {
      const e = part.replace(/\d+(p\d+)?$/, "");
      if (!(MULTI as readonly string[]).includes(e)) throw unknown(name, e);
      cfg[e as (typeof MULTI)[number]] = true;
      continue;
    }
    for (const m of part.matchAll(/([a-z])(\d+(?:p\d+)?)?/g)) {
      const e = m[1]!;
      if (!(SINGLE as readonly string[]).includes(e)) throw unknown(name, e);
      cfg[e as (typeof SINGLE)[number]] = true;
    }
  }
  if (cfg.zacas && !cfg.a) throw new IsaError(`ISA '${name}': zacas needs the a extension`);
  return cfg;
}

/** The canonical name of `cfg`: "rv64i" + m a c + _zacas _zba _zbb _zbs, in that order. */
export function isaName(cfg: IsaConfig): string {
  return "rv64i" + SINGLE.filter((e) => cfg[e]).join("") + MULTI.filter((e) => cfg[e]).map((e) => "_" + e).join("");
}
