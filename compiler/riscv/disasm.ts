/**
 * @fileoverview Disassembly text as GNU objdump 2.40 (`riscv64-linux-gnu-objdump -d`) prints it, with its aliases
 * or, with `aliases: false`, as `-M no-aliases` prints it; test/riscv checks both against the tool itself.
 *
 * - The operand template comes from the row (isa.ts); immediates print as the row's format says: decimal, hex
 *   (shift amounts, lui/auipc fields), or, for branches and jumps, the absolute target address in hex (objdump's
 *   raw-listing form `0x1c`, which is what `-b binary` prints; for an ELF it adds ` <sym+off>`).
 * - Aliases are the table below: per instruction, an ordered list of (condition, mnemonic, template); the first
 *   whose condition holds is printed. They are objdump's, including its less obvious choices: `add a0,a0,1` for
 *   addi and c.addi, `sll`/`srl`/`sra` for the shifts by immediate, `ror`/`bclr`/... for the Zb* immediate forms,
 *   and the 32-bit spelling of every compressed instruction (`lw a0,8(sp)` for c.lwsp).
 * - In a listing, objdump also follows lui/auipc into later loads, stores, addi and jalr and prints the address they
 *   form as `# 0x...`; `AddressTracker` models that (see its comment), `disasm` without a tracker never does.
 */
import { ABI_NAMES } from "./regs.js";
import type { Decoded } from "./decode.js";
import type { Mnemonic } from "./isa.js";
import { ROW_OF, type Row } from "./rows.js";

export interface DisasmOptions {
  /** Print objdump's aliases (default true); false is `-M no-aliases`. */
  aliases?: boolean;
  /** Follows lui/auipc across a listing and appends objdump's `# 0x...` address comments. */
  tracker?: AddressTracker;
}

export type Cond = Partial<Record<"rd" | "rs1" | "rs2" | "imm" | "pred" | "succ", number>>;
/** When `when` holds, print `name` with `template`; name null means the row's own mnemonic and template. */
export type Alias = readonly [when: Cond, name: string | null, template: string];

const SHIFT = "rd,rs1,imm", RRR = "rd,rs1,rs2", MEM = "rd,imm(rs1)", STORE = "rs2,imm(rs1)";
const as = (name: string, template: string): Alias => [{}, name, template];

/** objdump's aliases, per instruction, in the order it tries them (default mode only). asm.ts reads them too. */
export const ALIASES: Partial<Record<Mnemonic, readonly Alias[]>> = {
  jal: [[{ rd: 0 }, "j", "off"], [{ rd: 1 }, "jal", "off"]],
  jalr: [
    [{ rd: 0, rs1: 1, imm: 0 }, "ret", ""], [{ rd: 0, imm: 0 }, "jr", "rs1"], [{ rd: 0 }, "jr", "imm(rs1)"],
    [{ rd: 1, imm: 0 }, "jalr", "rs1"], [{ rd: 1 }, "jalr", "imm(rs1)"], [{ imm: 0 }, "jalr", "rd,rs1"],
  ],
  beq: [[{ rs2: 0 }, "beqz", "rs1,off"]],
  bne: [[{ rs2: 0 }, "bnez", "rs1,off"]],
  blt: [[{ rs2: 0 }, "bltz", "rs1,off"], [{ rs1: 0 }, "bgtz", "rs2,off"]],
  bge: [[{ rs1: 0 }, "blez", "rs2,off"], [{ rs2: 0 }, "bgez", "rs1,off"]],
  addi: [[{ rd: 0, rs1: 0, imm: 0 }, "nop", ""], [{ rs1: 0 }, "li", "rd,imm"], [{ imm: 0 }, "mv", "rd,rs1"], as("add", SHIFT)],
  sltiu: [[{ imm: 1 }, "seqz", "rd,rs1"]],
  xori: [[{ imm: -1 }, "not", "rd,rs1"], as("xor", SHIFT)],
  ori: [as("or", SHIFT)],
  andi: [[{ imm: 255 }, "zext.b", "rd,rs1"], as("and", SHIFT)],
  slli: [as("sll", SHIFT)],
  srli: [as("srl", SHIFT)],
  srai: [as("sra", SHIFT)],
  sub: [[{ rs1: 0 }, "neg", "rd,rs2"]],
  slt: [[{ rs2: 0 }, "sltz", "rd,rs1"], [{ rs1: 0 }, "sgtz", "rd,rs2"]],
  sltu: [[{ rs1: 0 }, "snez", "rd,rs2"]],
  addiw: [[{ imm: 0 }, "sext.w", "rd,rs1"], as("addw", SHIFT)],
  slliw: [as("sllw", SHIFT)],
  srliw: [as("srlw", SHIFT)],
  sraiw: [as("sraw", SHIFT)],
  subw: [[{ rs1: 0 }, "negw", "rd,rs2"]],
  fence: [[{ pred: 15, succ: 15 }, "fence", ""]],
  "add.uw": [[{ rs2: 0 }, "zext.w", "rd,rs1"]],
  rori: [as("ror", SHIFT)],
  roriw: [as("rorw", SHIFT)],
  bclri: [as("bclr", SHIFT)],
  bexti: [as("bext", SHIFT)],
  binvi: [as("binv", SHIFT)],
  bseti: [as("bset", SHIFT)],
  // Compressed forms print as the 32-bit instruction they stand for, except where that would be a HINT.
  "c.addi4spn": [as("add", SHIFT)],
  "c.lw": [as("lw", MEM)],
  "c.ld": [as("ld", MEM)],
  "c.sw": [as("sw", STORE)],
  "c.sd": [as("sd", STORE)],
  "c.nop": [as("nop", "")],
  "c.addi": [[{ rd: 0 }, "c.nop", "imm"], as("add", SHIFT)],
  "c.addiw": [[{ imm: 0 }, "sext.w", "rd,rs1"], as("addw", SHIFT)],
  "c.li": [[{ rd: 0 }, null, ""], as("li", "rd,imm")],
  "c.addi16sp": [as("add", SHIFT)],
  "c.lui": [[{ rd: 0 }, null, ""], as("lui", "rd,imm")],
  "c.srli": [as("srl", SHIFT)],
  "c.srai": [as("sra", SHIFT)],
  "c.andi": [as("and", SHIFT)],
  "c.sub": [as("sub", RRR)],
  "c.xor": [as("xor", RRR)],
  "c.or": [as("or", RRR)],
  "c.and": [as("and", RRR)],
  "c.subw": [as("subw", RRR)],
  "c.addw": [as("addw", RRR)],
  "c.j": [as("j", "off")],
  "c.beqz": [as("beqz", "rs1,off")],
  "c.bnez": [as("bnez", "rs1,off")],
  "c.slli": [[{ rd: 0 }, null, ""], as("sll", SHIFT)],
  "c.lwsp": [as("lw", MEM)],
  "c.ldsp": [as("ld", MEM)],
  "c.jr": [[{ rs1: 1 }, "ret", ""], as("jr", "rs1")],
  "c.mv": [[{ rd: 0 }, null, ""], as("mv", "rd,rs2")],
  "c.ebreak": [as("ebreak", "")],
  "c.jalr": [as("jalr", "rs1")],
  "c.add": [[{ rd: 0 }, null, ""], as("add", RRR)],
  "c.swsp": [as("sw", STORE)],
  "c.sdsp": [as("sd", STORE)],
};

/** Where objdump's canonical (no-aliases) spelling differs from the row: it has no c.nop, only c.addi zero,0. */
export const CANONICAL: Partial<Record<Mnemonic, readonly [string, string]>> = {
  "c.nop": ["c.addi", "rd,imm"],
};

const MASK64 = (1n << 64n) - 1n;
const hex64 = (v: bigint): string => "0x" + (v & MASK64).toString(16);

/** A fence's predecessor/successor set as objdump names it: some of "iorw", or "unknown" for the empty set. */
function fenceSet(v: number): string {
  const s = ["i", "o", "r", "w"].filter((_, i) => (v >> (3 - i)) & 1).join("");
  return s === "" ? "unknown" : s;
}

const TEMPLATE_PARTS = new Map<string, string[]>();
/** "rd,imm(rs1)" -> ["rd", ",", "imm", "(", "rs1", ")"]. */
function parts(template: string): string[] {
  let p = TEMPLATE_PARTS.get(template);
  if (p === undefined) {
    p = template.split(/([,()])/).filter((s) => s !== "");
    TEMPLATE_PARTS.set(template, p);
  }
  return p;
}

function operand(tok: string, r: Row, d: Decoded, pc: bigint): string {
  switch (tok) {
    case "rd":
      return ABI_NAMES[d.rd]!;
    case "rs1":
      return ABI_NAMES[d.rs1]!;
    case "rs2":
      return ABI_NAMES[d.rs2]!;
    case "sp":
      return "sp";
    case "pred":
      return fenceSet(d.pred);
    case "succ":
      return fenceSet(d.succ);
    case "off":
      return hex64(pc + BigInt(d.imm));
    case "imm":
      switch (r.codec.immStyle) {
        case "hex": // shift amounts, and lui/auipc/c.lui's 20-bit field (signed in Decoded)
          return "0x" + (d.imm & 0xfffff).toString(16);
        case "target":
          return hex64(pc + BigInt(d.imm));
        default:
          return String(d.imm);
      }
    default:
      return tok; // punctuation
  }
}

function holds(when: Cond, d: Decoded): boolean {
  for (const k in when) if (d[k as keyof Cond] !== when[k as keyof Cond]) return false;
  return true;
}

/** The mnemonic and template objdump uses for `d`. */
export function spelling(d: Decoded, aliases = true): readonly [string, string] {
  const r = ROW_OF.get(d.m)!;
  if (aliases) {
    for (const [when, name, template] of ALIASES[d.m] ?? []) {
      if (holds(when, d)) return name === null ? [r.m, r.spec.asm] : [name, template];
    }
  }
  return CANONICAL[d.m] ?? [r.m, r.spec.asm];
}

/**
 * One instruction as objdump prints it: "addi\ta0,a0,1" (mnemonic, a tab, operands), at address `pc` (used for
 * branch and jump targets). With a tracker, may end in objdump's " # 0x..." address comment.
 */
export function disasm(d: Decoded, pc: bigint, opts: DisasmOptions = {}): string {
  const r = ROW_OF.get(d.m)!;
  const [name, template] = spelling(d, opts.aliases !== false);
  const ordering = r.spec.aqrl && (d.aq || d.rl) ? "." + (d.aq ? "aq" : "") + (d.rl ? "rl" : "") : "";
  let text = name + ordering;
  if (template !== "") {
    text += "\t";
    for (const tok of parts(template)) text += operand(tok, r, d, pc);
  }
  const addr = opts.tracker?.step(r, d, template, pc);
  return addr === undefined ? text : `${text} # ${hex64(addr)}`;
}

/**
 * objdump's "multi-instruction addressing sequences", followed the way binutils 2.40 follows them:
 * - lui, auipc and c.lui remember the upper part they put in rd (auipc adds the pc);
 * - a load or store, a jalr, an addi with rs1 != zero, and (sign-extended to 32 bits) an addiw with rs1 != zero,
 *   consume that value for their base register once, and the listing prints base + offset; a base of zero or tp
 *   prints the bare offset. c.addi and c.addiw (rd != zero) count as addi/addiw with rd as base; other compressed
 *   loads, stores and jumps never do. The spelling matters: `mv`, `li`, `sext.w`, `ret` print no immediate or
 *   base and consume nothing, so aliases on and off can print different comments for the same bytes.
 * - jalr checks three times (its offset, its offset again, its base register), in template order; a later check
 *   of a zero/tp base overwrites the address with the bare offset, as objdump does.
 * - nothing else forgets a remembered value: writing rd by other means does not clear it.
 */
export class AddressTracker {
  private readonly hi: Array<bigint | undefined> = new Array(32).fill(undefined);
  private addr: bigint | undefined;

  /** Updates the state for one printed instruction; returns the address objdump would print after it, if any. */
  step(r: Row, d: Decoded, template: string, pc: bigint): bigint | undefined {
    this.addr = undefined;
    const toks = parts(template);
    const m = r.m;
    if (toks.includes("rd")) {
      if (m === "lui" || m === "c.lui") this.hi[d.rd] = BigInt(d.imm) << 12n;
      else if (m === "auipc") this.hi[d.rd] = pc + (BigInt(d.imm) << 12n);
    }
    const jalr = m === "jalr";
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t === "imm") {
        const memory = toks[i + 1] === "(";
        if (r.size === 4) {
          if (memory) this.check(d.rs1, d.imm, false); // loads, stores, jalr: base + offset
          if ((m === "addi" && d.rs1 !== 0 && !memory) || jalr) this.check(d.rs1, d.imm, false);
          if (m === "addiw" && d.rs1 !== 0 && !memory) this.check(d.rs1, d.imm, true);
        } else if ((m === "c.addi" || m === "c.addiw") && d.rd !== 0) {
          this.check(d.rd, d.imm, m === "c.addiw");
        }
      } else if (t === "rs1" && jalr) {
        this.check(d.rs1, d.imm, false);
      }
    }
    return this.addr;
  }

  private check(base: number, offset: number, wide: boolean): void {
    let a: bigint;
    const hi = this.hi[base];
    if (hi !== undefined) {
      a = (base !== 0 ? hi : 0n) + BigInt(offset);
      this.hi[base] = undefined;
    } else if (base === 4 || base === 0) {
      a = BigInt(offset);
    } else {
      return;
    }
    this.addr = wide ? BigInt.asIntN(32, a) : a;
  }
}
