/**
 * @fileoverview Differential test against an emulator we did not write: random RV64IMAC+Zba+Zbb+Zbs programs
 * (test/runtime/diff/gen.ts) built into one static ELF with one gcc call, run in batches under qemu-riscv64 and
 * under our Linux runner, which must print the same bytes: all registers and the data area of every program.
 * Ours runs twice: interpreter only, and translating every block entered twice (loops then run translated).
 *
 * A new seed each run (printed on failure). Replay: RVJIT_DIFF_SEED=<seed> [RVJIT_DIFF_N=<programs>]
 * npx vitest run test/runtime/qemu-diff.test.ts; the failing program's source is written next to the ELF.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { decode } from "../../compiler/riscv/decode.js";
import { ISA } from "../../compiler/riscv/isa.js";
import { ABI_NAMES } from "../../compiler/riscv/regs.js";
import { parseElf } from "../../runtime/linux-user/elf.js";
import { runElf } from "../../runtime/linux-user/process.js";
import { requireTool } from "../support/tools.js";
import { generate, RECORD_BYTES } from "./diff/gen.js";

const gcc = requireTool("gcc");
const qemu = requireTool("qemu");
const seed = Number(process.env.RVJIT_DIFF_SEED ?? Math.floor(Math.random() * 2 ** 31));
const N = Number(process.env.RVJIT_DIFF_N ?? 2000);
const BATCH = 100;
const run = promisify(execFile);

/**
 * Rows the corpus leaves out: ebreak stops a program (SIGTRAP), and qemu-riscv64 7.2 has no Zacas (amocas is
 * tested in semantics.test.ts against the ISA manual's definition instead).
 */
const NOT_GENERATED = new Set(["ebreak", "c.ebreak", "amocas.w", "amocas.d"]);

/** Rows of the instruction table that never occur in the ELF's text (decoded linearly: .text holds only code). */
function missingRows(elf: Uint8Array): string[] {
  const text = parseElf(elf).segments.find((s) => s.x)!.data;
  const dv = new DataView(text.buffer, text.byteOffset, text.byteLength);
  const seen = new Set<string>();
  for (let o = 0; o + 2 <= text.length;) {
    const half = dv.getUint16(o, true);
    const wide = (half & 3) === 3;
    const d = decode(wide ? dv.getUint32(o, true) : half);
    if (d) seen.add(d.m);
    o += wide ? 4 : 2;
  }
  return Object.keys(ISA).filter((m) => !seen.has(m)).sort();
}

/** Explains how record `i` of ours differs from QEMU's. */
function explain(ours: Uint8Array, theirs: Uint8Array): string[] {
  const lines: string[] = [];
  const dvO = new DataView(ours.buffer, ours.byteOffset, ours.byteLength);
  const dvT = new DataView(theirs.buffer, theirs.byteOffset, theirs.byteLength);
  for (let r = 0; r < 32; r++) {
    const at = 256 + 8 * r;
    if (at + 8 > ours.length || at + 8 > theirs.length) break;
    const o = dvO.getBigUint64(at, true), t = dvT.getBigUint64(at, true);
    if (o !== t) lines.push(`${ABI_NAMES[r]}: ours 0x${o.toString(16)}, qemu 0x${t.toString(16)}`);
  }
  for (let b = 0; b < 256; b++) {
    if (ours[b] !== theirs[b]) lines.push(`data[${b}]: ours 0x${(ours[b] ?? 0).toString(16)}, qemu 0x${(theirs[b] ?? 0).toString(16)}`);
  }
  if (ours.length !== theirs.length) lines.push(`record length: ours ${ours.length}, qemu ${theirs.length}`);
  return lines;
}

describe.skipIf(!gcc || !qemu)("qemu-riscv64 differential", () => {
  it(`${N} random programs print the same registers and data (seed ${seed})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "rvjit-diff-"));
    const corpus = generate(seed, N);
    const src = join(dir, "diff.S");
    const elfPath = join(dir, "diff.elf");
    writeFileSync(src, corpus.source);
    execFileSync(gcc!, ["-nostdlib", "-static", "-march=rv64imac_zba_zbb_zbs", "-mabi=lp64", "-Wl,--no-relax", "-o", elfPath, src]);
    const elf = readFileSync(elfPath);
    expect(missingRows(elf), "instruction-table rows the corpus never uses").toEqual([...NOT_GENERATED].sort());

    const batches = Array.from({ length: Math.ceil(N / BATCH) }, (_, i) => ({ first: i * BATCH, count: Math.min(BATCH, N - i * BATCH) }));
    // QEMU runs in child processes, two at a time, while this process runs ours.
    const pending = [...batches];
    const theirs = new Map<number, Buffer>();
    const worker = async () => {
      for (let b = pending.shift(); b; b = pending.shift()) {
        const r = await run(qemu!, [elfPath, String(b.first), String(b.count)], { encoding: "buffer", maxBuffer: 1 << 26 });
        theirs.set(b.first, r.stdout);
      }
    };
    const qemuDone = Promise.all([worker(), worker()]);

    // Ours runs all programs in one process per tier (its output is the batches' outputs concatenated).
    const tiers = [
      { name: "interpreter", blocks: false, blockPolicy: undefined },
      { name: "blocks (every block entered twice)", blocks: true, blockPolicy: { hot: 2, hotStraight: 2, minStraight: 1 } },
    ];
    const ours = tiers.map((t) => {
      const res = runElf(elf, elfPath, { argv: [elfPath, "0", String(N)], blocks: t.blocks, blockPolicy: t.blockPolicy, budget: 1e9 });
      if (res.outcome !== "exit" || res.exitCode !== 0) {
        const done = Math.floor(res.stdout.length / RECORD_BYTES);
        writeFileSync(join(dir, `program-${done}.S`), corpus.bodies[done] ?? "");
        throw new Error(`seed ${seed}, ${t.name}: stopped in program ${done} (source in ${join(dir, `program-${done}.S`)}):\n${res.report}`);
      }
      return res.stdout;
    });
    await qemuDone;

    const failures: string[] = [];
    tiers.forEach((t, ti) => {
      batches.forEach((b) => {
        const o = ours[ti]!.subarray(b.first * RECORD_BYTES), q = theirs.get(b.first)!;
        expect(q.length, `qemu output of batch ${b.first}`).toBe(b.count * RECORD_BYTES);
        for (let i = 0; i < b.count && failures.length < 3; i++) {
          const slice = (x: Uint8Array) => x.subarray(i * RECORD_BYTES, (i + 1) * RECORD_BYTES);
          const diff = explain(slice(o), slice(q));
          if (diff.length === 0) continue;
          const id = b.first + i;
          const file = join(dir, `program-${id}.S`);
          writeFileSync(file, corpus.bodies[id]!);
          failures.push(`seed ${seed}, program ${id} (${t.name}), source in ${file}:\n  ${diff.slice(0, 12).join("\n  ")}`);
        }
      });
    });
    expect(failures, `replay with RVJIT_DIFF_SEED=${seed} RVJIT_DIFF_N=${N}`).toEqual([]);
  });
});
