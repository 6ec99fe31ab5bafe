/**
 * @fileoverview Byte-for-byte against Linux 6.12's own RV64 JIT: every record of
 * ../shared/testdata/linux-6.12-jit/conformance.{none,c,c_zba_zbb}.jsonl compiled with jitRaw and the README's fake
 * addresses must give the same code, function addresses and pass counts, and the one program the kernel refuses
 * (callx.data) must be refused with the kernel's message. The test reports the mismatch count (target: zero) and,
 * for each mismatch, the first differing instruction in disassembly.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { insnsFromHex } from "../../compiler/bpf/insn.js";
import { jitRaw } from "../../compiler/pipeline.js";
import { decode } from "../../compiler/riscv/decode.js";
import { disasm } from "../../compiler/riscv/disasm.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { sharedTestdata } from "../support/tools.js";

const CONFIGS = { none: "rv64ima", c: "rv64imac", c_zba_zbb: "rv64imac_zba_zbb" } as const;

interface KernelFunc {
  addr: string;
  start_insn: number;
  ninsns: number;
  stack_depth: number;
  passes: number;
  jited_len: number;
  code: string;
}
interface KernelRecord {
  file: string;
  input: string;
  ok: boolean;
  error?: string;
  funcs?: KernelFunc[];
}

/** The first instruction at which two code buffers differ, both sides disassembled. */
function firstDifference(got: Uint8Array, want: Uint8Array, base: bigint): string {
  const at = (b: Uint8Array, o: number): { word: number; size: number } => {
    const lo = b[o]! | (b[o + 1]! << 8);
    if ((lo & 3) !== 3) return { word: lo, size: 2 };
    return { word: (lo | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0, size: 4 };
  };
  const text = (w: { word: number; size: number }, o: number): string => {
    const d = decode(w.word);
    const hex = w.word.toString(16).padStart(2 * w.size, "0");
    return `${hex}  ${d ? disasm(d, base + BigInt(o)) : "(not an instruction)"}`;
  };
  for (let o = 0; o < Math.min(got.length, want.length); ) {
    const g = at(got, o);
    const w = at(want, o);
    if (g.word !== w.word || g.size !== w.size) return `at +0x${o.toString(16)}: ours ${text(g, o)}  | kernel ${text(w, o)}`;
    o += w.size;
  }
  return `lengths differ: ours ${got.length} bytes, kernel ${want.length}`;
}

/** Compares one record; returns a description of each difference. */
function compare(rec: KernelRecord, isa: string): string[] {
  const insns = insnsFromHex(rec.input);
  let out;
  try {
    out = jitRaw(insns, 512, { isa: parseIsa(isa) });
  } catch (e) {
    const msg = (e as Error).message;
    if (!rec.ok && rec.error && msg.includes(rec.error.replace(/^.*bpf-jit: /, ""))) return [];
    return [`${rec.file}: ${rec.ok ? "refused" : "refused differently"}: ${msg}${rec.ok ? "" : ` (kernel: ${rec.error})`}`];
  }
  if (!rec.ok) return [`${rec.file}: compiled, but the kernel refused it: ${rec.error}`];
  const want = rec.funcs!;
  if (out.funcs.length !== want.length) return [`${rec.file}: ${out.funcs.length} functions, kernel ${want.length}`];
  const problems: string[] = [];
  out.funcs.forEach((f, k) => {
    const w = want[k]!;
    const wantCode = Uint8Array.from(Buffer.from(w.code, "hex"));
    const addr = `0x${f.addr.toString(16)}`;
    if (addr !== w.addr) problems.push(`${rec.file} func ${k}: address ${addr}, kernel ${w.addr}`);
    if (f.passes !== w.passes) problems.push(`${rec.file} func ${k}: ${f.passes} passes, kernel ${w.passes}`);
    if (f.allocSize !== w.jited_len) problems.push(`${rec.file} func ${k}: jited_len ${f.allocSize}, kernel ${w.jited_len}`);
    if (Buffer.compare(Buffer.from(f.code), Buffer.from(wantCode)) !== 0) {
      problems.push(`${rec.file} func ${k}: ${firstDifference(f.code, wantCode, f.addr)}`);
    }
  });
  return problems;
}

const dir = sharedTestdata();

describe.skipIf(!dir)("Linux 6.12 RV64 JIT outputs (../shared/testdata/linux-6.12-jit)", () => {
  for (const [ext, isa] of Object.entries(CONFIGS)) {
    it(`reproduces every record of conformance.${ext}.jsonl (${isa})`, () => {
      const records = readFileSync(join(dir!, "linux-6.12-jit", `conformance.${ext}.jsonl`), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as KernelRecord);
      expect(records.length).toBeGreaterThan(300);
      const mismatches = records.flatMap((r) => compare(r, isa));
      if (mismatches.length > 0) console.log(`${ext}: ${mismatches.length} mismatches\n  ${mismatches.slice(0, 20).join("\n  ")}`);
      expect(mismatches).toEqual([]);
      // The refused program is in the set, so the refusal path is exercised.
      expect(records.filter((r) => !r.ok).map((r) => r.file)).toEqual(["callx.data"]);
    });
  }

  it("notices a difference (the comparison can fail)", () => {
    const rec = readFileSync(join(dir!, "linux-6.12-jit", "conformance.c.jsonl"), "utf8").split("\n")[0]!;
    // RVC output compared with a compilation without C: the first compressed instruction (4 bytes vs 2) differs.
    const problems = compare(JSON.parse(rec) as KernelRecord, "rv64ima");
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toMatch(/ours [0-9a-f]{8} .*\| kernel [0-9a-f]{4} /);
  });
});
