/**
 * @fileoverview The kernel model with our own pipeline in front (assembler, verifier, JIT): the contract between
 * the JIT's output (JitOutput: function addresses, exception callback, tail-call entry skip, helper and map
 * addresses) and the kernel around it. Expected values follow from eBPF semantics, not from a previous run.
 */
import { describe, expect, it } from "vitest";
import { assemble } from "../../compiler/bpf/asm.js";
import { verify } from "../../compiler/passes/verify.js";
import { jit } from "../../compiler/pipeline.js";
import { parseIsa } from "../../compiler/riscv/isa-config.js";
import { mapAddress, programImageAddr } from "../../runtime/kernel/layout.js";
import type { MapSpec } from "../../runtime/kernel/maps.js";
import { type RunInput, runJit } from "../../runtime/kernel/run.js";

const CONFIGS = ["rv64ima", "rv64imac", "rv64imac_zba_zbb"];

/** Assembles, verifies and JITs each program (program k at programImageAddr(k)), then runs program 0. */
function run(sources: string[], config: string, input: RunInput = {}) {
  const maps = (input.maps ?? []) as MapSpec[];
  const outs = sources.map((src, k) => {
    const a = assemble(src, `prog${k}.bpf`, { maps: maps.map((m) => m.name) });
    const v = verify(a, { entry: "kernel", maps, mapAddress });
    return jit(v, { isa: parseIsa(config), framePointer: true, imageAddr: programImageAddr(k) });
  });
  return runJit(outs, input, { isa: parseIsa(config) });
}

describe.each(CONFIGS)("JIT output on the kernel model (%s)", (config) => {
  it("bpf_throw from a subprogram unwinds to main and returns the cookie (default callback)", () => {
    const r = run([`
main:
    r6 = 5
    call thrower
    r0 = 1
    exit
thrower:
    r1 = 42
    call bpf_throw
    r0 = 2
    exit
`], config);
    expect(r.report).toBeUndefined();
    expect([r.kind, r.r0, r.a0]).toEqual(["return", 42n, 42n]);
    expect(r.thrown!.frames.map((f) => [f.func, f.kind])).toEqual([["thrower", "subprog"], ["main", "main"]]);
  });

  it("a map counter incremented through bpf_map_lookup_elem", () => {
    const maps: MapSpec[] = [{ name: "counters", type: "array", keySize: 4, valueSize: 8, maxEntries: 1, entries: [{ key: 0n, value: 41n }] }];
    const r = run([`
    r1 = map[counters] ll
    *(u32 *)(r10 - 4) = 0
    r2 = r10
    r2 += -4
    call bpf_map_lookup_elem
    if r0 == 0 goto out
    r1 = 1
    lock *(u64 *)(r0 + 0) += r1
    r0 = *(u64 *)(r0 + 0)
out:
    exit
`], config, { maps, ctx: new Uint8Array(8) });
    expect(r.report).toBeUndefined();
    expect([r.kind, r.r0]).toEqual(["return", 42n]);
    expect(r.mapsAfter[0]!.entries[0]!.value[0]).toBe(42);
  });

  it("a tail call enters the other program past its TCC initialisation", () => {
    const maps: MapSpec[] = [{ name: "jmp", type: "prog_array", keySize: 4, valueSize: 4, maxEntries: 2, entries: [{ key: 1n, value: 1n }] }];
    const r = run([`
    r2 = map[jmp] ll
    r3 = 1
    call bpf_tail_call
    r0 = 1
    exit
`, `
    r0 = 77
    exit
`], config, { maps, ctx: new Uint8Array(8) });
    expect(r.report).toBeUndefined();
    expect([r.kind, r.r0]).toEqual(["return", 77n]);
    expect(r.calls).toEqual([]); // the tail call is inline code: no helper was called
  });
});
