/**
 * @fileoverview Generates specs/branch-range: conditional branches at the edges of the B-type range (±4 KiB) in
 * both directions, the bcc+jal form beyond it (also after the operand copies JMP32 and JSET emit first), jumps and
 * the exit's jump to the epilogue in the jal form, branches, jumps and an exit beyond ±1 MiB (auipc+jalr), and a
 * staggered chain of branches that shrinks one per sizing pass.
 *
 * The kernel sizes a branch with the previous pass's offsets, which include the branch itself: every branch starts
 * long (the first pass assumes 64 bytes per instruction), so a forward branch becomes B-type only if it fits while
 * it is still 8 bytes long. That makes 4088 bytes the farthest B-type forward branch over 4-byte code, and a
 * 4092-byte one stays bcc+jal (both are specs here); backward spans do not contain the branch, so -4096 is B-type.
 *
 * Distances are built from filler whose code is 4 bytes in every configuration (`r3 ^= imm` -> xori, never
 * compressed), so a spec sits at the same edge with and without C. The expected values come from evaluating each
 * program's straight-line arithmetic here (xor of the filler immediates on the paths a run takes).
 */
import { ctxRun, type GenSpec, val } from "./gen-lib.js";

const SOURCE = "the xor of the filler immediates each run executes, evaluated in scripts/gen-branch-specs.ts";

/** Filler slot k: `r3 ^= imm` with a 12-bit immediate that is not 6-bit (so xori is 4 bytes and never c.*). */
const fillImm = (k: number): number => 0x40 + (k * 37) % 0x7a0;
const filler = (from: number, n: number): string[] => Array.from({ length: n }, (_, k) => `r3 ^= ${fillImm(from + k)}`);
const xorOf = (from: number, n: number): bigint => {
  let x = 0;
  for (let k = 0; k < n; k++) x ^= fillImm(from + k);
  return BigInt(x);
};

/** `if r6 != 0 goto out` over n filler slots: the branch (no operand copy) spans 4 + 4n bytes. */
function forwardSpec(path: string, n: number, desc: string): GenSpec {
  return {
    path,
    desc,
    source: SOURCE,
    runs: [...ctxRun(["x"], [0n], `r0=${val(xorOf(0, n))}`), ...ctxRun(["x"], [1n], "r0=0")],
    body: ["r6 = *(u64 *)(r1 + 0)", "r3 = 0", "if r6 != 0 goto out", ...filler(0, n), "out: r0 = r3", "exit"],
  };
}

/**
 * A loop of n filler slots and `r6 ^= 1`, closed by `if r6 != 0 goto top`: the backward branch spans -(4n + 4)
 * bytes. It runs the body twice for an even x (r6 starts at 0), once for an odd one.
 */
function backwardSpec(path: string, n: number, desc: string): GenSpec {
  const x = xorOf(0, n);
  return {
    path,
    desc,
    source: SOURCE,
    runs: [...ctxRun(["x"], [0n], "r0=0"), ...ctxRun(["x"], [1n], `r0=${val(x)}`)],
    body: ["r6 = *(u64 *)(r1 + 0)", "r6 &= 1", "r3 = 0", "top:", ...filler(0, n), "r6 ^= 1", "if r6 != 0 goto top", "r0 = r3", "exit"],
  };
}

/** The same over 1100 slots (4.4 KiB: the jal form), with a branch that first copies its operands. */
function prefixedSpec(path: string, cond: string, desc: string, taken: (x: bigint) => boolean): GenSpec {
  const n = 1100;
  const xs = [0n, 5n, 7n, 0x1_0000_0006n, 0xffff_ffffn];
  return {
    path,
    desc,
    source: SOURCE,
    runs: xs.flatMap((x) => ctxRun(["x"], [x], `r0=${val(taken(x) ? 0n : xorOf(0, n))}`)),
    body: ["r6 = *(u64 *)(r1 + 0)", "r7 = 6", "r3 = 0", cond, ...filler(0, n), "out: r0 = r3", "exit"],
  };
}

/** Unconditional forms: a goto over the filler, and an exit whose jump to the epilogue crosses it. */
function jumpSpecs(): GenSpec[] {
  const n = 1100;
  return [
    {
      path: "branch-range/goto-jal.bpf",
      desc: "goto forward over 4.4 KiB and back: both become jal (±1 MiB)",
      source: SOURCE,
      runs: [...ctxRun(["x"], [0n], `r0=${val(xorOf(0, n))}`), ...ctxRun(["x"], [1n], `r0=${val(xorOf(0, n) ^ 1n)}`)],
      body: ["r6 = *(u64 *)(r1 + 0)", "r3 = 0", "if r6 == 0 goto body", "r3 = 1", "goto out", "body:", ...filler(0, n), "r0 = r3", "exit", "out: goto body"],
    },
    {
      path: "branch-range/exit-jal.bpf",
      desc: "an exit 4.4 KiB before the end jumps to the epilogue with jal",
      source: SOURCE,
      runs: [...ctxRun(["x"], [0n], `r0=${val(xorOf(0, n))}`), ...ctxRun(["x"], [1n], "r0=7")],
      body: ["r6 = *(u64 *)(r1 + 0)", "r3 = 0", "if r6 == 0 goto body", "r0 = 7", "exit", "body:", ...filler(0, n), "r0 = r3", "exit"],
    },
  ];
}

/**
 * Beyond ±1 MiB: 8,300 `r3 = bswap64 r3` (32 instructions, 128 bytes each without Zbb and C: the densest code per
 * slot, as conditional jumps reach only 32,767 slots) between a forward branch, a forward goto and an exit on one
 * side and two backward branches on the other. Every run crosses the filler at most once. x = 0: falls into the
 * filler (r0 = 1 + 10); x = 1: far branch to the end, far branch back (21); x = 2: early exit (200); x = 3: far goto
 * to the end, far branch back (121). Only rv64ima: the far forms do not depend on C, and a listing of the 1 MiB
 * with C (13,000 slots of 2-byte instructions) would be 430,000 lines per configuration.
 */
function farSpec(): GenSpec {
  const n = 8_300;
  const fill = Array.from({ length: n }, () => "r3 = bswap64 r3");
  const cases: [bigint, bigint][] = [[0n, 11n], [1n, 21n], [2n, 200n], [3n, 121n]];
  return {
    path: "branch-range/auipc-jalr-1mib.bpf",
    desc: "a conditional branch, a goto and an exit forward and two branches backward over 1.06 MiB: the auipc+jalr forms",
    source: "worked out by hand from the paths: 11, 21, 200 and 121 (the filler only swaps r3)",
    directives: ["configs: rv64ima"],
    runs: cases.flatMap(([x, r]) => ctxRun(["x"], [x], `r0=${r}`)),
    body: [
      "r6 = *(u64 *)(r1 + 0)", "r0 = 0", "r3 = 0", "if r6 == 1 goto end", "if r6 == 2 goto early", "if r6 == 3 goto far_goto",
      "goto mid", "far_goto: r0 = 100", "goto end", "early: r0 = 200", "exit", "mid: r0 += 1", ...fill,
      "end: r0 += 10", "if r0 == 10 goto mid", "if r0 == 110 goto mid", "exit",
    ],
  };
}

/**
 * A staggered chain: block j is `if r6 != 0 goto t_j` and 1020 filler slots, and t_j is the first filler slot of
 * block j + 1, so each branch spans the next one. Short everywhere, a span is 4088 bytes; with its own and the next
 * branch in the bcc+jal form it is 4096, out of B-type reach. The sizing passes start with every branch long, and
 * each pass can shrink only the last long one: the chain converges one branch per pass.
 */
function convergeSpec(blocks: number): GenSpec {
  const per = 1020;
  const body = ["r6 = *(u64 *)(r1 + 0)", "r3 = 0"];
  let slot = 0;
  for (let j = 0; j <= blocks; j++) {
    if (j < blocks) body.push(`if r6 != 0 goto t${j}`);
    const f = filler(slot, per);
    if (j > 0) f[0] = `t${j - 1}: ${f[0]}`;
    body.push(...f);
    slot += per;
  }
  body.push("r0 = r3", "exit");
  // x != 0: branch j lands on the first slot of block j + 1, past its branch, and block j + 1's filler runs; then
  // block j + 2's branch is taken, and so on; the last block has no branch and runs.
  let taken = 0n;
  for (let j = 0; j <= blocks; ) {
    const run = j < blocks ? j + 1 : j;
    taken ^= xorOf(run * per, per);
    j = run + 1;
  }
  return {
    path: `branch-range/converge-${blocks}.bpf`,
    desc: `${blocks} staggered branches, each spanning the next: they shrink from bcc+jal to a B-type branch one per sizing pass`,
    source: SOURCE,
    directives: ["dump-after: fixup-branches"],
    runs: [...ctxRun(["x"], [0n], `r0=${val(xorOf(0, (blocks + 1) * per))}`), ...ctxRun(["x"], [1n], `r0=${val(taken)}`)],
    body,
  };
}

export function branchSpecs(): GenSpec[] {
  return [
    forwardSpec("branch-range/fwd-4088-b-type.bpf", 1021, "a forward conditional branch of 4088 bytes: the farthest that ends up B-type (measured with its own bcc+jal first, 4092)"),
    forwardSpec("branch-range/fwd-4092-stays-jal.bpf", 1022, "a forward conditional branch of 4092 bytes stays bcc+jal: sized long in the first pass, its span with itself long is 4096"),
    forwardSpec("branch-range/fwd-near.bpf", 10, "a forward conditional branch over 40 bytes of code"),
    backwardSpec("branch-range/bwd-4096-b-type.bpf", 1023, "a backward conditional branch of -4096 bytes, the farthest B-type branch backwards"),
    backwardSpec("branch-range/bwd-4100-jal.bpf", 1024, "a backward conditional branch of -4100 bytes, just out of B-type reach: bcc +8 then jal"),
    prefixedSpec("branch-range/jmp32-jal.bpf", "if w6 > w7 goto out", "a JMP32 branch (operands zero-extended into t1/t2 first) over 4.4 KiB: bcc+jal after the copies", (x) => (x & 0xffff_ffffn) > 6n),
    prefixedSpec("branch-range/jset-jal.bpf", "if r6 & 4 goto out", "JSET (and into t1 first) over 4.4 KiB: bnez t1 +8 then jal", (x) => (x & 4n) !== 0n),
    prefixedSpec("branch-range/jmp-imm-jal.bpf", "if r6 s> 5 goto out", "a compare with an immediate (li t1 first) over 4.4 KiB: bcc+jal after the load", (x) => BigInt.asIntN(64, x) > 5n),
    ...jumpSpecs(),
    farSpec(),
    convergeSpec(5),
  ];
}
