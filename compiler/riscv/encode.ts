/**
 * @fileoverview Encoding, derived from the table: `encode(mnemonic, operands)`, `insnSize(mnemonic)`, and the typed
 * builder `rv`, one function per mnemonic (dots become underscores: rv.add_uw, rv.c_addi, rv.amoadd_w) taking its
 * operands in assembly-template order, with branch and jump offsets in bytes:
 *
 *   rv.addi(rd, rs1, imm)   rv.ld(rd, imm, rs1)   rv.sd(rs2, imm, rs1)   rv.beq(rs1, rs2, off)   rv.jal(rd, off)
 *   rv.lui(rd, imm20)       rv.amoadd_w(rd, rs2, rs1, aq?, rl?)          rv.fence(pred, succ)
 *   rv.c_addi(rd, imm)      rv.c_ld(rd, imm, rs1)  rv.c_j(off)  rv.c_jr(rs1)  rv.c_addi16sp(imm)  rv.c_lwsp(rd, imm)
 *
 * Every operand is range-checked; a bad one throws EncodeError naming the instruction, the field and the allowed range.
 */
import { EncodeError, type Operands } from "./formats.js";
import { ISA, type Mnemonic } from "./isa.js";
import { ROW_OF, type Row } from "./rows.js";

export { EncodeError, type Operands } from "./formats.js";

function rowOf(m: string): Row {
  const r = ROW_OF.get(m);
  if (r === undefined) throw new EncodeError(m, "mnemonic", `unknown instruction '${m}'`);
  return r;
}

/** Applies the row's fixed/implied operands and its non-zero rules; returns the operands to place. */
function checkRowOperands(r: Row, o: Operands): Operands {
  let out = o;
  if (r.fixed.length > 0) {
    out = { ...o };
    for (const [k, v] of r.fixed) {
      const given = o[k];
      if (given !== undefined && given !== v) {
        throw new EncodeError(r.m, k, `${k} = ${given} is not encodable: ${r.m} fixes ${k} = ${v}`);
      }
      out[k] = v;
    }
  }
  if (r.codec.tied && r.spec.rs1 === undefined && out.rs1 !== undefined && out.rs1 !== out.rd) {
    throw new EncodeError(r.m, "rs1", `rs1 = ${out.rs1} must equal rd = ${out.rd} (one field holds both)`);
  }
  for (const k of r.nz) {
    if (out[k] === 0) throw new EncodeError(r.m, k, `${k} must not be 0 (that encoding is reserved or another instruction)`);
  }
  if (out.rd === r.rdNot) throw new EncodeError(r.m, "rd", `rd = ${out.rd} is not encodable in ${r.m} (that encoding is another instruction)`);
  return out;
}

/** Encodes one instruction: a 32-bit word, or a 16-bit halfword for c.* forms. Throws EncodeError. */
export function encode(m: Mnemonic, ops: Operands): number {
  const r = rowOf(m);
  const o = r.fixed.length > 0 || r.nz.length > 0 || r.codec.tied || r.rdNot >= 0 ? checkRowOperands(r, ops) : ops;
  return r.codec.encode(r.m, r.base, o);
}

/** Size in bytes of `m`'s encoding. */
export function insnSize(m: Mnemonic): 2 | 4 {
  return rowOf(m).size;
}

// ---------------------------------------------------------------------------------------------------------------
// The builder. Its type is computed from the table's templates, so rv.addi takes exactly (rd, rs1, imm).

/** "rd,imm(rs1)" -> [number, number, number]; the literal `sp` takes no argument. */
type Args<S extends string> = S extends `${infer A},${infer B}` ? [...Args<A>, ...Args<B>]
  : S extends `${infer A}(${infer B})` ? [...Args<A>, ...Args<B>]
  : S extends "" | "sp" ? []
  : [number];
type Dots<S extends string> = S extends `${infer A}.${infer B}` ? `${A}_${Dots<B>}` : S;
type Ordering = [aq?: boolean | number, rl?: boolean | number];
type BuilderFn<M extends Mnemonic> = (typeof ISA)[M] extends { aqrl: true }
  ? (...args: [...Args<(typeof ISA)[M]["asm"]>, ...Ordering]) => number
  : (...args: Args<(typeof ISA)[M]["asm"]>) => number;
export type Builder = { readonly [M in Mnemonic as Dots<M>]: BuilderFn<M> };

type Field = "rd" | "rs1" | "rs2" | "imm" | "pred" | "succ";

/** Stores v into o's field `k` with a named (monomorphic) store rather than a keyed one. */
function setField(o: Operands, k: Field, v: number): void {
  switch (k) {
    case "rd": o.rd = v; break;
    case "rs1": o.rs1 = v; break;
    case "rs2": o.rs2 = v; break;
    case "imm": o.imm = v; break;
    case "pred": o.pred = v; break;
    case "succ": o.succ = v; break;
  }
}

/**
 * The builder for one row. It is on the JIT's hot path, so it fills one operand object of a fixed shape, owned by
 * the builder and reused across calls (nothing is allocated per instruction), with the row's fixed and tied operands
 * set directly; the range checks are encode()'s.
 */
function builderFn(r: Row): (...args: Array<number | boolean | undefined>) => number {
  const keys = r.tokens.map((t): Field => (t === "off" ? "imm" : t));
  const n = keys.length;
  const aqrl = r.spec.aqrl === true;
  const max = n + (aqrl ? 2 : 0);
  const tie = r.codec.tied === true && r.spec.rs1 === undefined;
  const o: Operands = { rd: 0, rs1: 0, rs2: 0, imm: 0, aq: false, rl: false, pred: 0, succ: 0 };
  const arity = (got: number): EncodeError =>
    new EncodeError(r.m, "operands", `takes ${n}${aqrl ? "-" + max : ""} operands (${r.tokens.join(", ")}), got ${got}`);
  const fixedKeys = r.fixed.map(([k]) => k);
  const fixedVals = r.fixed.map(([, v]) => v);
  const { codec, base, m } = r;
  return function build() {
    // eslint-disable-next-line prefer-rest-params -- `arguments` avoids allocating a rest array per call
    const args = arguments as unknown as ArrayLike<number | boolean | undefined>;
    if (args.length < n || args.length > max) throw arity(args.length);
    for (let i = 0; i < n; i++) setField(o, keys[i]!, args[i] as number);
    for (let i = 0; i < fixedKeys.length; i++) setField(o, fixedKeys[i]!, fixedVals[i]!);
    if (tie) o.rs1 = o.rd;
    if (aqrl) {
      o.aq = Boolean(args[n]);
      o.rl = Boolean(args[n + 1]);
    }
    for (let i = 0; i < r.nz.length; i++) {
      const k = r.nz[i]!;
      if (o[k] === 0) throw new EncodeError(m, k, `${k} must not be 0 (that encoding is reserved or another instruction)`);
    }
    if (o.rd === r.rdNot) throw new EncodeError(m, "rd", `rd = ${o.rd} is not encodable in ${m} (that encoding is another instruction)`);
    return codec.encode(m, base, o);
  };
}

/** One encoder per mnemonic, operands in assembly order (see the file header). */
export const rv: Builder = Object.freeze(
  Object.fromEntries([...ROW_OF.values()].map((r) => [r.m.replace(/\./g, "_"), builderFn(r)])),
) as unknown as Builder;
