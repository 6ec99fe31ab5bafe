/**
 * @fileoverview The compile's working memory (compiler/jit/scratch.ts): pieces handed out do not overlap, the region
 * is reused by the next compile, the JIT reads nothing it did not write there (a region left full of junk gives the
 * bytes, line map and instruction list of a compile with fresh arrays), and no output keeps any of it (an output read
 * after later compiles have reused the region is what it was).
 */
import { describe, expect, it } from "vitest";
import { generateProgram } from "../../bench/jit.bench.js";
import { Scratch } from "../../compiler/jit/scratch.js";
import { type JitOutput, jitRaw } from "../../compiler/pipeline.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { unitMix } from "./helpers.js";

const isa = parseIsa("rv64imac_zba_zbb");

/** Everything a compile's user can read of it. */
function seen(out: JitOutput): unknown {
  return out.funcs.map((f) => ({ code: Array.from(f.code), lineMap: f.lineMap, insns: f.insns, extable: f.extable, passes: f.passes }));
}

/** Fills the idle region (the one the next compile takes) with junk, as large as `bytes`. */
function poison(bytes: number, junk: number): void {
  const s = Scratch.acquire();
  s.uint8(bytes); // asked for: the region grows to this at release
  s.release();
  const t = Scratch.acquire();
  t.uint8(bytes).fill(junk);
  t.release();
}

describe("the compile's scratch region", () => {
  it("hands out pieces that do not overlap, and the same region to the next compile", () => {
    const s = Scratch.acquire();
    s.int32(1000);
    s.release(); // the next region is sized for what was asked
    const t = Scratch.acquire();
    expect(t).toBe(s);
    const a = t.int32(100).fill(1);
    const c = t.float64(50).fill(2);
    const d = t.uint8(7).fill(3);
    const e = t.uint16(9).fill(4);
    expect(a.buffer).toBe(c.buffer); // from the region, not fresh
    expect([a.every((x) => x === 1), c.every((x) => x === 2), d.every((x) => x === 3), e.every((x) => x === 4)]).toEqual([true, true, true, true]);
    const other = Scratch.acquire(); // while t is held: a region of its own
    expect(other).not.toBe(t);
    t.release();
    other.release();
  });

  for (const [name, prog] of [["the bench generator, 5,000 insns", generateProgram(5_000, 7)], ["calls, LD_IMM64, zero-extensions, exits", unitMix(30)]] as const) {
    it(`reads nothing it did not write: a region full of junk compiles like a fresh one (${name})`, () => {
      const held = Scratch.acquire(); // while the idle region is held, a compile works in fresh arrays only
      const fresh = seen(jitRaw(prog, 64, { isa }));
      held.release();
      for (const junk of [0xff, 0x5a]) {
        poison(8 << 20, junk);
        expect(seen(jitRaw(prog, 64, { isa }))).toEqual(fresh);
      }
    });
  }

  it("keeps nothing of it in the output: an output read after other compiles is what it was", () => {
    const prog = generateProgram(3_000, 5);
    const kept = jitRaw(prog, 64, { isa }); // nothing read yet: the line map and instruction list are built on first read
    const copy = seen(jitRaw(prog, 64, { isa }));
    poison(8 << 20, 0xa5);
    jitRaw(generateProgram(4_000, 6), 64, { isa });
    jitRaw(unitMix(30), 64, { isa });
    expect(seen(kept)).toEqual(copy);
  });
});
