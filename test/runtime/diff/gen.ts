/**
 * @fileoverview Random RV64 programs as GNU assembly, for the differential test against qemu-riscv64. One source
 * holds every program; `_start` runs programs [first, first + count) chosen by argv, so one gcc call builds them
 * all and one emulator process runs a batch.
 *
 * Each program owns a 768-byte block of .data, addressed from gp (x3, never written by the program):
 *
 *     gp - 384   initial register values (x1..x31; x3 and x27 are overwritten by the harness)
 *     gp - 128   the data area: 256 random bytes, the only memory loads, stores and atomics touch
 *     gp + 128   the dump: x0..x31 after the program, then write(1, gp - 128, 512) prints data area + dump
 *
 * s11 (x27) is the loop counter of generated loops. Everything else is fair game, sp included (compressed sp-based
 * forms first point it into the data area). The ISA is what both emulators implement: RV64IMAC + Zba + Zbb + Zbs
 * (qemu-riscv64 7.2 has no Zacas; amocas is tested against hand-computed results in the unit tests instead).
 * Generation avoids what the ISA leaves to the implementation: misaligned atomics, stores between LR and SC, and
 * LR/SC pairs of different widths. One QEMU 7.2 bug is steered around: see ctzw below.
 */
import { ABI_NAMES } from "../../../compiler/riscv/regs.js";

/** A small fast PRNG (sfc32) so a seed replays the same programs. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.u32() % (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.u32() % xs.length]!;
  }
  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}

const GP = 3, LOOP = 27;
const WRITABLE = Array.from({ length: 31 }, (_, i) => i + 1).filter((r) => r !== GP && r !== LOOP);
const ANY = Array.from({ length: 32 }, (_, i) => i);
const CREGS = [8, 9, 10, 11, 12, 13, 14, 15];
const n = (r: number) => ABI_NAMES[r]!;

const RRR = [
  "add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "addw", "subw", "sllw", "srlw", "sraw",
  "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu", "mulw", "divw", "divuw", "remw", "remuw",
  "add.uw", "sh1add", "sh2add", "sh3add", "sh1add.uw", "sh2add.uw", "sh3add.uw",
  "andn", "orn", "xnor", "max", "maxu", "min", "minu", "rol", "ror", "rolw", "rorw", "bclr", "bext", "binv", "bset",
];
const RRI12 = ["addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"];
const SHIFT6 = ["slli", "srli", "srai", "slli.uw", "rori", "bclri", "bexti", "binvi", "bseti"];
const SHIFT5 = ["slliw", "srliw", "sraiw", "roriw"];
const UNARY = ["clz", "ctz", "cpop", "clzw", "ctzw", "cpopw", "sext.b", "sext.h", "zext.h", "orc.b", "rev8"];
const LOADS: [string, number][] = [["lb", 1], ["lh", 2], ["lw", 4], ["ld", 8], ["lbu", 1], ["lhu", 2], ["lwu", 4]];
const STORES: [string, number][] = [["sb", 1], ["sh", 2], ["sw", 4], ["sd", 8]];
const AMOS = ["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu", "amomaxu"];
const ORDER = ["", ".aq", ".rl", ".aqrl"];
const BRANCHES = ["beq", "bne", "blt", "bge", "bltu", "bgeu"];

/** Register values that hit the corners: signed and unsigned extremes, 32-bit boundaries, shift amounts. */
function interesting(r: Rng): bigint {
  switch (r.int(0, 11)) {
    case 0: return 0n;
    case 1: return 1n;
    case 2: return 0xffff_ffff_ffff_ffffn;
    case 3: return 0x8000_0000_0000_0000n;
    case 4: return 0x7fff_ffff_ffff_ffffn;
    case 5: return r.pick([0x8000_0000n, 0x7fff_ffffn, 0xffff_ffffn, 0xffff_ffff_8000_0000n]);
    case 6: return BigInt.asUintN(64, BigInt(r.int(-70, 70)));
    case 7: return BigInt.asUintN(64, BigInt.asIntN(32, BigInt(r.u32())));
    case 8: return BigInt(r.u32());
    case 9: return BigInt(r.int(0, 127));
    default: return r.u64();
  }
}

/** One program generator: emits into `out`, labels unique per program. */
class Program {
  readonly out: string[] = [];
  private label = 0;
  constructor(private readonly r: Rng, private readonly id: number) {}

  private newLabel(): string {
    return `.L${this.id}_${this.label++}`;
  }
  private emit(line: string): void {
    this.out.push(`  ${line}`);
  }
  /** A compressed instruction (the file is assembled with .option norvc so nothing else gets compressed). */
  private c(line: string): void {
    this.out.push(".option rvc", `  ${line}`, ".option norvc");
  }
  private rd(): number {
    return this.r.pick(WRITABLE);
  }
  private rs(): number {
    return this.r.pick(ANY);
  }

  alu(): void {
    const r = this.r;
    switch (r.int(0, 9)) {
      case 0: case 1: case 2: case 3:
        return this.emit(`${r.pick(RRR)} ${n(this.rd())}, ${n(this.rs())}, ${n(this.rs())}`);
      case 4: case 5:
        return this.emit(`${r.pick(RRI12)} ${n(this.rd())}, ${n(this.rs())}, ${r.chance(0.3) ? r.pick([-2048, -1, 0, 1, 2047]) : r.int(-2048, 2047)}`);
      case 6:
        return this.emit(`${r.pick(SHIFT6)} ${n(this.rd())}, ${n(this.rs())}, ${r.int(0, 63)}`);
      case 7:
        return this.emit(`${r.pick(SHIFT5)} ${n(this.rd())}, ${n(this.rs())}, ${r.int(0, 31)}`);
      case 8: {
        const op = r.pick(UNARY);
        if (op !== "ctzw") return this.emit(`${op} ${n(this.rd())}, ${n(this.rs())}`);
        // qemu-riscv64 7.2 counts ctzw past bit 31 when the low word is zero and the high word is not (it gives
        // 48 for 0x0001000000000000; the ISA manual says 32). Zero-extend the operand first so QEMU's answer is
        // right; vectors.test.ts and semantics.test.ts check that case against the manual.
        const t = this.rd();
        this.emit(`add.uw ${n(t)}, ${n(this.rs())}, zero`);
        return this.emit(`ctzw ${n(this.rd())}, ${n(t)}`);
      }
      default:
        return this.emit(`${r.pick(["lui", "auipc"])} ${n(this.rd())}, 0x${r.int(0, 0xfffff).toString(16)}`);
    }
  }

  /** Loads and stores at gp ± 128, any alignment, sometimes through another base register. */
  memory(): void {
    const r = this.r;
    const [op, size] = r.chance(0.5) ? r.pick(LOADS) : r.pick(STORES);
    const off = r.int(-128, 128 - size);
    const store = op.startsWith("s");
    const data = store ? n(this.rs()) : n(this.rd());
    if (r.chance(0.5)) return this.emit(`${op} ${data}, ${off}(gp)`);
    const base = this.rd();
    const shift = r.int(-64, 64);
    this.emit(`addi ${n(base)}, gp, ${shift}`);
    // A store whose data register is the base stores the new base; that is fine, both emulators agree.
    this.emit(`${op} ${store ? data : n(this.rd())}, ${off - shift}(${n(base)})`);
  }

  amo(): void {
    const r = this.r;
    const size = r.chance(0.5) ? 4 : 8;
    const base = this.rd();
    this.emit(`addi ${n(base)}, gp, ${r.int(-128 / size, 128 / size - 1) * size}`);
    this.emit(`${r.pick(AMOS)}.${size === 4 ? "w" : "d"}${r.pick(ORDER)} ${n(this.rd())}, ${n(this.rs())}, (${n(base)})`);
  }

  /** LR/SC: a matching pair, a pair at different addresses, or a lone SC; only ALU work in between. */
  lrsc(): void {
    const r = this.r;
    const w = r.chance(0.5) ? "w" : "d";
    const size = w === "w" ? 4 : 8;
    const base = this.rd();
    this.emit(`addi ${n(base)}, gp, ${r.int(-128 / size, 128 / size - 1) * size}`);
    const kind = r.int(0, 5);
    if (kind > 0) this.emit(`lr.${w}${r.pick(ORDER)} ${n(r.pick(WRITABLE.filter((x) => x !== base)))}, (${n(base)})`);
    for (let i = r.int(0, 2); i > 0; i--) {
      const rd = r.pick(WRITABLE.filter((x) => x !== base));
      this.emit(`addi ${n(rd)}, ${n(this.rs())}, ${r.int(-50, 50)}`);
    }
    if (kind === 1) {
      const other = this.rd();
      this.emit(`addi ${n(other)}, gp, ${r.int(-128 / size, 128 / size - 1) * size}`);
      this.emit(`sc.${w}${r.pick(ORDER)} ${n(this.rd())}, ${n(this.rs())}, (${n(other)})`);
    } else {
      this.emit(`sc.${w}${r.pick(ORDER)} ${n(this.rd())}, ${n(this.rs())}, (${n(base)})`);
    }
  }

  /** Forward control flow: conditional skips, jal, jalr (through la), compressed jumps. */
  control(): void {
    const r = this.r;
    const skip = this.newLabel();
    switch (r.int(0, 6)) {
      case 0: case 1: case 2:
        this.emit(`${r.pick(BRANCHES)} ${n(this.rs())}, ${n(this.rs())}, ${skip}`);
        break;
      case 3:
        this.c(`${r.pick(["c.beqz", "c.bnez"])} ${n(r.pick(CREGS))}, ${skip}`);
        break;
      case 4:
        if (r.chance(0.5)) this.emit(`jal ${n(this.rd())}, ${skip}`);
        else this.c(`c.j ${skip}`);
        break;
      default: {
        const t = this.rd();
        this.emit(`lla ${n(t)}, ${skip}`);
        if (r.chance(0.5)) this.emit(`jalr ${n(this.rd())}, 0(${n(t)})`);
        else this.c(`${r.pick(["c.jr", "c.jalr"])} ${n(t)}`);
      }
    }
    for (let i = r.int(1, 3); i > 0; i--) this.alu();
    this.out.push(`${skip}:`);
  }

  compressed(): void {
    const r = this.r;
    const nz = (lo: number, hi: number) => {
      const v = r.int(lo, hi - 1);
      return v >= 0 ? v + 1 : v;
    };
    const rdNz = () => this.rd();
    const cr = () => n(r.pick(CREGS));
    switch (r.int(0, 18)) {
      case 18: // the shamt = 0 HINTs: no effect
        return r.chance(0.5) ? this.c(`${r.pick(["c.srli64", "c.srai64"])} ${cr()}`) : this.c(`c.slli64 ${n(rdNz())}`);
      case 0: return this.c(`c.addi ${n(rdNz())}, ${nz(-32, 31)}`);
      case 1: return this.c(`c.li ${n(rdNz())}, ${r.int(-32, 31)}`);
      case 2: {
        const v = nz(-32, 31);
        const rd = r.pick(WRITABLE.filter((x) => x !== 2));
        return this.c(`c.lui ${n(rd)}, 0x${(v > 0 ? v : 0x100000 + v).toString(16)}`);
      }
      case 3: return this.c(`c.addiw ${n(rdNz())}, ${r.int(-32, 31)}`);
      case 4: return this.c(`c.addi16sp sp, ${nz(-32, 31) * 16}`);
      case 5: return this.c(`c.addi4spn ${cr()}, sp, ${r.int(1, 255) * 4}`);
      case 6: return this.c(`c.slli ${n(rdNz())}, ${r.int(1, 63)}`);
      case 7: return this.c(`${r.pick(["c.srli", "c.srai"])} ${cr()}, ${r.int(1, 63)}`);
      case 8: return this.c(`c.andi ${cr()}, ${r.int(-32, 31)}`);
      case 9: return this.c(`c.mv ${n(rdNz())}, ${n(r.pick(ANY.filter((x) => x !== 0)))}`);
      case 10: return this.c(`c.add ${n(rdNz())}, ${n(r.pick(ANY.filter((x) => x !== 0)))}`);
      case 11: case 12:
        return this.c(`${r.pick(["c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"])} ${cr()}, ${cr()}`);
      case 13: case 14: {
        const base = r.pick(CREGS);
        this.emit(`addi ${n(base)}, gp, -128`);
        const d = r.chance(0.5);
        const off = d ? r.int(0, 31) * 8 : r.int(0, 31) * 4;
        const op = r.chance(0.5) ? (d ? "c.ld" : "c.lw") : d ? "c.sd" : "c.sw";
        return this.c(`${op} ${cr()}, ${off}(${n(base)})`);
      }
      default: {
        this.emit("addi sp, gp, -128");
        const d = r.chance(0.5);
        const off = d ? r.int(0, 31) * 8 : r.int(0, 63) * 4;
        const load = r.chance(0.5);
        const op = load ? (d ? "c.ldsp" : "c.lwsp") : d ? "c.sdsp" : "c.swsp";
        return this.c(`${op} ${load ? n(rdNz()) : n(this.rs())}, ${off}(sp)`);
      }
    }
  }

  fence(): void {
    this.emit(this.r.pick(["fence", "fence rw,rw", "fence r,w", "fence.tso", "fence iorw,iorw"]));
  }

  /** One straight-line item. */
  item(): void {
    const x = this.r.int(0, 99);
    if (x < 40) this.alu();
    else if (x < 58) this.memory();
    else if (x < 76) this.compressed();
    else if (x < 83) this.amo();
    else if (x < 87) this.lrsc();
    else if (x < 98) this.control();
    else this.fence();
  }

  /** A counted loop: s11 = 1..12 iterations of a straight-line body. */
  loop(): void {
    const head = this.newLabel();
    this.emit(`li s11, ${this.r.int(1, 12)}`);
    this.out.push(`${head}:`);
    for (let i = this.r.int(3, 12); i > 0; i--) this.item();
    this.emit("addi s11, s11, -1");
    this.emit(`bnez s11, ${head}`);
  }
}

export interface DiffCorpus {
  seed: number;
  count: number;
  /** The whole assembly file. */
  source: string;
  /** Per program: its body (for failure reports). */
  bodies: string[];
}

/** Bytes each program prints: 256 bytes of data area, then x0..x31. */
export const RECORD_BYTES = 512;

function dwords(values: bigint[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += 4) lines.push(`  .dword ${values.slice(i, i + 4).map((v) => `0x${v.toString(16)}`).join(", ")}`);
  return lines;
}

/** Generates `count` programs from `seed`. */
export function generate(seed: number, count: number): DiffCorpus {
  const r = new Rng(seed);
  const text: string[] = [];
  const data: string[] = [];
  const bodies: string[] = [];
  for (let id = 0; id < count; id++) {
    const p = new Program(r, id);
    const items = r.int(20, 60);
    for (let i = 0; i < items; i++) {
      if (r.chance(0.04)) p.loop();
      else p.item();
    }
    bodies.push(p.out.join("\n"));
    text.push(`prog_${id}:`, `  lla gp, block_${id} + 384`);
    for (const reg of WRITABLE) text.push(`  ld ${n(reg)}, ${-384 + 8 * reg}(gp)`);
    text.push("  li s11, 0", ...p.out);
    for (let reg = 0; reg < 32; reg++) text.push(`  sd ${n(reg)}, ${128 + 8 * reg}(gp)`);
    text.push("  li a0, 1", "  addi a1, gp, -128", `  li a2, ${RECORD_BYTES}`, "  li a7, 64", "  ecall");
    text.push("  lla t0, prog_return", "  jr t0");
    const init = Array.from({ length: 32 }, () => interesting(r));
    const bytes = Array.from({ length: 32 }, () => r.u64());
    data.push("  .balign 16", `block_${id}:`, ...dwords(init), ...dwords(bytes), `  .zero ${RECORD_BYTES - 256}`);
  }
  const source = [
    "# Generated by test/runtime/diff/gen.ts: random RV64 programs for the QEMU differential test.",
    `# seed ${seed}, ${count} programs. Run: <emulator> <elf> <first> <count>`,
    ".option norvc",
    ".option norelax",
    ".text",
    ".globl _start",
    "_start:",
    "  ld a0, 16(sp)", "  call parse_dec", "  mv s0, a0",
    "  ld a0, 24(sp)", "  call parse_dec", "  mv s1, a0",
    "  lla s2, prog_table",
    ".Lnext:",
    "  beqz s1, .Ldone",
    "  lla t1, runner_save", "  sd s0, 0(t1)", "  sd s1, 8(t1)", "  sd s2, 16(t1)",
    "  slli t0, s0, 3", "  add t0, s2, t0", "  ld t0, 0(t0)", "  jr t0",
    "prog_return:",
    "  lla t1, runner_save", "  ld s0, 0(t1)", "  ld s1, 8(t1)", "  ld s2, 16(t1)",
    "  addi s0, s0, 1", "  addi s1, s1, -1", "  j .Lnext",
    ".Ldone:",
    "  li a0, 0", "  li a7, 93", "  ecall",
    "parse_dec:",
    "  li t1, 0", "  li t3, 10",
    "1: lbu t2, 0(a0)", "  beqz t2, 2f", "  addi t2, t2, -48", "  mul t1, t1, t3", "  add t1, t1, t2", "  addi a0, a0, 1", "  j 1b",
    "2: mv a0, t1", "  ret",
    ...text,
    ".data",
    "  .balign 16",
    "runner_save: .zero 32",
    ...data,
    "  .balign 8",
    "prog_table:",
    ...Array.from({ length: count }, (_, i) => `  .dword prog_${i}`),
    "",
  ].join("\n");
  return { seed, count, source, bodies };
}
