/**
 * @fileoverview The printer: its spelling of each form, and the round trip assemble(print(x)) == x for the whole
 * corpus (every opcode), for random slots of every opcode (malformed ones print as .8byte), and for listings.
 */
import { describe, expect, it } from "vitest";
import { assemble } from "../../compiler/bpf/asm.js";
import { atomic, callHelper, callKfunc, callPseudo, exit, gotol, ja, jmpImm, ldImm64, mov64Imm, mov64Reg } from "../../compiler/bpf/build.js";
import { insn, insnsToHex, isLdImm64, type Insn } from "../../compiler/bpf/insn.js";
import { printInsn, printProgram, raw } from "../../compiler/bpf/print.js";
import { validateInsn } from "../../compiler/bpf/validate.js";
import { corpus, extraCorpus } from "./corpus.js";

/** [instruction, its spelling], written from docs/bpf-asm.md. */
const SPELLINGS: Array<[Insn[], string]> = [
  [[mov64Imm(0, 1)], "r0 = 1"],
  [[insn(0xb4, 1, 0, 0, -1)], "w1 = -1"],
  [[insn(0x0c, 0, 1, 0, 0)], "w0 += w1"],
  [[insn(0xc7, 2, 0, 0, 3)], "r2 s>>= 3"],
  [[insn(0x3f, 0, 1, 1, 0)], "r0 s/= r1"],
  [[insn(0x94, 0, 0, 1, -7)], "w0 s%= -7"],
  [[insn(0x87, 4, 0, 0, 0)], "r4 = -r4"],
  [[insn(0xbc, 0, 1, 16, 0)], "w0 = (s16)w1"],
  [[insn(0xdc, 3, 0, 0, 32)], "r3 = be32 r3"],
  [[insn(0xd4, 3, 0, 0, 16)], "r3 = le16 r3"],
  [[insn(0xd7, 3, 0, 0, 64)], "r3 = bswap64 r3"],
  [ldImm64(1, 0x123456789n), "r1 = 0x123456789 ll"],
  [ldImm64(1, -1n), "r1 = -1 ll"],
  [ldImm64(1, 999_999n), "r1 = 999999 ll"],
  [ldImm64(1, -1_000_000n), "r1 = 0xfffffffffff0bdc0 ll"],
  [[insn(0x61, 0, 1, 8, 0)], "r0 = *(u32 *)(r1 + 8)"],
  [[insn(0x91, 0, 1, -1, 0)], "r0 = *(s8 *)(r1 - 1)"],
  [[insn(0x7b, 10, 1, -8, 0)], "*(u64 *)(r10 - 8) = r1"],
  [[insn(0x6a, 10, 0, -2, 0x1234)], "*(u16 *)(r10 - 2) = 4660"],
  [[insn(0x28, 0, 0, 0, 12)], "r0 = *(u16 *)skb[12]"],
  [[insn(0x50, 0, 3, 0, -2)], "r0 = *(u8 *)skb[r3 - 2]"],
  [[atomic(0x18, 0x00, 1, 2, 0)], "lock *(u64 *)(r1 + 0) += r2"],
  [[atomic(0x00, 0xa0, 1, 2, 4)], "lock *(u32 *)(r1 + 4) ^= w2"],
  [[atomic(0x18, 0x51, 1, 2, 0)], "r2 = atomic_fetch_and((u64 *)(r1 + 0), r2)"],
  [[atomic(0x00, 0x41, 10, 3, -4)], "w3 = atomic_fetch_or((u32 *)(r10 - 4), w3)"],
  [[atomic(0x18, 0xe1, 1, 2, 0)], "r2 = xchg_64(r1 + 0, r2)"],
  [[atomic(0x00, 0xf1, 1, 2, 0)], "w0 = cmpxchg32_32(r1 + 0, w0, w2)"],
  [[atomic(0x08, 0x100, 5, 1, 2)], "w5 = load_acquire((u16 *)(r1 + 2))"],
  [[atomic(0x18, 0x110, 1, 6, 0)], "store_release((u64 *)(r1 + 0), r6)"],
  [[jmpImm(0x60, 1, 5, 3)], "if r1 s> 5 goto +3"],
  [[insn(0x4e, 1, 2, -1, 0)], "if w1 & w2 goto -1"],
  [[ja(0)], "goto +0"],
  [[gotol(-100000)], "gotol -100000"],
  [[callHelper(1)], "call bpf_map_lookup_elem"],
  [[callHelper(999)], "call 999"],
  [[callKfunc(1)], "call bpf_throw"],
  [[callKfunc(77)], "call kfunc[77]"],
  [[callPseudo(-2)], "call pc-2"],
  [[insn(0x8d, 4, 0, 0, 0)], "callx r4"],
  [[exit()], "exit"],
  [[insn(0x18, 1, 1, 0, 3), insn(0, 0, 0, 0, 0)], "r1 = map[3] ll"],
  [[insn(0x18, 1, 2, 0, 3), insn(0, 0, 0, 0, 16)], "r1 = map_value[3 + 16] ll"],
  [[insn(0x18, 1, 4, 0, 1), insn(0, 0, 0, 0, 0)], "r1 = func[pc+1] ll"],
  [[insn(0x07, 0, 0, 1, 1)], ".8byte 0x0000000100010007 ; BPF_ALU uses reserved fields (BPF_ALU64|BPF_ADD|BPF_K: off = 1, must be 0: only div and mod use off)"],
  [[insn(0x85, 0, 2, 3, 1)], ".8byte 0x0000000100032085 ; kfunc call with module BTF index 3: no assembly syntax"],
];

describe("printer: spellings", () => {
  it.each(SPELLINGS)("%# %s", (insns, text) => {
    expect(printInsn(insns, 0)).toBe(text);
    expect(assemble(text).insns).toEqual(insns);
  });

  it("uses names when given: labels for jumps and calls, map names, numeric helpers on request", () => {
    const labels = new Map([[5, "out"], [0, "f"]]);
    expect(printInsn([insn(0, 0, 0, 0, 0), insn(0, 0, 0, 0, 0), jmpImm(0x10, 1, 0, 2)], 2, { labels })).toBe("if r1 == 0 goto out");
    expect(printInsn([mov64Imm(0, 0), callPseudo(-2)], 1, { labels })).toBe("call f");
    expect(printInsn([insn(0x18, 1, 4, 0, -1), insn(0, 0, 0, 0, 0)], 0, { labels })).toBe("r1 = func[f] ll");
    expect(printInsn([insn(0x18, 1, 2, 0, 1), insn(0, 0, 0, 0, 8)], 0, { maps: ["a", "b"] })).toBe("r1 = map_value[b + 8] ll");
    expect(printInsn([insn(0x18, 1, 1, 0, 5), insn(0, 0, 0, 0, 0)], 0, { maps: ["a", "b"] })).toBe("r1 = map[5] ll");
    expect(printInsn([callHelper(1)], 0, { helperNames: false })).toBe("call 1");
    expect(printInsn([callKfunc(1)], 0, { kfuncs: new Map([[1, "my_kfunc"]]) })).toBe("call my_kfunc");
  });

  it("prints the verifier's output with r11 and tail_call when asked", () => {
    const x = [mov64Reg(11, 1), insn(0xf5, 0, 0, 0, 0)];
    expect(printInsn(x, 0, { xlated: true })).toBe("r11 = r1");
    expect(printInsn(x, 1, { xlated: true })).toBe("tail_call");
    expect(printInsn(x, 0)).toMatch(/^\.8byte .* R11 is invalid/);
    expect(printInsn(x, 1)).toMatch(/^\.8byte .* unknown opcode f5/);
  });
});

describe("printer: round trip", () => {
  it.each([...corpus(), ...extraCorpus()].map((e) => [printInsn(e.insns, 0), e.insns] as const))("%s", (text, insns) => {
    expect(text.startsWith(".8byte")).toBe(false);
    expect(assemble(text).insns).toEqual(insns);
  });

  it("reads back random slots of every opcode, well formed or not", () => {
    let seed = 0x12345678;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8);
    const pick = <T>(xs: readonly T[]) => xs[rnd() % xs.length]!;
    let symbolic = 0;
    for (let k = 0; k < 20_000; k++) {
      const code = k & 0xff;
      const x = insn(code, pick([0, 1, 10, 11, rnd() & 15]), pick([0, 0, 1, 2, 10, rnd() & 15]), pick([0, 0, 1, 8, 16, 32, -1, rnd()]),
        pick([0, 0, 1, 16, 32, 64, 0x100, 0x110, 0xe1, 0xf1, -1, rnd() | 0]));
      const insns = isLdImm64(x) ? [x, insn(0, 0, 0, 0, pick([0, 1, -1, rnd() | 0]))] : [x];
      const text = printInsn(insns, 0);
      if (!text.startsWith(".8byte")) symbolic++;
      const kfuncWithOff = x.code === 0x85 && x.src === 2 && x.off !== 0 && validateInsn(insns, 0) === undefined;
      expect(validateInsn(insns, 0) === undefined && !kfuncWithOff, text).toBe(!text.startsWith(".8byte"));
      const back = assemble(text, `random-${k}`).insns;
      expect(insnsToHex(back), text).toBe(insnsToHex(text.startsWith(".8byte") ? [x] : insns));
    }
    expect(symbolic).toBeGreaterThan(1000);
  });

  it("writes a malformed slot as LLVM's .8byte, little-endian", () => {
    expect(raw(insn(0x95, 1, 2, -2, 0x11223344))).toBe(".8byte 0x11223344fffe2195");
  });
});

describe("printer: listings", () => {
  const text = `
.exception_callback cb
start:
    r6 = map[events] ll
    r1 = func[cb] ll
    if r1 > 3 goto done
    call work
    call bpf_throw
    gotol done
done:
    exit
.func work static args=1 ret=void
work:
    exit
.func cb global args=1 ret=scalar
cb:
    r0 = r1
    exit
`;
  const maps = ["counters", "events"];

  it("assembles back to the same program: instructions, functions, callback, labels", () => {
    const p = assemble(text, "l.s", { maps });
    const listing = printProgram(p);
    const q = assemble(listing, "listing.s", { maps });
    expect(q.insns).toEqual(p.insns);
    expect(q.funcs).toEqual(p.funcs);
    expect(q.exceptionCallback).toBe("cb");
    expect(q.labels).toEqual(p.labels);
    expect(listing).toContain("    r6 = map[events] ll\n");
    expect(listing).toContain("\n.func work static args=1 ret=void\nwork:\n    exit\n");
    expect(listing.startsWith(".exception_callback cb\n.func start global\nstart:\n")).toBe(true);
  });

  it("names unnamed targets L<slot> and func<slot>, and leaves unprintable targets numeric", () => {
    const insns = [jmpImm(0x10, 1, 0, 3), callPseudo(3), ...ldImm64(2, 5n), ja(-3), exit(), exit(), ja(100), ja(-3)];
    const listing = printProgram(insns, { annotate: (s) => (s === 0 ? "first" : undefined) });
    expect(listing).toBe([
      "    if r1 == 0 goto L4 ; first",
      "    call func5",
      "L2:",
      "    r2 = 5 ll",
      "L4:",
      "    goto L2",
      "func5:",
      "    exit",
      "L6:",
      "    exit",
      "    goto +100",
      "    goto L6",
      "",
    ].join("\n"));
    expect(assemble(listing).insns).toEqual(insns);
  });

  it("prints a malformed LD_IMM64 as two .8byte slots", () => {
    const insns = [insn(0x18, 1, 0, 0, 5), insn(0x00, 1, 0, 0, 0), exit()];
    const listing = printProgram(insns);
    expect(listing.split("\n").filter((l) => l.includes(".8byte"))).toHaveLength(2);
    expect(assemble(listing).insns).toEqual(insns);
  });
});
