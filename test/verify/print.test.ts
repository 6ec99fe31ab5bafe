/**
 * @fileoverview The printable xlated program: functions, flags, origins, and a listing that assembles back to the
 * same instructions.
 */
import { describe, expect, it } from "vitest";
import { assemble } from "../../compiler/bpf/asm.js";
import { printVerified } from "../../compiler/passes/verify-print.js";
import { accept } from "./support.js";

describe("printVerified", () => {
  const v = accept("r6 = 2\ncall f\nr0 /= r6\nr1 = 5\ncall bpf_throw\nexit\nf:\nr0 = 8\n*(u64 *)(r10 - 8) = r0\nexit");
  const text = printVerified(v, { origin: true });

  it("lists every function with its stack depth and flags, and the hidden callback as the exception callback", () => {
    expect(text).toContain(".exception_callback hidden_exception_cb\n");
    expect(text).toContain("    r6 = 2 ; stack 0, exception boundary, calls; src 0\n");
    expect(text).toContain(".func f static\nf:\n    r0 = 8 ; stack 8; src 6\n");
    expect(text).toContain(".func hidden_exception_cb global args=1 ret=scalar\nhidden_exception_cb:\n    r0 = r1 ; stack 0, exception callback, hidden; inserted\n");
  });

  it("marks the verifier's own instructions as inserted", () => {
    expect(text).toContain("    if r6 != 0 goto L5 ; inserted\n    w0 ^= w0 ; inserted\n    goto L6 ; inserted\nL5:\n    r0 /= r6 ; src 2\n");
  });

  it("assembles back (as xlated) to the same instructions, AX and tail calls included", () => {
    expect(assemble(printVerified(v), "x.s", { xlated: true }).insns).toEqual(v.insns);
    const maps = [{ name: "jmp", type: "prog_array", keySize: 4, valueSize: 4, maxEntries: 1 }];
    const t = accept("r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s/= r1\nr2 = map[jmp] ll\nr3 = 0\ncall bpf_tail_call\nexit", { maps });
    const listing = printVerified(t);
    expect(listing).toContain("r11 = r1");
    expect(listing).toContain("tail_call");
    expect(assemble(listing, "t.s", { xlated: true }).insns).toEqual(t.insns);
  });
});
