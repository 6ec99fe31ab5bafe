/**
 * @fileoverview Judges behaviour: what each run case did (engine `Observed`) against what the spec expects, and the
 * verifier's verdict against `; reject:`. Every failure is one line that starts with the spec position it is about.
 */
import type { EngineResult, Observed } from "./engine.js";
import { formatPos } from "./spec/errors.js";
import type { Expectation, RunCase, Spec } from "./spec/model.js";
import { hex, showU64 } from "./spec/values.js";

export function caseLabel(rc: RunCase): string {
  return rc.name ? `run ${rc.index} (${rc.name})` : `run ${rc.index}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function checkExpectation(e: Expectation, o: Observed): string | undefined {
  switch (e.kind) {
    case "r0":
      return o.r0 === e.value ? undefined : `r0 is ${showU64(o.r0)}, expected ${showU64(e.value)}`;
    case "ret":
      return o.ret === e.value ? undefined : `the caller got ${showU64(o.ret)}, expected ${showU64(e.value)}`;
    case "throw":
      if (o.outcome !== "throw") return `expected a throw of ${showU64(e.cookie)}, but the program did not throw`;
      return o.cookie === e.cookie ? undefined : `threw ${showU64(o.cookie ?? 0n)}, expected ${showU64(e.cookie)}`;
    case "mem": {
      const mem = e.region === "ctx" ? o.ctxAfter : o.packetAfter;
      if (!mem) return `no ${e.region} memory to check (give ${e.region}=[...] as an input)`;
      if (e.offset + e.bytes.length > mem.length) {
        return `${e.region}[${e.offset}..${e.offset + e.bytes.length}] is outside the ${mem.length} bytes of ${e.region}`;
      }
      const got = mem.subarray(e.offset, e.offset + e.bytes.length);
      return sameBytes(got, e.bytes) ? undefined : `${e.region}[${e.offset}] is [${hex(got)}], expected [${hex(e.bytes)}]`;
    }
    case "map": {
      const entries = o.maps?.get(e.map);
      if (!entries) return `map ${e.map} was not reported after the run`;
      const found = entries.find((x) => sameBytes(x.key, e.key));
      const where = `${e.map}[${hex(e.key)}]`;
      if (e.value === null) return found ? `${where} is [${hex(found.value)}], expected it absent` : undefined;
      if (!found) return `${where} is absent, expected [${hex(e.value)}]`;
      return sameBytes(found.value, e.value) ? undefined : `${where} is [${hex(found.value)}], expected [${hex(e.value)}]`;
    }
  }
}

/** Failures of one run case (empty when it passed). */
export function judgeRun(rc: RunCase, o: Observed): string[] {
  const out: string[] = [];
  const here = () => `${formatPos(rc.pos)}: ${caseLabel(rc)}`;
  if (o.outcome === "fault" || o.outcome === "abi-violation" || o.outcome === "budget") {
    const what = { fault: "faulted", "abi-violation": "broke the calling convention", budget: "ran out of its instruction budget" }[o.outcome];
    out.push(`${here()}: the program ${what}${o.report ? `: ${o.report}` : ""}`);
    return out;
  }
  if (o.outcome === "throw" && !rc.expect.some((e) => e.kind === "throw")) {
    out.push(`${here()}: the program threw ${showU64(o.cookie ?? 0n)}, but no throw is expected (add throw=${showU64(o.cookie ?? 0n)})`);
  }
  for (const e of rc.expect) {
    const f = checkExpectation(e, o);
    if (f) out.push(`${formatPos(e.pos)}: ${caseLabel(rc)}: ${f}`);
  }
  if (o.mismatch) out.push(`${here()}: the JIT and the reference interpreter disagree: ${o.mismatch}`);
  return out;
}

/** Failures of a whole engine result against the spec (verifier verdict, then each run case). */
export function judge(spec: Spec, r: EngineResult): string[] {
  if (r.kind === "rejected") {
    const where = formatPos(r.at ?? spec.programs[0]!.pos);
    if (!spec.reject) return [`${where}: the verifier rejected the program: ${r.message}`];
    if (!r.message.includes(spec.reject.substring)) {
      return [`${formatPos(spec.reject.pos)}: the verifier rejected the program, but with '${r.message}' (expected a message containing '${spec.reject.substring}')`];
    }
    return [];
  }
  if (spec.reject) return [`${formatPos(spec.reject.pos)}: expected the verifier to reject the program ('${spec.reject.substring}'), but it accepted it`];
  if (r.runs.length !== spec.runs.length) {
    return [`${spec.path}: the engine returned ${r.runs.length} run results for ${spec.runs.length} run cases (internal error)`];
  }
  return spec.runs.flatMap((rc, i) => judgeRun(rc, r.runs[i]!));
}
