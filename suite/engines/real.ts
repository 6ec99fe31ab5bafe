/**
 * @fileoverview The engine made of the real parts: assembler, verifier, JIT, listing, emulator and reference
 * interpreter. (Placeholder until those parts land: every spec reports "not supported".)
 */
import { NotSupported, type Engine } from "../engine.js";

export function realEngine(): Engine {
  return {
    passes: [],
    evaluate() {
      throw new NotSupported("the JIT pipeline has not landed yet");
    },
    isContextLine: () => false,
  };
}
