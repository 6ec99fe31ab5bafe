/**
 * @fileoverview The bytes of the `.text` section of an ELF64 little-endian object (what llvm-mc -filetype=obj writes),
 * read from the section headers. Enough ELF for the cross-checks; not a general reader.
 */
export function elfText(elf: Uint8Array): Uint8Array {
  const b = Buffer.from(elf.buffer, elf.byteOffset, elf.byteLength);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) throw new Error("not an ELF64 little-endian object");
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const section = (k: number) => {
    const h = shoff + k * shentsize;
    return { name: b.readUInt32LE(h), offset: Number(b.readBigUInt64LE(h + 0x18)), size: Number(b.readBigUInt64LE(h + 0x20)) };
  };
  const names = section(b.readUInt16LE(0x3e));
  for (let k = 0; k < shnum; k++) {
    const s = section(k);
    const end = b.indexOf(0, names.offset + s.name);
    if (b.toString("latin1", names.offset + s.name, end) === ".text") return elf.subarray(s.offset, s.offset + s.size);
  }
  throw new Error("no .text section");
}
