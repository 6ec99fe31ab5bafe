/**
 * @fileoverview Text of each JIT stage, for `--dump-after=<pass>` (filled in with the listing).
 */
export const STAGES = ["split", "map-registers", "lower", "prologue-epilogue", "fixup-branches", "encode"] as const;
export type StageName = (typeof STAGES)[number];

export function dumpStage(name: StageName, _value: unknown): string {
  return `; ${name}\n`;
}
