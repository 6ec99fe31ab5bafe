/**
 * @fileoverview Runners for the external references the cross-checks compare against, one process per corpus:
 *
 * - GNU objdump 2.40 (`riscv64-linux-gnu-objdump`). Raw bytes given with `-b binary` are disassembled for the
 *   default rv64gc, which lacks Zba/Zbb/Zbs; so the bytes go into an ELF instead: GNU as assembles
 *   `.attribute arch, "rv64imac_zba_zbb_zbs"` + a `$x` mapping symbol (so objdump treats the section as code) +
 *   `.incbin` of our bytes, and objdump disassembles that, for exactly our ISA. Its ELF-mode address form
 *   `1c <.text+0x1c>` is normalised to the raw-listing form `0x1c` that `-b binary` (and our listing) prints.
 *   binutils 2.40 does not know Zacas; those words are checked with llvm-objdump-19 instead.
 * - llvm-mc-19 `-show-encoding` for encodings; llvm-objdump-19 for Zacas text.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The ISA as GNU as writes it in the arch attribute (everything the table has except Zacas). */
export const GNU_ARCH = "rv64i2p1_m2p0_a2p1_c2p0_zba1p0_zbb1p0_zbs1p0";
/** llvm-mc/llvm-objdump features for the whole table (LLVM 19 still calls Zacas experimental). */
export const LLVM_MATTR = "+m,+a,+c,+zba,+zbb,+zbs,+experimental-zacas";

export interface ToolLine {
  offset: number;
  /** The encoding column as printed (hex). */
  hex: string;
  text: string;
}

function withTemp<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "rvjit-riscv-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LINE = /^\s*([0-9a-f]+):\s+([0-9a-f]+)\s*\t(.*)$/;

/** Parses objdump-style lines "  1c:\t00b50463          \tbeq\ta0,a1,..." into offset -> line. */
function parseListing(out: string, normalise: (t: string) => string): Map<number, ToolLine> {
  const lines = new Map<number, ToolLine>();
  for (const l of out.split("\n")) {
    const m = LINE.exec(l);
    if (m) lines.set(parseInt(m[1]!, 16), { offset: parseInt(m[1]!, 16), hex: m[2]!, text: normalise(m[3]!.trimEnd()) });
  }
  return lines;
}

/** `1c <.text+0x1c>` -> `0x1c` (ELF symbolisation -> raw-listing form). */
export const gnuRaw = (t: string): string => t.replace(/\b([0-9a-f]+) <[^>]*>/g, "0x$1");

/** GNU objdump's listing of `bytes` (placed at address 0) with and without aliases. */
export function gnuObjdump(as: string, objdump: string, bytes: Uint8Array): { aliases: Map<number, ToolLine>; noAliases: Map<number, ToolLine> } {
  return withTemp((dir) => {
    writeFileSync(join(dir, "code.bin"), bytes);
    writeFileSync(join(dir, "code.s"), `.attribute arch, "${GNU_ARCH}"\n.text\n$x:\n.incbin "${join(dir, "code.bin")}"\n`);
    execFileSync(as, [join(dir, "code.s"), "-o", join(dir, "code.o")]);
    const run = (extra: string[]): Map<number, ToolLine> =>
      parseListing(execFileSync(objdump, ["-d", "-z", ...extra, join(dir, "code.o")], { maxBuffer: 1 << 30 }).toString(), gnuRaw);
    return { aliases: run([]), noAliases: run(["-M", "no-aliases"]) };
  });
}

/** llvm-objdump's listing of `bytes` (for Zacas, which GNU 2.40 lacks), built into an ELF the same way. */
export function llvmObjdump(as: string, llvmObjdumpCmd: string, bytes: Uint8Array, noAliases: boolean): Map<number, ToolLine> {
  return withTemp((dir) => {
    writeFileSync(join(dir, "code.bin"), bytes);
    writeFileSync(join(dir, "code.s"), `.text\n$x:\n.incbin "${join(dir, "code.bin")}"\n`);
    execFileSync(as, [join(dir, "code.s"), "-o", join(dir, "code.o")]);
    const args = ["-d", `--mattr=${LLVM_MATTR}`, ...(noAliases ? ["-M", "no-aliases"] : []), join(dir, "code.o")];
    // llvm-objdump separates operands with ", "; objdump with ",".
    return parseListing(execFileSync(llvmObjdumpCmd, args, { maxBuffer: 1 << 30 }).toString(), (t) => t.replace(/, /g, ","));
  });
}

/** The encodings llvm-mc gives the assembly `lines`, in order (as numbers: halfword or word). */
export function llvmMcEncodings(mc: string, lines: readonly string[]): number[] {
  const out = execFileSync(mc, ["-triple=riscv64", `-mattr=${LLVM_MATTR}`, "-show-encoding"], {
    input: lines.join("\n") + "\n",
    maxBuffer: 1 << 30,
    stdio: ["pipe", "pipe", "pipe"],
  }).toString();
  const words: number[] = [];
  for (const m of out.matchAll(/# encoding: \[([^\]]*)\]/g)) {
    const bytes = m[1]!.split(",").map((b) => parseInt(b, 16));
    words.push(bytes.reduceRight((acc, b) => acc * 256 + b, 0));
  }
  return words;
}
