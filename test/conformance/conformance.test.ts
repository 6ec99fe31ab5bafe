/**
 * @fileoverview The whole bpf_conformance suite (../shared/testdata/bpf-conformance) through `rvjit conformance`'s
 * runner on the interpreter. Every test passes, or is refused by the verifier for one of the reasons Linux 6.12 on
 * RISC-V would refuse it, listed below with the files each applies to (read off the test files); every negative
 * file is refused. A second run checks the verifier's rewrites against the raw programs.
 */
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { conformanceVerifyOptions, ENGINES, type FileOutcome, runSuite } from "../../cli/commands/conformance.js";
import { parseConformance } from "../../compiler/bpf/conformance.js";
import { verify } from "../../compiler/passes/verify.js";
import { runConformance } from "../../runtime/interp/conformance.js";
import { rawProgram } from "../../runtime/interp/raw.js";
import { sharedTestdata } from "../support/tools.js";

const testdata = sharedTestdata();
const suite = testdata && join(testdata, "bpf-conformance");

/** Why Linux would refuse a conformance test, and which tests that is. */
const KERNEL_REJECTIONS = [
  { why: "a shift by an immediate outside the operand's width", reason: /^invalid shift -?\d+$/, files: /-imm-(high|neg)\.data$/ },
  { why: "callx (0x8d) is newer than Linux 6.12", reason: /^unknown opcode 8d /, files: /^callx\.data$/ },
  {
    why: "RISC-V without efficient unaligned access: the verifier enforces alignment on every access",
    reason: /^misaligned access off \(0x0; 0x0\)\+\d+\+\d+ size [48]$/,
    // [%r1+2] with 4- and 8-byte accesses; subnet.data loads a u32 at offset 14 + 16 (or 18 + 16) of a packet.
    files: /^(ldxw|ldxdw|stw|stdw|stxw|stxdw|subnet)\.data$/,
  },
];

describe.skipIf(!suite)("bpf_conformance on the interpreter", () => {
  let tests: FileOutcome[] = [];
  let negatives: FileOutcome[] = [];
  beforeAll(() => {
    const outcomes = runSuite([suite!], { engine: ENGINES.interp!, cwd: suite! });
    tests = outcomes.filter((o) => !o.negative);
    negatives = outcomes.filter((o) => o.negative);
  });
  const name = (o: FileOutcome) => basename(o.file);

  it("reads all 313 tests and 60 negative files", () => {
    expect([tests.length, negatives.length]).toEqual([313, 60]);
  });

  it("no test fails", () => {
    expect(tests.filter((o) => o.verdict === "fail").map((o) => `${o.file}: ${o.reason}`)).toEqual([]);
  });

  it("every refused test is refused for a kernel reason that applies to it, and every test a reason applies to is refused", () => {
    for (const o of tests) {
      const rule = KERNEL_REJECTIONS.find((r) => r.files.test(name(o)));
      if (o.verdict === "rejected") {
        expect(rule, `${o.file} was refused: ${o.reason}`).toBeDefined();
        expect(o.reason).toMatch(rule!.reason);
      } else {
        expect(rule, `${o.file} should have been refused (${rule?.why})`).toBeUndefined();
      }
    }
    expect(tests.filter((o) => o.verdict === "rejected")).toHaveLength(20);
    expect(tests.filter((o) => o.verdict === "pass")).toHaveLength(293);
  });

  it("every negative file is refused: 13 by the reader, 47 by the verifier", () => {
    expect(negatives.filter((o) => o.verdict !== "pass").map((o) => `${o.file}: ${o.reason}`)).toEqual([]);
    const by = (stage: string) => negatives.filter((o) => o.stage === stage).length;
    expect([by("read"), by("verify"), by("run"), by("result")]).toEqual([13, 47, 0, 0]);
    // The 45 unused-* files set a field that must be zero: refused as malformed instructions.
    const unused = negatives.filter((n) => name(n).startsWith("unused-"));
    expect(unused).toHaveLength(45);
    for (const o of unused) expect(o.reason, o.file).toMatch(/uses reserved fields/);
  });

  it("with efficient unaligned access modelled, the alignment refusals go and those tests pass", () => {
    const relaxed = runSuite([join(suite!, "tests")], { engine: ENGINES.interp!, cwd: suite!, efficientUnalignedAccess: true });
    expect(relaxed.filter((o) => o.verdict === "fail")).toEqual([]);
    expect(relaxed.filter((o) => o.verdict === "pass")).toHaveLength(300);
    // incorrect_return_value_high_bits.data then runs, and is refused by its (deliberately wrong) result instead.
    const neg = runSuite([join(suite!, "negative", "incorrect_return_value_high_bits.data")], { engine: ENGINES.interp!, cwd: suite!, efficientUnalignedAccess: true });
    expect(neg.map((o) => [o.verdict, o.stage])).toEqual([["pass", "result"]]);
  });

  it("the verifier's rewrites keep every program's meaning: the xlated and the raw program return the same r0", () => {
    let compared = 0;
    for (const o of tests.filter((t) => t.verdict === "pass")) {
      const t = parseConformance(readFileSync(join(suite!, o.file), "utf8"), o.file);
      const xlated = runConformance(verify(t, conformanceVerifyOptions(t)), t.mem);
      const raw = runConformance(rawProgram(t.insns), t.mem);
      expect([raw.kind, raw.r0], o.file).toEqual([xlated.kind, xlated.r0]);
      compared++;
    }
    expect(compared).toBe(293);
  });
});
