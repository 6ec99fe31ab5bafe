/**
 * @fileoverview The eBPF instruction as it is stored: one 64-bit slot, little-endian.
 *
 *   byte:  0        1               2..3          4..7
 *          +--------+-------+-------+-------------+---------------------+
 *          | opcode | dst:4 | src:4 | offset (s16) | imm (s32)           |
 *          +--------+-------+-------+-------------+---------------------+
 *                    (low nibble = dst_reg, high nibble = src_reg)
 *
 * LD_IMM64 (opcode 0x18) takes two slots; the second has opcode 0 and carries the upper 32 bits in its imm.
 * An `Insn` holds exactly one slot; `off` and `imm` are kept signed, as C's s16/s32.
 */
import { BPF_CALL, BPF_DW, BPF_FUNC_tail_call, BPF_IMM, BPF_JMP, BPF_LD } from "./opcodes.js";

export interface Insn {
  readonly code: number; // u8
  readonly dst: number; // u4
  readonly src: number; // u4
  readonly off: number; // s16
  readonly imm: number; // s32
}

/** Opcode of LD_IMM64 (BPF_LD | BPF_IMM | BPF_DW). */
export const LD_IMM64 = BPF_LD | BPF_IMM | BPF_DW;

export function insn(code: number, dst: number, src: number, off: number, imm: number): Insn {
  return { code: code & 0xff, dst: dst & 0xf, src: src & 0xf, off: (off << 16) >> 16, imm: imm | 0 };
}

/** True if slot i starts a two-slot LD_IMM64. */
export function isLdImm64(i: Insn): boolean {
  return i.code === LD_IMM64;
}

/** True if the slot calls the bpf_tail_call helper (which the verifier rewrites into the internal tail-call op). */
export function isTailCallHelper(i: Insn): boolean {
  return i.code === (BPF_JMP | BPF_CALL) && i.src === 0 && i.imm === BPF_FUNC_tail_call;
}

/** Reads 8-byte slots (little-endian) from bytes whose length is a multiple of 8. */
export function decodeInsns(bytes: Uint8Array): Insn[] {
  if (bytes.length % 8 !== 0) throw new Error(`eBPF program length ${bytes.length} is not a multiple of 8`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  for (let p = 0; p < bytes.length; p += 8) {
    const regs = dv.getUint8(p + 1);
    out.push({ code: dv.getUint8(p), dst: regs & 0xf, src: regs >> 4, off: dv.getInt16(p + 2, true), imm: dv.getInt32(p + 4, true) });
  }
  return out;
}

/** Writes slots as 8-byte little-endian words. */
export function encodeInsns(insns: readonly Insn[]): Uint8Array {
  const bytes = new Uint8Array(insns.length * 8);
  const dv = new DataView(bytes.buffer);
  insns.forEach((i, k) => {
    const p = k * 8;
    dv.setUint8(p, i.code);
    dv.setUint8(p + 1, (i.src << 4) | i.dst);
    dv.setInt16(p + 2, i.off, true);
    dv.setInt32(p + 4, i.imm, true);
  });
  return bytes;
}

/** Parses hex text (whitespace ignored) into slots. */
export function insnsFromHex(hex: string): Insn[] {
  const clean = hex.replace(/\s+/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error("eBPF hex must be an even number of hex digits");
  return decodeInsns(Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16)));
}

export function insnsToHex(insns: readonly Insn[]): string {
  return Buffer.from(encodeInsns(insns)).toString("hex");
}

/** The 64-bit immediate of the LD_IMM64 starting at slot i (upper half from slot i+1). */
export function ldImm64Value(insns: readonly Insn[], i: number): bigint {
  const lo = BigInt(insns[i]!.imm >>> 0);
  const hi = BigInt(insns[i + 1]!.imm >>> 0);
  return (hi << 32n) | lo;
}
