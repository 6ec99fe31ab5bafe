/**
 * @fileoverview The kernel model running code we did not generate: Linux 6.12's own RV64 JIT output for the
 * bpf_conformance programs (../shared/testdata/linux-6.12-jit, three extension sets), with each program's memory
 * as ctx (r1) and its length in r2, as the conformance contract says. R0 must be the suite's expected result.
 *
 * The kernel JIT was given raw programs (no verifier), so some cannot behave as the suite expects; each is listed
 * below with the reason, and the test checks that exactly those differ.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { CTX_ADDR } from "../../runtime/kernel/layout.js";
import { runJit } from "../../runtime/kernel/run.js";
import { sharedTestdata } from "../support/tools.js";

const dir = sharedTestdata();

interface KernelJit { file: string; ok: boolean; funcs: { addr: string; code: string }[] }
interface Conformance { file: string; mem: string; result: string; error: string }

function jsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as T);
}

const SHIFT = "shift by an immediate outside 0..width-1: the verifier rejects it; raw, the kernel JIT encodes a different (or an illegal) shift";
const DIV0 = "division by zero: the verifier rewrites it (reference §4.3); raw, RISC-V div/divu give all ones";
/** Programs whose raw JIT output cannot give the suite's result, and why. */
const EXPECTED_DIFFERENT: Record<string, string> = {
  ...Object.fromEntries(["arsh", "lsh", "rsh"].flatMap((op) => ["32", "64"].flatMap((w) => ["high", "neg"].map((k) => [`${op}${w}-imm-${k}.data`, SHIFT])))),
  ...Object.fromEntries(["div32-by-zero-reg-2", "div32-by-zero-reg", "div64-by-zero-reg", "sdiv32-by-zero-imm", "sdiv32-by-zero-reg",
    "sdiv64-by-zero-imm", "sdiv64-by-zero-reg", "rfc9669_div32", "rfc9669_div64", "rfc9669_sdiv32", "rfc9669_sdiv64"].map((f) => [`${f}.data`, DIV0])),
  "lock_cmpxchg32.data": "R0 after a 32-bit cmpxchg is zero-extended by an instruction the verifier inserts (bpf_jit_needs_zext); raw, lr.w leaves it sign-extended",
};

const ISA: Record<string, string> = { none: "rv64ima", c: "rv64imac", c_zba_zbb: "rv64imac_zba_zbb" };

describe.skipIf(!dir)("Linux 6.12 JIT output on the kernel model", () => {
  const expected = dir ? new Map(jsonl<Conformance>(join(dir, "bpf-conformance", "assembled.jsonl")).map((c) => [c.file, c])) : new Map();
  for (const ext of Object.keys(ISA)) {
    it(`conformance programs compiled by the kernel (${ext}) return the expected R0`, () => {
      const progs = jsonl<KernelJit>(join(dir!, "linux-6.12-jit", `conformance.${ext}.jsonl`)).filter((p) => p.ok);
      expect(progs.length).toBe(312);
      const differing: Record<string, string> = {};
      for (const p of progs) {
        const c = expected.get(p.file)!;
        const mem = Buffer.from(c.mem, "hex");
        const funcs = p.funcs.map((f, i) => ({ name: i === 0 ? "main" : `f${i}`, addr: BigInt(f.addr), code: Buffer.from(f.code, "hex") }));
        const r = runJit([{ funcs }], { ctx: mem, args: [mem.length ? CTX_ADDR : 0n, BigInt(mem.length)], budget: 1_000_000 }, { isa: parseIsa(ISA[ext]!) });
        const want = BigInt.asUintN(64, BigInt(c.result));
        if (r.kind !== "return" || r.r0 !== want) {
          differing[p.file] = r.kind === "return" ? `r0 = 0x${r.r0.toString(16)}, expected 0x${want.toString(16)}` : `${r.kind}: ${r.report}`;
        }
      }
      const unexpected = Object.entries(differing).filter(([f]) => !(f in EXPECTED_DIFFERENT)).map(([f, why]) => `${f}: ${why}`);
      expect(unexpected).toEqual([]);
      expect(Object.keys(differing).sort()).toEqual(Object.keys(EXPECTED_DIFFERENT).sort());
    });
  }
});
