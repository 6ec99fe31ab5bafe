/**
 * @fileoverview The configuration matrix every spec runs under, in the fixed order golden sections follow.
 * A configuration is an ISA string (compiler/riscv/isa-config.ts parses it into the JIT's IsaConfig):
 *   rv64ima          no extensions the JIT cares about (the kernel's "none")
 *   rv64imac         + compressed instructions
 *   rv64imac_zba_zbb + address generation and basic bit manipulation
 * A spec may narrow the list with `; configs:`; it can never reorder it.
 */

export const CONFIGS = ["rv64ima", "rv64imac", "rv64imac_zba_zbb"] as const;

export type ConfigName = (typeof CONFIGS)[number];

export function isConfigName(s: string): s is ConfigName {
  return (CONFIGS as readonly string[]).includes(s);
}

/** `names` sorted into matrix order (sections are always written in this order). */
export function inMatrixOrder(names: Iterable<ConfigName>): ConfigName[] {
  const set = new Set(names);
  return CONFIGS.filter((c) => set.has(c));
}
