/**
 * @fileoverview Random programs judged twice: the bench's generator (ALU and ALU32 with immediates of every size,
 * stack loads and stores of every width, LD_IMM64, short forward branches on every condition) run unverified, as
 * lib/test_bpf.c runs its programs, by the JIT on the kernel model and by the reference interpreter. They must agree
 * on everything (runtime/judge.ts), on every configuration.
 */
import { describe, expect, it } from "vitest";
import { generateProgram } from "../../bench/jit.bench.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { rawProgram } from "../../runtime/interp/raw.js";
import { judge } from "../../runtime/judge.js";

const CONFIGS = ["rv64ima", "rv64imac", "rv64imac_zba_zbb"];

describe.each(CONFIGS)("random programs on %s", (config) => {
  it("40 programs of 400 instructions agree between the emulator and the interpreter", () => {
    let executed = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const prog = generateProgram(400, seed, 40, 0);
      const v = judge([rawProgram(prog)], { ctx: new Uint8Array(8) }, { isa: parseIsa(config) });
      expect(v.problems, `seed ${seed}: ${v.divergence?.detail ?? ""}`).toEqual([]);
      expect(v.emu.kind).toBe("return");
      executed += v.ref.steps;
    }
    // Short branches only: most of each program runs.
    expect(executed).toBeGreaterThan(40 * 250);
  });
});
