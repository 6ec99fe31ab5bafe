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

function builderFn(r: Row): (...args: Array<number | boolean | undefined>) => number {
  const tokens = r.tokens;
  const n = tokens.length;
  const aqrl = r.spec.aqrl === true;
  return (...args) => {
    if (args.length < n || args.length > n + (aqrl ? 2 : 0)) {
      throw new EncodeError(r.m, "operands", `takes ${n}${aqrl ? "-" + (n + 2) : ""} operands (${tokens.join(", ")}), got ${args.length}`);
    }
    const o: Operands = {};
    for (let i = 0; i < n; i++) {
      const t = tokens[i]!;
      o[t === "off" ? "imm" : t] = args[i] as number;
    }
    if (aqrl) {
      o.aq = Boolean(args[n]);
      o.rl = Boolean(args[n + 1]);
    }
    return encode(r.m, o);
  };
}

/** One encoder per mnemonic, operands in assembly order (see the file header). */
export const rv: Builder = Object.freeze(
  Object.fromEntries([...ROW_OF.values()].map((r) => [r.m.replace(/\./g, "_"), builderFn(r)])),
) as unknown as Builder;
