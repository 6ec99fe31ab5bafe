/**
 * @fileoverview `rvjit rv asm` and `rvjit rv disasm`: the RV64 instruction layer from the command line.
 *
 *   rvjit rv asm prog.s                     hex, one instruction per line, bytes in memory order
 *   rvjit rv asm prog.s -o prog.bin         raw bytes
 *   rvjit rv disasm prog.bin                objdump-style listing: offset, encoding, text
 *   rvjit rv disasm --hex "13 85 f5 ff"     hex bytes (a file of them, or the text itself)
 *   rvjit rv disasm --words fff58513 8082   instruction words as objdump's encoding column shows them
 *
 * Both take `--isa rv64imac_zba_zbb_zacas` (default: everything the table has); an instruction outside it is an
 * error (asm) or is listed as data (disasm).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CAC } from "cac";
import { AsmError, assemble } from "../../compiler/riscv/asm.js";
import { FULL_ISA, IsaError, parseIsa, type IsaConfig } from "../../compiler/riscv/isa-config.js";
import { formatListing, listing } from "../../compiler/riscv/listing.js";
import { asCliError, CliError, type CliIo } from "../io.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("rv <action> [...input]", "RV64 instructions: `rv asm` (assembly -> bytes) and `rv disasm` (bytes -> listing)")
    .option("--isa <name>", "Extensions, e.g. rv64imac_zba_zbb_zacas (default: rv64imac_zacas_zba_zbb_zbs)")
    .option("--base <addr>", "Address of the first byte (hex or decimal), for branch targets", { default: "0" })
    .option("-o, --output <file>", "asm: write the raw bytes to a file")
    .option("--format <fmt>", "asm: hex or bin (bin needs -o)", { default: "hex" })
    .option("--hex", "disasm: the input is hex text (bytes in memory order)")
    .option("--words", "disasm: the input is hex instruction words as objdump prints them; asm: print words")
    .option("--no-aliases", "disasm: canonical mnemonics only (objdump -M no-aliases)")
    .example("  rvjit rv asm prog.s --isa rv64imac_zba_zbb")
    .example("  rvjit rv disasm --words fff58513 8082")
    .example("  rvjit rv disasm image.bin --base 0xffffffff80000000 --no-aliases")
    .action((action: string, _input: unknown[], opts: Record<string, unknown>) => {
      const input = positionals(cli.rawArgs);
      // Same for --base: 0xffffffff80000000 as a JS number would lose its low bits.
      const raw = { ...opts, base: rawOption(cli.rawArgs, "--base") ?? "0" };
      if (action === "asm") return asm(io, input, raw);
      if (action === "disasm") return disasm(io, input, raw);
      throw new CliError(`unknown rv action '${action}' (use 'rv asm' or 'rv disasm')`);
    });
}

const VALUE_OPTIONS = new Set(["--isa", "--base", "-o", "--output", "--format"]);

/** The last value of option `name` as typed (`--base X` or `--base=X`). */
function rawOption(raw: readonly string[], name: string): string | undefined {
  let v: string | undefined;
  raw.forEach((a, i) => {
    if (a === name && i + 1 < raw.length) v = raw[i + 1];
    else if (a.startsWith(name + "=")) v = a.slice(name.length + 1);
  });
  return v;
}

/**
 * The inputs after `rv <action>`, exactly as typed: the parser turns digit-only words into numbers, which would
 * strip the leading zeros of hex words like 00000013.
 */
function positionals(raw: readonly string[]): string[] {
  const out: string[] = [];
  const start = raw.indexOf("rv");
  for (let i = start + 2; i < raw.length; i++) {
    const a = raw[i]!;
    if (a === "--") {
      out.push(...raw.slice(i + 1));
      break;
    }
    if (a.startsWith("-") && a !== "-") {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

function isaOf(opts: Record<string, unknown>): IsaConfig {
  return opts.isa === undefined ? FULL_ISA : asCliError(() => parseIsa(String(opts.isa)), IsaError);
}

function baseOf(opts: Record<string, unknown>): bigint {
  const s = String(opts.base ?? "0");
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(s)) throw new CliError(`--base '${s}' is not a number (hex with 0x, or decimal)`);
  return BigInt(s);
}

function readInput(io: CliIo, input: string[], what: string): { name: string; data: Buffer } {
  if (input.length > 1) throw new CliError(`rv ${what} takes one input file, got ${input.length}`);
  const name = input[0] ?? "-";
  if (name === "-") return { name: "<stdin>", data: readFileSync(0) };
  const path = resolve(io.cwd, name);
  if (!existsSync(path)) throw new CliError(`${name}: no such file`);
  return { name, data: readFileSync(path) };
}

function asm(io: CliIo, input: string[], opts: Record<string, unknown>): number {
  const { name, data } = readInput(io, input, "asm");
  const result = asCliError(() => assemble(data.toString("utf8"), { isa: isaOf(opts), base: baseOf(opts), file: name }), AsmError);
  const format = String(opts.format);
  if (format !== "hex" && format !== "bin") throw new CliError(`--format '${format}': use hex or bin`);
  if (opts.output !== undefined) {
    writeFileSync(resolve(io.cwd, String(opts.output)), result.bytes);
    if (format === "bin") return 0;
  } else if (format === "bin") {
    throw new CliError("--format bin writes raw bytes: name the file with -o");
  }
  const hex = (offset: number, size: number): string => Buffer.from(result.bytes.subarray(offset, offset + size)).toString("hex");
  let out = "";
  let covered = 0;
  for (const i of result.insns) {
    if (i.offset > covered) out += hex(covered, i.offset - covered) + "\n"; // data directives
    out += (opts.words ? i.word.toString(16).padStart(i.size * 2, "0") : hex(i.offset, i.size)) + "\n";
    covered = i.offset + i.size;
  }
  if (covered < result.bytes.length) out += hex(covered, result.bytes.length - covered) + "\n";
  io.out(out);
  return 0;
}

/** Hex text -> bytes: memory-order bytes, or (words) objdump-order instruction words of 4 or 8 digits. */
function parseHex(text: string, words: boolean): Uint8Array {
  const tokens = text.split(/[\s,]+/).filter((t) => t !== "").map((t) => t.replace(/^0x/i, ""));
  for (const t of tokens) {
    if (!/^[0-9a-f]+$/i.test(t)) throw new CliError(`'${t}' is not hex`);
  }
  if (!words) {
    const all = tokens.join("");
    if (all.length % 2 !== 0) throw new CliError("hex input has an odd number of digits");
    return Uint8Array.from(all.match(/../g) ?? [], (b) => parseInt(b, 16));
  }
  const out: number[] = [];
  for (const t of tokens) {
    if (t.length !== 4 && t.length !== 8) throw new CliError(`'${t}' is not an instruction word (4 or 8 hex digits)`);
    const w = parseInt(t, 16);
    for (let i = 0; i < t.length / 2; i++) out.push((w >>> (8 * i)) & 0xff);
  }
  return Uint8Array.from(out);
}

function disasm(io: CliIo, input: string[], opts: Record<string, unknown>): number {
  const words = Boolean(opts.words);
  let bytes: Uint8Array;
  if (opts.hex || words) {
    // The operands are hex files, or the hex text itself.
    const files = input.length === 1 && existsSync(resolve(io.cwd, input[0]!));
    const text = input.length === 0 ? readFileSync(0, "utf8") : files ? readFileSync(resolve(io.cwd, input[0]!), "utf8") : input.join(" ");
    bytes = parseHex(text, words);
  } else {
    if (input.length === 0 && process.stdin.isTTY) throw new CliError("rv disasm: give a binary file, or --hex/--words with hex text");
    bytes = new Uint8Array(readInput(io, input, "disasm").data);
  }
  if (bytes.length % 2 !== 0) io.err(`rvjit: warning: odd trailing byte ignored\n`);
  const base = baseOf(opts);
  io.out(formatListing(listing(bytes, { aliases: opts.aliases !== false, isa: isaOf(opts), base }), base));
  return 0;
}
