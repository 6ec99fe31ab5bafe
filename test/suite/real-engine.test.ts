import { describe, expect, it } from "vitest";
import type { RunResult } from "../../runtime/kernel/run.js";
import { disagreement } from "../../suite/engines/real-run.js";
import { realEngine } from "../../suite/engines/real.js";
import { runSpec } from "../../suite/session.js";
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

  it("names what the JIT's run and the interpreter's disagree on", () => {
    const emu: RunResult = { kind: "return", a0: 1n, r0: 1n, steps: 1, stackUsed: 0, misaligned: 0, mapsAfter: [], trace: [], calls: [] };
    const ref = { kind: "return", r0: 1n, steps: 1, stackUsed: 0, mapsAfter: [], trace: [] };
    expect(disagreement(emu, ref as never)).toBeUndefined();
    expect(disagreement({ ...emu, r0: 2n }, ref as never)).toBe("r0: JIT 2, interpreter 1");
    expect(disagreement({ ...emu, kind: "fault" }, ref as never)).toBe("the JIT's run ended with fault, the interpreter's with return");
    expect(disagreement({ ...emu, thrown: { cookie: 3n, frames: [] } }, ref as never)).toBe("only the JIT's run threw");
    const m = (v: number) => [{ name: "m", type: "array" as const, entries: [{ key: new Uint8Array(4), value: new Uint8Array([v]) }] }];
    expect(disagreement({ ...emu, mapsAfter: m(1) }, { ...ref, mapsAfter: m(2) } as never)).toBe("m[00000000]: JIT [01], interpreter [02]");
  });
});
