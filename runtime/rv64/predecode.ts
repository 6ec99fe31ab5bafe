/**
 * @fileoverview The pre-decoded form: each instruction of an executable region is decoded once, by
 * compiler/riscv/decode.ts (the same table the assembler and disassembler use), into a record of four int32 in the
 * region's `dec` array, at index 4 × (offset / 2):
 *
 *     [0] op        dense op number (semantics/index.ts OP_ID); 0 = not decoded yet
 *     [1] fields    d | a << 8 | b << 16 | size << 24   — d, a, b are register-file indexes (2 × register; a write
 *                                                         to x0 goes to the scratch pair at X0_SINK so it is lost)
 *     [2] imm       sign-extended immediate, as decode() gives it (bytes for offsets, shamt, 20-bit U field)
 *     [3] region    the memory region this load/store last touched (a per-instruction cache), NO_REGION at first
 *
 * Compressed instructions execute their 32-bit expansion (decode() gives a compressed form the operands of its
 * expansion, and OP_ID maps it to the expansion's op); only `size` remembers they were 2 bytes.
 */
import { decode, lengthOf } from "../../compiler/riscv/decode.js";
import type { IsaConfig } from "../../compiler/riscv/isa-config.js";
import { NO_REGION, type Region } from "./memory.js";
import { OP_ID } from "./semantics/index.js";

/** Register-file index that receives writes to x0 (never read: x0 reads index 0, which stays 0). */
export const X0_SINK = 64;
/** int32 per record. */
export const REC = 4;

/** What pre-decoding found at an offset when it is not an instruction. */
export type PredecodeError = { kind: "fetch"; bytes: number } | { kind: "illegal"; word: number; size: 2 | 4 };

/** Allocates the record array of an executable region. */
export function decodeCache(r: Region): Int32Array {
  return (r.dec ??= new Int32Array((r.bytes.length >>> 1) * REC + REC));
}

/**
 * Decodes the instruction at byte offset `off` of `r` into its record and returns the op number, or returns the
 * reason it cannot: the fetch runs past the region (a 4-byte instruction in its last 2 bytes), or the bits are not
 * an instruction of `isa`.
 */
export function predecode(r: Region, off: number, isa: IsaConfig): number | PredecodeError {
  const limit = r.size;
  if (off + 2 > limit) return { kind: "fetch", bytes: 2 };
  const lowHalf = r.view.getUint16(off, true);
  const size = lengthOf(lowHalf);
  if (off + size > limit) return { kind: "fetch", bytes: size };
  const word = size === 4 ? r.view.getInt32(off, true) : lowHalf;
  const d = decode(word, isa);
  if (d === undefined) return { kind: "illegal", word: size === 4 ? word >>> 0 : lowHalf, size };
  const op = OP_ID.get(d.m);
  if (op === undefined) throw new Error(`runtime/rv64: no semantics for '${d.m}' (semantics/ must cover every row of compiler/riscv/isa.ts)`);
  const dec = decodeCache(r);
  const k = (off >>> 1) * REC;
  dec[k + 1] = (d.rd === 0 ? X0_SINK : d.rd * 2) | (d.rs1 * 2) << 8 | (d.rs2 * 2) << 16 | size << 24;
  dec[k + 2] = d.imm | 0;
  dec[k + 3] = NO_REGION;
  dec[k] = op;
  return op;
}
