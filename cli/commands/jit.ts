/**
 * @fileoverview `rvjit jit <program>`: compile a raw eBPF program (no verifier) with the JIT and print the code bytes
 * per function, an annotated listing, or any stage of the pipeline. The program is hex of 8-byte instructions (on
 * the command line or in a file) or, for a file that is not hex, eBPF assembly. Addresses default to the fake
 * kernel of ../shared/testdata/linux-6.12-jit, so its records are reproduced with `--stack-depth 512`.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CAC } from "cac";
import { assemble, AsmError, type AsmProgram } from "../../compiler/bpf/asm.js";
import { insnsFromHex, type Insn } from "../../compiler/bpf/insn.js";
import { CALL_BASE, HELPER_STRIDE, IMAGE_ADDR } from "../../compiler/kernel-abi.js";
import { listProgram } from "../../compiler/listing.js";
import { JitError, jitRaw, STAGES, type JitOptions, type JitOutput } from "../../compiler/pipeline.js";
import { IsaError, parseIsa } from "../../compiler/riscv/isa-config.js";
import { asCliError, CliError, type CliIo } from "../io.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("jit <program>", "JIT a raw eBPF program (hex of 8-byte instructions, or a file of hex or assembly) to RV64")
    .option("--isa <name>", "Target ISA: rv64ima, rv64imac, rv64imac_zba_zbb, ... (+_zacas)", { default: "rv64imac" })
    .option("--stack-depth <bytes>", "Stack depth of every function (the verifier's aux->stack_depth)", { default: 512 })
    .option("--listing", "Print the annotated listing instead of code bytes")
    .option("--encodings", "With --listing: show each instruction's encoding")
    .option("--dump-after <pass>", `Print the pipeline's state after a pass: ${STAGES.join(", ")}`)
    .option("--json", "Print code, addresses and pass counts as JSON (the testdata record format)")
    .option("--zacas", "Use Zacas amocas for cmpxchg (newer kernels; needs _zacas in --isa)")
    .option("--load-acq-store-rel", "Accept load-acquire/store-release (newer kernels)")
    .option("--frame-pointer", "Kernel with frame pointers (BPF exceptions)")
    .option("--image-addr <hex>", "Address of the main function", { default: `0x${IMAGE_ADDR.toString(16)}` })
    .option("--call-base <hex>", "__bpf_call_base: helper k lives at call-base + k * helper-stride", { default: `0x${CALL_BASE.toString(16)}` })
    .option("--helper-stride <hex>", "Distance between fake helpers", { default: `0x${HELPER_STRIDE.toString(16)}` })
    .example("  rvjit jit b7000000010000009500000000000000   # r0 = 1; exit")
    .example("  rvjit jit prog.s --isa rv64imac_zba_zbb --listing")
    .example("  rvjit jit prog.hex --dump-after lower")
    .action((program: string, opts: Record<string, unknown>) => run(io, program, opts));
}

function bigOption(name: string, v: unknown): bigint {
  try {
    return BigInt(String(v));
  } catch {
    throw new CliError(`--${name}: '${String(v)}' is not a number (write hex as 0x...)`);
  }
}

/** The program: hex given directly, or a file holding hex or assembly. */
function readProgram(io: CliIo, arg: string): { insns: Insn[]; asm?: AsmProgram } {
  const isHex = (s: string): boolean => /^[0-9a-fA-F\s]+$/.test(s) && s.replace(/\s+/g, "").length % 16 === 0;
  if (isHex(arg)) return { insns: insnsFromHex(arg) };
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, arg), "utf8");
  } catch {
    throw new CliError(`'${arg}' is neither hex of 8-byte instructions nor a readable file`);
  }
  if (isHex(text)) return { insns: insnsFromHex(text) };
  const asm = asCliError(() => assemble(text, arg, { xlated: true }), AsmError);
  return { insns: asm.insns, asm };
}

function jsonOf(out: JitOutput): string {
  const funcs = out.funcs.map((f) => ({
    name: f.name,
    addr: `0x${f.addr.toString(16)}`,
    start_insn: f.bpfStart,
    ninsns: f.bpf.length,
    passes: f.passes,
    jited_len: f.allocSize,
    code: Buffer.from(f.code).toString("hex"),
  }));
  return `${JSON.stringify({ funcs }, null, 2)}\n`;
}

function run(io: CliIo, arg: string, o: Record<string, unknown>): number {
  const { insns, asm } = readProgram(io, arg);
  const depth = Number(o.stackDepth);
  if (!Number.isInteger(depth) || depth < 0 || depth > 512) throw new CliError(`--stack-depth must be an integer in 0..512, got ${String(o.stackDepth)}`);
  const dumpAfter = o.dumpAfter === undefined ? undefined : String(o.dumpAfter);
  if (dumpAfter !== undefined && !(STAGES as readonly string[]).includes(dumpAfter)) throw new CliError(`--dump-after: unknown pass '${dumpAfter}' (passes: ${STAGES.join(", ")})`);
  const isa = asCliError(() => parseIsa(String(o.isa)), IsaError);
  const callBase = bigOption("call-base", o.callBase);
  const stride = bigOption("helper-stride", o.helperStride);
  const opts: JitOptions = {
    isa,
    zacas: Boolean(o.zacas),
    loadAcqStoreRel: Boolean(o.loadAcqStoreRel),
    framePointer: Boolean(o.framePointer),
    imageAddr: bigOption("image-addr", o.imageAddr),
    helperAddr: (id) => callBase + BigInt(id) * stride,
    dumpStages: dumpAfter !== undefined,
  };
  let out: JitOutput;
  try {
    out = jitRaw(insns, depth, opts);
  } catch (e) {
    if (e instanceof JitError) {
      const pos = e.insnIndex !== undefined ? asm?.lines[e.insnIndex] : undefined;
      throw new CliError(pos ? `${pos.file}:${pos.line}:${pos.col}: ${e.message}` : e.message);
    }
    throw e;
  }
  for (const w of out.warnings) io.err(`rvjit: warning: ${w}\n`);
  if (dumpAfter !== undefined) io.out(out.stages.get(dumpAfter as (typeof STAGES)[number]) ?? "");
  else if (o.json) io.out(jsonOf(out));
  else if (o.listing) io.out(listProgram(out, { encodings: Boolean(o.encodings) }));
  else for (const f of out.funcs) io.out(`# ${f.name} at 0x${f.addr.toString(16)}: ${f.code.length} bytes, ${f.passes} passes\n${Buffer.from(f.code).toString("hex")}\n`);
  return 0;
}
