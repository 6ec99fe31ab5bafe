/**
 * @fileoverview Test support: assemble, verify and interpret a program in one call.
 */
import { assemble } from "../../compiler/bpf/asm.js";
import { verify, type Verified, type VerifyOptions } from "../../compiler/passes/verify.js";
import { interpret } from "../../runtime/interp/interp.js";
import type { InterpInput, InterpOptions, InterpResult } from "../../runtime/interp/types.js";
import type { MapSpec } from "../../runtime/kernel/maps.js";

/** Verifier options, with the run's maps (MapSpec, as the interpreter needs them). */
export type BuildOptions = Omit<VerifyOptions, "maps"> & { maps?: MapSpec[] };

/** Assembles and verifies `src`; `maps` are declared to both (names in order = fds). */
export function build(src: string, opts: BuildOptions = {}): Verified {
  const maps = opts.maps ?? [];
  const p = assemble(src, "test.s", { maps: maps.map((m) => m.name) });
  return verify(p, { ...opts, maps });
}

/** Assembles, verifies and runs `src`. */
export function run(src: string, opts: BuildOptions = {}, input: InterpInput = {}, iopts: InterpOptions = {}): InterpResult {
  return interpret(build(src, opts), { maps: opts.maps, ...input }, iopts);
}

/** A u32 key / u64 value array map. */
export function arrayMap(name: string, maxEntries = 4, entries: MapSpec["entries"] = []): MapSpec {
  return { name, type: "array", keySize: 4, valueSize: 8, maxEntries, entries };
}

/** A prog array whose entry k holds program `progs[k]` (an index in the run's program list). */
export function progArray(name: string, progs: number[], maxEntries = progs.length): MapSpec {
  return { name, type: "prog_array", keySize: 4, valueSize: 4, maxEntries, entries: progs.map((p, k) => ({ key: BigInt(k), value: BigInt(p) })) };
}
