/**
 * @fileoverview The `lower` stage dump groups each unit's RV64 ops under its eBPF instruction by walking the unit's
 * fixed code (each instruction's length read from its first halfword) and var items in emission order. The final
 * listing attributes the image's instructions to eBPF slots by another route (the unit lengths encode keeps, from the
 * layout), so for a program without var items (no branches, calls or exits before the end) both must print the same
 * groups, line for line.
 */
import { describe, expect, it } from "vitest";
import { generateProgram } from "../../bench/jit.bench.js";
import { listFunction } from "../../compiler/listing.js";
import { jitRaw } from "../../compiler/pipeline.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";

/** The lines from the first eBPF instruction's comment up to (not including) `stop`, or to the end. */
function body(text: string, stop?: string): string[] {
  const lines = text.split("\n");
  const from = lines.findIndex((l) => l.startsWith("\t; "));
  const to = stop === undefined ? lines.length : lines.indexOf(stop, from);
  return lines.slice(from, to).filter((l) => l !== "");
}

describe("lower dump: ops grouped by unit", () => {
  for (const isa of ["rv64ima", "rv64imac_zba_zbb"]) {
    it(`agrees with the final listing's attribution (${isa}, 2,000 branch-free instructions)`, () => {
      const prog = generateProgram(2000, 3, 0);
      expect(prog.some((x) => (x.code & 0x07) === 0x05 && x.code !== 0x95)).toBe(false); // no branches: no var items
      const out = jitRaw(prog, 512, { isa: parseIsa(isa), dumpStages: true });
      const dumped = body(out.stages.get("lower")!);
      const listed = body(listFunction(out.funcs[0]!), "<epilogue>:");
      expect(dumped.length).toBeGreaterThan(prog.length); // every instruction's comment, and its ops
      expect(dumped).toEqual(listed);
    });
  }
});
