/**
 * @fileoverview The real engine (suite/engines/real.ts) on small specs: every configuration compiled, run on the
 * emulator and judged against the interpreter and the spec's expectations; comparable C and non-C listings; assembler
 * errors, verifier refusals and unsupported features at the spec's file:line:col; pass dumps; tail calls; where the
 * JIT and the interpreter part when they disagree; r1-r5 entry arguments.
 */
import { describe, expect, it } from "vitest";
import { realEngine } from "../../suite/engines/real.js";
import { runSpec } from "../../suite/session.js";
import { main } from "../../cli/main.js";
import { memoryIo } from "../support/io.js";
import { fakeSpec, tempProject } from "./support.js";

const engine = realEngine();

function run(body: string, desc = "a spec") {
  const root = tempProject({ "specs/t/s.bpf": fakeSpec(desc, body) });
  return runSpec("specs/t/s.bpf", { project: { root }, engine });
}

describe("the real engine", () => {
  it("runs a spec on every configuration and judges it by hand-written expectations", () => {
    const ok = run("; run: ctx=[0300000000000000] => r0=8 ret=8\nr0 = *(u64 *)(r1 + 0)\nr0 += 5\nexit");
    expect(ok.runs.map((r) => [r.config, r.status])).toEqual([["rv64ima", "pass"], ["rv64imac", "pass"], ["rv64imac_zba_zbb", "pass"]]);
    expect(ok.behaviourOk).toBe(true);
    const main = ok.runs[0]!.sections![0]!;
    expect(main.summary).toMatch(/^\d+ insns, \d+ bytes, from 3 eBPF insns$/);
    expect(main.body).toContain("\t; r0 += 5\n");
    expect(main.body).toMatch(/\nruns:\n {2}run 1: return r0=8 ret=8; \d+ insns, stack \d+$/);

    const wrong = run("; run: ctx=[0300000000000000] => r0=9\nr0 = *(u64 *)(r1 + 0)\nr0 += 5\nexit");
    expect(wrong.behaviourOk).toBe(false);
    expect(wrong.runs[0]!.messages).toEqual(["specs/t/s.bpf:2:34: run 1: r0 is 8, expected 9"]);
  });

  it("makes C and non-C listings comparable: compressed code collapses into the same text, with fewer bytes", () => {
    const o = run("; run: ctx=[0000000000000000] => r0=0\nr0 = *(u64 *)(r1 + 0)\nexit");
    const [ima, imac] = [o.runs[0]!.summary!, o.runs[1]!.summary!];
    expect(imac.rvInsns).toBe(ima.rvInsns);
    expect(imac.bytes).toBeLessThan(ima.bytes);
    expect(o.newText).toContain("=== rv64imac === ");
    expect(o.newText).toMatch(/=== rv64imac === .*\n\(same as rv64ima\)\n/);
  });

  it("reports assembler errors at the spec's file:line:col", () => {
    const o = run("; run: => r0=0\nr0 = 1\nr0 +== 2\nexit");
    expect(o.specError?.message).toMatch(/^specs\/t\/s\.bpf:4:\d+: /);
  });

  it("turns a verifier refusal into a rejection at the instruction, expected or not", () => {
    const unexpected = run("; run: => r0=0\nr0 = r3\nexit");
    expect(unexpected.runs[0]!.messages).toEqual(["specs/t/s.bpf:3:1: the verifier rejected the program: R3 !read_ok"]);
    const expected = run("; reject: R3 !read_ok\nr0 = r3\nexit");
    expect(expected.behaviourOk).toBe(true);
    expect(expected.runs[0]!.sections![0]!.body).toBe("rejected by the verifier: R3 !read_ok");
  });

  it("reports what it cannot do yet as not supported", () => {
    const o = run("; run: packet=[00*64] => r0=0\nr0 = 0\nexit");
    expect(o.runs[0]!.status).toBe("unsupported");
    expect(o.runs[0]!.messages[0]).toContain("not supported: packet input");
  });

  it("dumps the requested passes, the verifier's output first", () => {
    expect(engine.passes[0]).toBe("verify");
    const o = run("; dump-after: verify, lower\n; run: => r0=1\nr0 = 1\nexit");
    const passes = o.runs[0]!.sections!.map((s) => s.pass);
    expect(passes).toEqual([undefined, "verify", "lower"]);
    expect(o.runs[0]!.sections![1]!.body).toContain("r0 = 1");
  });

  it("tail-calls between the programs of a spec through a prog_array", () => {
    const o = run([
      "; map jt: prog_array max=2 [0]=other",
      "; run: => r0=7",
      "; run empty: jt[0]=none => r0=1",
      "r2 = map[jt] ll",
      "r3 = 0",
      "call bpf_tail_call",
      "r0 = 1",
      "exit",
      "; program: other",
      "r0 = 7",
      "exit",
    ].join("\n"));
    expect(o.runs.map((r) => r.status)).toEqual(["pass", "pass", "pass"]);
    expect(o.runs[0]!.sections![0]!.body).toContain("; program other\n");
  });

  /**
   * Under a JIT told (verifierZext: true) that the verifier inserted zero-extensions it did not, `w0 = -1` leaves the
   * upper half of r0 set on the emulator only, and the branch on it goes the other way.
   */
  const UPPER_HALF_BRANCH = "; run: => r0=0\nw0 = -1\nr1 = r0\nr1 >>= 32\nif r1 != 0 goto bad\nr0 = 0\nexit\nbad:\nr0 = 1\nexit";

  it("names where the JIT and the interpreter part when they disagree (a JIT without zero-extensions, injected)", () => {
    const root = tempProject({ "specs/t/s.bpf": fakeSpec("zero-extension", UPPER_HALF_BRANCH) });
    const broken = runSpec("specs/t/s.bpf", { project: { root }, engine: realEngine({ jit: { verifierZext: true } }) });
    expect(broken.behaviourOk).toBe(false);
    for (const r of broken.runs) {
      expect(r.status).toBe("fail");
      expect(r.messages).toEqual([
        "specs/t/s.bpf:2:11: run 1: r0 is 1, expected 0",
        "specs/t/s.bpf:2:3: run 1: the JIT and the reference interpreter disagree: R0: JIT 0x1, interpreter 0x0; " +
          "returned value (a0 = (s32)R0): JIT 0x1, expected 0x0; they part after specs/t/s.bpf:6:1 (`if r1 != 0 goto +2`): " +
          "after 4 instructions in step: the JIT went on to insn 6 (`r0 = 1`), the interpreter to insn 4 (`r0 = 0`)",
      ]);
    }
    // the same spec with the JIT as it is passes
    expect(runSpec("specs/t/s.bpf", { project: { root }, engine }).behaviourOk).toBe(true);
  });

  it("rvjit check prints where they part, for each configuration at once, and exits 1", async () => {
    const root = tempProject({ "specs/t/s.bpf": fakeSpec("zero-extension", UPPER_HALF_BRANCH) });
    const io = memoryIo({ cwd: root, engine: realEngine({ jit: { verifierZext: true } }) });
    expect(await main(["check", "--no-pending"], io)).toBe(1);
    expect(io.stdout).toContain(
      "rv64ima, rv64imac, rv64imac_zba_zbb: behaviour: specs/t/s.bpf:2:3: run 1: the JIT and the reference interpreter disagree: R0: JIT 0x1, interpreter 0x0; " +
        "returned value (a0 = (s32)R0): JIT 0x1, expected 0x0; they part after specs/t/s.bpf:6:1 (`if r1 != 0 goto +2`): ",
    );
  });

  it("compares everything the judge compares: a disagreement the spec's expectations do not cover still fails", () => {
    // r0 is right on both engines' paths (both return 0), but only the JIT's run called a helper on the way
    const body = "; run: => ret=0\nw0 = -1\nr1 = r0\nr1 >>= 32\nif r1 == 0 goto out\ncall bpf_ktime_get_ns\nout:\nr0 = 0\nexit";
    const root = tempProject({ "specs/t/s.bpf": fakeSpec("a helper call on one side only", body) });
    const o = runSpec("specs/t/s.bpf", { project: { root }, engine: realEngine({ jit: { verifierZext: true } }) });
    expect(o.runs[0]!.status).toBe("fail");
    expect(o.runs[0]!.messages).toHaveLength(1);
    expect(o.runs[0]!.messages[0]).toMatch(/^specs\/t\/s\.bpf:2:3: run 1: the JIT and the reference interpreter disagree: call #1: JIT bpf_ktime_get_ns\(\) = 0x[0-9a-f]+, interpreter \(none\); they part after specs\/t\/s\.bpf:6:1 /);
  });

  it("gives a spec's program r1-r5 as scalar arguments when its run cases set them", () => {
    const o = run("; run: r1=1 r2=2 r3=3 r4=4 r5=5 => r0=15\n; run unset: r5=7 => r0=7\nr0 = r1\nr0 += r2\nr0 += r3\nr0 += r4\nr0 += r5\nexit");
    expect(o.runs.map((r) => [r.status, r.messages])).toEqual([["pass", []], ["pass", []], ["pass", []]]);
    // the program must be safe for every value: r1 is no pointer then
    const deref = run("; run: r1=8 => r0=0\nr0 = *(u64 *)(r1 + 0)\nexit");
    expect(deref.runs[0]!.messages).toEqual(["specs/t/s.bpf:3:1: the verifier rejected the program: R1 invalid mem access 'scalar'"]);
    // without r1-r5 in any run case, the kernel's contract: r2 is unreadable
    const kernel = run("; run: => r0=0\nr0 = r2\nexit");
    expect(kernel.runs[0]!.messages).toEqual(["specs/t/s.bpf:3:1: the verifier rejected the program: R2 !read_ok"]);
  });
});
