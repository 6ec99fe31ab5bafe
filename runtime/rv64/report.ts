/**
 * @fileoverview Human-readable fault reports: what went wrong, where (address, symbol, instruction text as objdump
 * prints it, and the eBPF instruction it was generated from when the host knows), and why.
 *
 *     illegal-instruction at 0xffffffff01000010 <prog+0x10>
 *       insn   0000      .2byte 0x0000
 *       eBPF   #3        r0 = *(u64 *)(r1 + 0)
 *       why    illegal instruction 0x0000 at 0xffffffff01000010 (not an instruction of rv64imac_zba_zbb)
 */
import { decode, lengthOf } from "../../compiler/riscv/decode.js";
import { disasm } from "../../compiler/riscv/disasm.js";
import type { IsaConfig } from "../../compiler/riscv/isa-config.js";
import type { Fault } from "./machine.js";
import type { Memory } from "./memory.js";

/** What a host can tell about an address: its symbol and the eBPF instruction it came from. */
export interface Symbolizer {
  /** "prog+0x10", or undefined. */
  symbol?(pc: bigint): string | undefined;
  /** The eBPF slot (and, when the host can print it, its text) that the instruction at pc was generated from. */
  origin?(pc: bigint): { slot: number; text?: string } | undefined;
}

/** The instruction at `pc` as "hex-bytes  text", or undefined when it cannot be read. */
export function insnText(mem: Memory, pc: bigint, isa?: IsaConfig): string | undefined {
  const r = mem.regionAt(pc);
  if (!r || !r.hasBytes()) return undefined; // trap and guard regions hold no instructions to show
  const off = Number(pc - r.base);
  if (off + 2 > r.size) return undefined;
  const half = r.view.getUint16(off, true);
  const size = lengthOf(half);
  if (off + size > r.size) return `${half.toString(16).padStart(4, "0")}      (truncated: runs past the end of '${r.name}')`;
  const word = size === 4 ? r.view.getUint32(off, true) : half;
  const hex = word.toString(16).padStart(size * 2, "0");
  const d = decode(word, isa);
  const text = d ? disasm(d, pc) : `.${size}byte\t0x${hex}`;
  return `${hex.padEnd(8)}  ${text.replace("\t", " ".repeat(Math.max(1, 8 - text.indexOf("\t"))))}`;
}

function hex64(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, "0")}`;
}

/** Formats `f` (from a Machine that stopped with EXIT_FAULT). */
export function formatFault(f: Fault, m: { mem: Memory; isa?: IsaConfig }, sym: Symbolizer = {}): string {
  const where = sym.symbol?.(f.pc);
  const lines = [`${f.kind} at ${hex64(f.pc)}${where ? ` <${where}>` : ""}`];
  if (f.kind !== "fetch-fault") {
    const text = insnText(m.mem, f.pc, m.isa);
    if (text) lines.push(`  insn   ${text}`);
  }
  const o = sym.origin?.(f.pc);
  if (o) lines.push(`  eBPF   #${o.slot}${o.text ? `  ${o.text}` : ""}`);
  lines.push(`  why    ${f.message}`);
  return lines.join("\n");
}
