/**
 * @fileoverview The abstract guest memory that helper and map semantics are written against. Both engines provide
 * one: the RV64 emulator (runtime/rv64/memory.ts, through its kernel model) and the reference eBPF interpreter
 * (runtime/interp). Helpers never see anything else of an engine, so one definition serves both.
 *
 * Addresses and values are bigint here: this is the boundary API, called once per helper argument, never per
 * guest instruction.
 */

/** The access widths of eBPF and RV64 loads and stores, in bytes. */
export type AccessSize = 1 | 2 | 4 | 8;

/**
 * Guest memory as helpers see it. Every method throws {@link GuestFault} when any byte it touches is outside memory
 * the access may reach (unmapped, or without the permission), so a helper handed a bad pointer stops the run with a
 * report instead of reading host garbage.
 */
export interface GuestMemory {
  /** Reads `size` bytes little-endian at `addr`, zero-extended to a u64. */
  read(addr: bigint, size: AccessSize): bigint;
  /** Writes the low `size` bytes of `value` little-endian at `addr`. */
  write(addr: bigint, size: AccessSize, value: bigint): void;
  /** Copies `n` bytes out of guest memory. */
  readBytes(addr: bigint, n: number): Uint8Array;
  /** Copies `bytes` into guest memory at `addr`. */
  writeBytes(addr: bigint, bytes: Uint8Array): void;
}

/** A guest memory access that no region allows. */
export class GuestFault extends Error {
  constructor(
    readonly addr: bigint,
    readonly size: number,
    readonly access: "read" | "write",
    message: string,
  ) {
    super(message);
    this.name = "GuestFault";
  }
}

/** `0x`-prefixed 16-digit hex of a u64, the way reports print addresses. */
export function hex64(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, "0")}`;
}
