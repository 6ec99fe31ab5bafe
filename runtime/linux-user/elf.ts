/**
 * @fileoverview A reader for the ELF files `rvjit emu` runs: 64-bit little-endian RISC-V executables, statically
 * linked (ET_EXEC, or ET_DYN for static-pie, loaded at a bias). Only what loading needs: the header, PT_LOAD
 * segments, where the program headers sit in memory (for AT_PHDR), and the entry point. Layouts from the System V
 * gABI ("ELF-64 Object File Format" and the generic ABI chapter 4/5).
 */

export class ElfError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "ElfError";
  }
}

export interface Segment {
  vaddr: bigint;
  memsz: number;
  /** File bytes (filesz of them); the rest of memsz is zero (.bss). */
  data: Uint8Array;
  /** PF_R / PF_W / PF_X. */
  r: boolean;
  w: boolean;
  x: boolean;
}

export interface ElfImage {
  type: "exec" | "dyn";
  entry: bigint;
  segments: Segment[];
  /** Virtual address of the program header table once loaded (AT_PHDR), or undefined if no segment maps it. */
  phdrAddr: bigint | undefined;
  phnum: number;
  phentsize: number;
  /** e_flags: RVC (bit 0) and the float ABI (bits 1-2). */
  flags: number;
}

const EM_RISCV = 243;
const PT_LOAD = 1;
const PT_INTERP = 3;

/** Parses `bytes`; `bias` is added to every address of an ET_DYN file. Throws ElfError naming `file`. */
export function parseElf(bytes: Uint8Array, file = "<elf>", bias = 0n): ElfImage {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (msg: string): never => {
    throw new ElfError(file, msg);
  };
  if (bytes.length < 64 || dv.getUint32(0) !== 0x7f454c46) fail("not an ELF file (no \\x7fELF magic)");
  if (bytes[4] !== 2) fail("not a 64-bit ELF file (EI_CLASS is not ELFCLASS64)");
  if (bytes[5] !== 1) fail("not a little-endian ELF file");
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_RISCV) fail(`not a RISC-V ELF file (e_machine ${machine}, expected ${EM_RISCV})`);
  if (type !== 2 && type !== 3) fail(`not an executable (e_type ${type}; relocatable objects and core files cannot run)`);
  const addBias = type === 3 ? bias : 0n;
  const entry = dv.getBigUint64(24, true) + addBias;
  const phoff = Number(dv.getBigUint64(32, true));
  const flags = dv.getUint32(48, true);
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (phentsize < 56 || phoff + phnum * phentsize > bytes.length) fail("program header table is truncated");
  const segments: Segment[] = [];
  let phdrAddr: bigint | undefined;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    const ptype = dv.getUint32(p, true);
    if (ptype === PT_INTERP) fail("is dynamically linked (has PT_INTERP); rvjit emu runs static executables (gcc -static)");
    if (ptype !== PT_LOAD) continue;
    const pflags = dv.getUint32(p + 4, true);
    const offset = Number(dv.getBigUint64(p + 8, true));
    const vaddr = dv.getBigUint64(p + 16, true) + addBias;
    const filesz = Number(dv.getBigUint64(p + 32, true));
    const memsz = Number(dv.getBigUint64(p + 40, true));
    if (offset + filesz > bytes.length) fail(`segment ${i} runs past the end of the file`);
    if (filesz > memsz) fail(`segment ${i} has p_filesz > p_memsz`);
    if (phoff >= offset && phoff + phnum * phentsize <= offset + filesz) phdrAddr = vaddr + BigInt(phoff - offset);
    segments.push({
      vaddr, memsz, data: bytes.subarray(offset, offset + filesz),
      r: (pflags & 4) !== 0, w: (pflags & 2) !== 0, x: (pflags & 1) !== 0,
    });
  }
  if (segments.length === 0) fail("has no PT_LOAD segment");
  return { type: type === 2 ? "exec" : "dyn", entry, segments, phdrAddr, phnum, phentsize, flags };
}
