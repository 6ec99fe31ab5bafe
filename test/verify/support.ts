/**
 * @fileoverview Test support for the verifier: verify assembly text or raw slots, and get the result or the reason.
 */
import { expect } from "vitest";
import { assemble } from "../../compiler/bpf/asm.js";
import type { Insn } from "../../compiler/bpf/insn.js";
import { verify, type Verified, VerifierError, type VerifyOptions, type VerifyProgram } from "../../compiler/passes/verify.js";

type Source = string | readonly Insn[] | VerifyProgram;

function program(src: Source, opts: VerifyOptions): readonly Insn[] | VerifyProgram {
  if (typeof src !== "string") return src;
  return assemble(src, "t.s", { maps: (opts.maps ?? []).map((m, i) => m.name ?? `m${i}`) });
}

/** Verifies `src`, expecting success. */
export function accept(src: Source, opts: VerifyOptions = {}): Verified {
  return verify(program(src, opts), opts);
}

/** Verifies `src`, expecting a VerifierError; returns it. */
export function reject(src: Source, opts: VerifyOptions = {}): VerifierError {
  try {
    verify(program(src, opts), opts);
  } catch (e) {
    if (e instanceof VerifierError) return e;
    throw e;
  }
  expect.fail("the verifier accepted the program");
}

/** The reason `src` is rejected. */
export function reason(src: Source, opts: VerifyOptions = {}): string {
  return reject(src, opts).reason;
}
