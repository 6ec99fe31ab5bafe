/**
 * @fileoverview Labels: definitions at the start of a line (`name:`, numeric `1:`), and the resolution of every
 * reference to them (`goto name`, `1f`/`1b`, `call name`, `func[name]`) once the whole text has been read.
 */
import { helperId } from "../helper-names.js";
import { insn, type Insn } from "../insn.js";
import { asmError } from "./lexer.js";
import { isRegTok } from "./operands.js";
import { kfuncIdOf, type AsmState, type Fixup, type Line } from "./state.js";

/** Consumes leading `name:` / `1:` label definitions. */
export function labelDefs(l: Line): void {
  while ((l.peek()?.kind === "id" || l.peek()?.kind === "num") && l.peek(1)?.text === ":") {
    const t = l.next()!;
    l.next();
    const slot = l.st.insns.length;
    if (t.kind === "num") {
      if (!/^[0-9]+$/.test(t.text)) throw l.error(t, `'${t.text}' is not a label: numeric labels are plain decimal numbers`);
    } else {
      if (isRegTok(t) || t.text.startsWith(".")) throw l.error(t, `'${t.text}' cannot be a label name`);
      if (helperId(t.text) !== undefined || kfuncIdOf(l.st, t.text) !== undefined) {
        throw l.error(t, `label '${t.text}' has the name of a ${helperId(t.text) !== undefined ? "helper" : "kfunc"}: choose another`);
      }
      if (l.st.labels.has(t.text)) throw l.error(t, `label '${t.text}' is already defined (at slot ${l.st.labels.get(t.text)})`);
      l.st.labels.set(t.text, slot);
    }
    l.st.defs.push({ name: t.text, slot, order: l.st.order });
  }
}

/**
 * `x` with `rel` (target - slot - 1: eBPF targets are relative to the next slot) in the field that holds its
 * target: `off` for jumps, `imm` for gotol, calls and func[]. The caller has checked that `rel` fits.
 */
export function withTarget(x: Insn, field: "off" | "imm", rel: number): Insn {
  return field === "off" ? insn(x.code, x.dst, x.src, rel, x.imm) : insn(x.code, x.dst, x.src, x.off, rel);
}

/** Patches every label reference; returns the slots that calls and func[] loads target, with the names used. */
export function resolveFixups(st: AsmState): Map<number, string | undefined> {
  const funcStarts = new Map<number, string | undefined>();
  const fail = (f: Fixup, msg: string) => asmError(st.file, f.line, f.at.col, f.lineText, msg);
  for (const f of st.fixups) {
    let target: number | undefined;
    if (f.dir === "b") target = st.defs.filter((d) => d.name === f.label && d.order <= f.order).pop()?.slot;
    else if (f.dir === "f") target = st.defs.find((d) => d.name === f.label && d.order > f.order)?.slot;
    else target = st.labels.get(f.label);
    if (target === undefined) {
      const what = f.isFunc ? `unknown call target '${f.label}': not a label, a helper (bpf_...) or a kfunc` : `unknown label '${f.at.text}'`;
      throw fail(f, f.dir ? `no label '${f.label}' ${f.dir === "f" ? "after" : "before"} this line for '${f.at.text}'` : what);
    }
    const rel = target - f.slot - 1;
    if (f.field === "off" && (rel < -0x8000 || rel > 0x7fff)) {
      throw fail(f, `'${f.at.text}' is ${rel} slots away: does not fit the 16-bit offset (use gotol)`);
    }
    st.insns[f.slot] = withTarget(st.insns[f.slot]!, f.field, rel);
    if (f.isFunc && !funcStarts.has(target)) funcStarts.set(target, f.dir ? undefined : f.label);
  }
  return funcStarts;
}
