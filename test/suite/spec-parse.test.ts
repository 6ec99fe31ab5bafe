/**
 * @fileoverview Reading specs (suite/spec): values (integers in every base, byte strings), every directive into the
 * model, source positions kept for the assembler, errors at file:line:col for malformed and misspelt directives, and
 * the entry contract (r1 = ctx, or r1-r5 scalars) read off the run cases.
 */
import { describe, expect, it } from "vitest";
import { SpecError } from "../../suite/spec/errors.js";
import { parseSpec } from "../../suite/spec/parse.js";
import { parseBytes, parseInteger } from "../../suite/spec/values.js";

const at = { file: "t.bpf", line: 1, col: 1 };

/** The error message a spec produces (file:line:col: detail), or "no error". */
function errorOf(text: string): string {
  try {
    parseSpec(text, "specs/t.bpf");
    return "no error";
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return e.message;
  }
}

describe("spec values", () => {
  it("reads integers in every base, with separators, and reduces negatives to two's complement later", () => {
    expect(parseInteger("42", at)).toBe(42n);
    expect(parseInteger("-1", at)).toBe(-1n);
    expect(parseInteger("0x2A", at)).toBe(42n);
    expect(parseInteger("0b101010", at)).toBe(42n);
    expect(parseInteger("0o52", at)).toBe(42n);
    expect(parseInteger("1_000_000", at)).toBe(1000000n);
    expect(parseInteger("0xffffffffffffffff", at)).toBe(2n ** 64n - 1n);
    expect(parseInteger("-0x8000000000000000", at)).toBe(-(2n ** 63n));
  });

  it("refuses integers outside 64 bits and malformed ones", () => {
    expect(() => parseInteger("0x10000000000000000", at)).toThrow(/does not fit in 64 bits/);
    expect(() => parseInteger("-0x8000000000000001", at)).toThrow(/does not fit in 64 bits/);
    expect(() => parseInteger("12abc", at)).toThrow(/not an integer/);
    expect(() => parseInteger("1_", at)).toThrow(/not an integer/);
  });

  it("reads byte strings with groups and repeats", () => {
    expect([...parseBytes("[01 0203 ff*3]", at)]).toEqual([1, 2, 3, 255, 255, 255]);
    expect([...parseBytes("[]", at)]).toEqual([]);
    expect(() => parseBytes("[0 1]", at)).toThrow(/'0' is not hex bytes/);
  });
});

describe("parseSpec", () => {
  const full = [
    "; tail call into a second program",            // 1
    "; configs: rv64imac_zba_zbb, rv64ima",           // 2
    "; map jt: prog_array max=2 [0]=second",          // 3
    "; map counts: hash key=8 value=4 max=16 [7]=9", // 4
    "; run: ctx=[05] => r0=7",                        // 5
    "; run neg: ctx=[00*4] counts[1]=[01020304] => ret=-1 ctx[0]:u16=0x0102 counts[1]=none", // 6
    "; xfail rv64ima: not supported: tail calls",     // 7
    "; dump-after: lower, xlated",                    // 8
    "r0 = 1",                                         // 9
    "; program: second",                              // 10
    ".exception_callback cb",                         // 11 (assembler directive: part of the program)
    "r0 = 7",                                         // 12
    "exit",                                           // 13
  ].join("\n") + "\n";

  it("reads every directive into the model", () => {
    const s = parseSpec(full, "specs/t.bpf");
    expect(s.description).toBe("tail call into a second program");
    expect(s.configs).toEqual(["rv64ima", "rv64imac_zba_zbb"]); // matrix order, not the order written
    expect(s.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries])).toEqual([
      ["jt", "prog_array", 4, 4, 2],
      ["counts", "hash", 8, 4, 16],
    ]);
    expect(s.maps[0]!.init[0]!.value).toEqual({ program: "second" });
    expect([...s.maps[1]!.init[0]!.key]).toEqual([7, 0, 0, 0, 0, 0, 0, 0]);
    expect([...(s.maps[1]!.init[0]!.value as Uint8Array)]).toEqual([9, 0, 0, 0]);
    expect(s.runs).toHaveLength(2);
    expect(s.runs[0]!.ctx).toEqual(new Uint8Array([5]));
    expect(s.runs[0]!.expect).toEqual([{ kind: "r0", value: 7n, pos: { file: "specs/t.bpf", line: 5, col: 20 } }]);
    const neg = s.runs[1]!;
    expect(neg.name).toBe("neg");
    expect(neg.args).toEqual([]);
    expect(neg.ctx).toEqual(new Uint8Array(4));
    expect(neg.expect.map((e) => e.kind)).toEqual(["ret", "mem", "map"]);
    expect(neg.expect[1]).toMatchObject({ region: "ctx", offset: 0, bytes: new Uint8Array([2, 1]) });
    expect(neg.expect[2]).toMatchObject({ map: "counts", value: null });
    expect(s.xfail.get("rv64ima")?.reason).toBe("not supported: tail calls");
    expect(s.dumpAfter.map((d) => d.pass)).toEqual(["lower", "xlated"]);
    expect(s.programs.map((p) => [p.name, p.lines])).toEqual([["main", [9, 9]], ["second", [11, 13]]]);
  });

  it("blanks other lines in each program's source, so assembler positions are file positions", () => {
    const s = parseSpec(full, "specs/t.bpf");
    const lines = s.programs[1]!.source.split("\n");
    expect(lines.slice(10, 13)).toEqual([".exception_callback cb", "r0 = 7", "exit"]);
    expect(lines.slice(0, 10).every((l) => l === "")).toBe(true);
  });

  it("reads '; golden:' (full by default)", () => {
    expect(parseSpec("; d\nexit\n", "specs/t.bpf").golden).toBe("full");
    expect(parseSpec("; d\n; golden: summary\nexit\n", "specs/t.bpf").golden).toBe("summary");
    expect(errorOf("; d\n; golden: none\nexit\n")).toBe("specs/t.bpf:2:11: '; golden:' is 'full' (the default) or 'summary' (no listing in the golden, for huge programs)");
  });

  it("names the first program when '; program:' comes before any instruction", () => {
    const s = parseSpec("; d\n; program: entry\nexit\n; program: two\nexit\n", "specs/t.bpf");
    expect(s.programs.map((p) => p.name)).toEqual(["entry", "two"]);
  });

  it("treats prose and ';;' as comments but a misspelt directive as an error", () => {
    expect(errorOf("; d\n; the answer is: 42\n;; run: not a run\nexit\n")).toBe("no error");
    expect(errorOf("; d\n; rnu: => r0=1\nexit\n")).toBe("specs/t.bpf:2:3: unknown directive 'rnu' (did you mean 'run'?); write free-form comments as ';; text'");
  });

  it.each([
    ["r0 = 1\n", "specs/t.bpf:1:1: the first line says what the spec tests: '; <one-line description>'"],
    ["; d\n; run: r6=1 => r0=1\nexit\n", "specs/t.bpf:2:8: r6 cannot be set: the program's inputs are r1-r5"],
    ["; d\n; run: r1=1 r0=2\nexit\n", "specs/t.bpf:2:8: a run case is '<inputs> => <expectations>', e.g. '; run: r1=1 r2=2 => r0=3' (inputs may be empty: '; run: => r0=0')"],
    ["; d\n; run: => r0=1 r0=2\nexit\n", "specs/t.bpf:2:16: 'r0' is expected twice"],
    ["; d\n; run: => r1=2\nexit\n", "specs/t.bpf:2:11: only r0 can be checked after a run (r1-r5 are clobbered); 'r1' is not an expectation"],
    ["; d\n; run: => ctx[0]=5\nexit\n", "specs/t.bpf:2:18: ctx[0] compares bytes: write [01 02 ...], or give a width: ctx[0]:u32=5"],
    ["; d\n; configs: rv64gc\nexit\n", "specs/t.bpf:2:12: unknown configuration 'rv64gc' (configurations: rv64ima, rv64imac, rv64imac_zba_zbb)"],
    ["; d\n; run: m[0]=1 => r0=0\nexit\n", "specs/t.bpf:2:8: no map named 'm' (declare it with '; map m: array key=4 value=8 max=16')"],
    ["; d\n; map m: array value=2 max=1\n; run: m[0]=0x10000 => r0=0\nexit\n", "specs/t.bpf:3:13: value of m: 65536 does not fit in 2 bytes"],
    ["; d\n; map jt: prog_array max=2 [0]=nowhere\nexit\n", "specs/t.bpf:2:28: no program named 'nowhere' (programs: main)"],
    ["; d\n; reject: R0 !read_ok\n; run: => r0=0\nexit\n", "specs/t.bpf:3:3: a spec whose program the verifier must reject cannot have run cases"],
    ["; d\n; configs: rv64imac\n; xfail rv64ima: why\nexit\n", "specs/t.bpf:3:3: xfail names rv64ima, which this spec does not run (see '; configs:')"],
    ["; d\n; xfail:\nexit\n", "specs/t.bpf:2:9: '; xfail:' needs a reason, e.g. '; xfail rv64ima: not supported: zext without zba'"],
    ["; d\n; run: => r0=0\n", "specs/t.bpf:1:1: no eBPF instructions: write the program below the directives"],
    ["; d\nexit\n; program: x\n", "specs/t.bpf:3:12: program 'x' has no instructions"],
    ["; d\n; configs: rv64ima\n; configs: rv64imac\nexit\n", "specs/t.bpf:3:3: '; configs:' appears twice (first at line 2)"],
    ["; d\r\nexit\r\n", "specs/t.bpf:1:1: the file has CR line endings; specs use LF"],
  ])("reports %j at file:line:col", (text, message) => {
    expect(errorOf(text)).toBe(message);
  });
});

describe("the entry contract, from the run cases", () => {
  it("reads r1-r5 (two's complement for negative values, unset ones undefined)", () => {
    const s = parseSpec("; t\n; run: r1=5 r2=-1 r5=0x10 => r0=7\nexit\n", "specs/t.bpf");
    expect(s.runs[0]!.args).toEqual([5n, 2n ** 64n - 1n, undefined, undefined, 16n]);
  });

  it("is the kernel's (r1 = ctx) unless a run case gives r1-r5", () => {
    expect(parseSpec("; t\n; run: ctx=[00] => r0=0\nexit\n", "specs/t.bpf").entry).toBe("ctx");
    expect(parseSpec("; t\n; run: => r0=0\nexit\n", "specs/t.bpf").entry).toBe("ctx");
    expect(parseSpec("; t\n; run: => r0=0\n; run: r4=1 => r0=0\nexit\n", "specs/t.bpf").entry).toBe("args");
  });

  it("refuses run cases that give both ctx and r1-r5, at the later one", () => {
    expect(errorOf("; t\n; run: r1=1 => r0=0\n; run two: ctx=[00] => r0=0\nexit\n")).toBe(
      "specs/t.bpf:3:3: run 1 gives r1, run 2 (two) gives ctx: a spec's program takes either a ctx (r1 = the ctx pointer) or scalar arguments in r1-r5, not both",
    );
    expect(errorOf("; t\n; run: ctx=[00] r2=5 => r0=0\nexit\n")).toBe(
      "specs/t.bpf:2:3: run 1 gives r2 and ctx: a spec's program takes either a ctx (r1 = the ctx pointer) or scalar arguments in r1-r5, not both",
    );
  });
});
