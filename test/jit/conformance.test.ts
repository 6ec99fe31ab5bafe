/**
 * @fileoverview `rvjit conformance --engine jit`: the whole bpf_conformance suite through our verifier, the JIT and
 * the emulator's kernel model, on every configuration. Every test the verifier accepts must return the expected
 * R0, exactly the tests the reference interpreter's engine passes, and every negative test must be refused.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENGINES, runSuite, type FileOutcome } from "../../cli/commands/conformance.js";
import { sharedTestdata } from "../support/tools.js";

const dir = sharedTestdata();
const CONFIGS = ["rv64ima", "rv64imac", "rv64imac_zba_zbb", "rv64imac_zacas"];

describe.skipIf(!dir)("the conformance suite through the JIT", () => {
  const suite = dir ? join(dir, "bpf-conformance") : "";
  let interp: FileOutcome[] = [];
  const verdicts = (os: FileOutcome[]): string[] => os.map((o) => `${o.file}: ${o.verdict}`);

  it("the interpreter engine's verdicts (the reference)", () => {
    interp = runSuite([suite], { engine: ENGINES.interp!, cwd: dir! });
    expect(interp.filter((o) => o.verdict === "fail")).toEqual([]);
  });

  for (const isa of CONFIGS) {
    it(`every test passes on ${isa} (the verifier's refusals aside), as on the interpreter`, () => {
      const outcomes = runSuite([suite], { engine: ENGINES.jit!, isa, cwd: dir! });
      expect(outcomes.filter((o) => o.verdict === "fail").map((o) => `${o.file}: ${o.reason}`)).toEqual([]);
      expect(outcomes.filter((o) => !o.negative && o.verdict === "pass").length).toBeGreaterThan(290);
      expect(verdicts(outcomes)).toEqual(verdicts(interp));
    });
  }
});
