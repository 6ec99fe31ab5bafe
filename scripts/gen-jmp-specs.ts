/**
 * @fileoverview Generates specs/jmp (BPF_JMP) and specs/jmp32 (BPF_JMP32): every condition in its X and K forms.
 * An X spec compares r1 with r2; a K spec compares r1 with six immediates that select different lowerings (0: the
 * zero register; 5 and -5: c.li/li into t1; 2047: addi; 0x12345678: lui+addiw; INT32_MIN: lui with a zero low
 * part), setting one bit of r0 per comparison that is not taken. Expected values come from the BigInt model of the
 * conditions in scripts/gen-lib.ts.
 */
import { CONDS, type Cond, ctxRun, type GenSpec, taken, u64 } from "./gen-lib.js";

const MODEL = "the BigInt model of the jump conditions in scripts/gen-lib.ts";

const X_PAIRS: readonly [bigint, bigint][] = [
  [1n, 2n], [2n, 1n], [2n, 2n], [u64(-1n), 1n], [1n, u64(-1n)], [0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn],
  [0x8000_0000n, 0x7fff_ffffn], [0x1_0000_0000n, 0n], [0x1_0000_0001n, 0x2_0000_0001n], [0xffff_ffffn, 0x1_ffff_ffffn],
  [u64(-1n), u64(-1n)], [0xf0n, 0x0fn], [0xf0n, 0x10n], [0x1_0000_0000n, 0x1_0000_0000n],
];

const K_IMMS: readonly bigint[] = [0n, 5n, -5n, 2047n, 0x1234_5678n, -0x8000_0000n];

const K_VALUES: readonly bigint[] = [
  0n, 5n, 6n, 4n, u64(-5n), u64(-6n), 2047n, 0x1234_5678n, 0x1234_5679n, 0x8000_0000n, 0xffff_ffff_8000_0000n,
  0x7fff_ffffn, u64(-1n), 0x1_0000_0005n, 0x8000_0000_0000_0000n, 0xffff_fffb_0000_0000n,
];

function immText(k: bigint): string {
  return k === 2047n || (k > -4096n && k < 4096n) ? k.toString() : k < 0n ? `-0x${(-k).toString(16)}` : `0x${k.toString(16)}`;
}

function xSpec(cond: Cond, name: string, wide: boolean): GenSpec {
  const d = wide ? "r" : "w";
  return {
    path: `${wide ? "jmp" : "jmp32"}/${name}-x.bpf`,
    desc: `${wide ? "jmp" : "jmp32"} ${name} X: r0 = 1 if (${d}2 ${cond} ${d}3) else 0, on signed and unsigned edges`,
    source: MODEL,
    runs: X_PAIRS.flatMap(([a, b]) => ctxRun(["r2", "r3"], [a, b], `r0=${taken(cond, wide, a, b) ? 1 : 0}`)),
    body: ["r2 = *(u64 *)(r1 + 0)", "r3 = *(u64 *)(r1 + 8)", "r0 = 1", `if ${d}2 ${cond} ${d}3 goto 1f`, "r0 = 0", "1: exit"],
  };
}

function kSpec(cond: Cond, name: string, wide: boolean): GenSpec {
  const d = wide ? "r" : "w";
  const body = ["r2 = *(u64 *)(r1 + 0)", "r0 = 0"];
  K_IMMS.forEach((k, bit) => {
    body.push(`${bit === 0 ? "" : "1: "}if ${d}2 ${cond} ${immText(k)} goto 1f`, `r0 |= ${1 << bit}`);
  });
  body.push("1: exit");
  const mask = (a: bigint): number => K_IMMS.reduce((m, k, bit) => (taken(cond, wide, a, wide ? u64(k) : k) ? m : m | (1 << bit)), 0);
  return {
    path: `${wide ? "jmp" : "jmp32"}/${name}-k.bpf`,
    desc: `${wide ? "jmp" : "jmp32"} ${name} K against 0, 5, -5, 2047, 0x12345678 and INT32_MIN: r0 has bit n set when comparison n is not taken`,
    source: MODEL,
    runs: K_VALUES.flatMap((a) => ctxRun(["r2"], [a], `r0=${mask(a)}`)),
    body,
  };
}

function jaSpecs(): GenSpec[] {
  return [
    {
      path: "jmp/ja-forward-backward.bpf",
      desc: "goto forward (into a loop's test) and backward (to the loop's top): n & 7 rounds adding 3",
      source: "worked out by hand: r0 = 3 * (n & 7)",
      runs: [0n, 1n, 5n, 7n, 15n].flatMap((n) => ctxRun(["n"], [n], `r0=${3n * (n & 7n)}`)),
      body: ["r1 = *(u64 *)(r1 + 0)", "r0 = 0", "r1 &= 7", "goto check", "loop: r0 += 3", "r1 -= 1", "check: if r1 == 0 goto out", "goto loop", "out: exit"],
    },
    {
      path: "jmp/gotol.bpf",
      desc: "gotol (BPF_JMP32|BPF_JA, offset in imm) forward over code, and a branch back into the skipped code",
      source: "worked out by hand: n + 10, then + 100 when that is below 50, else + 1",
      runs: [1n, 39n, 40n, 45n].flatMap((n) => ctxRun(["n"], [n], `r0=${n + 10n < 50n ? n + 110n : n + 11n}`)),
      body: ["r0 = *(u64 *)(r1 + 0)", "gotol 2f", "1: r0 += 100", "exit", "2: r0 += 10", "if r0 < 50 goto 1b", "r0 += 1", "exit"],
    },
  ];
}

export function jmpSpecs(): GenSpec[] {
  const out: GenSpec[] = [];
  for (const wide of [true, false]) {
    for (const { cond, name } of CONDS) out.push(xSpec(cond, name, wide), kSpec(cond, name, wide));
  }
  return [...out, ...jaSpecs()];
}
