/**
 * @fileoverview Worker threads give the same outcomes as one thread. Workers load the built JavaScript
 * (dist/suite/worker.js), so this test runs the built modules; without a build it warns and skips locally and
 * fails under CI (where `npm ci` builds first).
 */
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { isCi } from "../../suite/io.js";
import { repoRoot } from "../support/tools.js";
import { tempProject } from "./support.js";

const dist = join(repoRoot, "dist", "suite");
const built = existsSync(join(dist, "worker.js"));
if (!built) {
  if (isCi(process.env)) throw new Error("dist/suite/worker.js is missing: build first (npm ci builds)");
  console.warn("WARNING: skipping the parallel-run test: no build in dist/ (run npm run build)");
}

describe.skipIf(!built)("parallel suite runs", () => {
  it("give the same outcomes, in the same order, as a sequential run", async () => {
    const root = tempProject({});
    const examples = ["specs/alu/add64.bpf", "specs/exceptions/throw-default-cb.bpf", "specs/tailcalls/chain.bpf", "specs/verifier/uninit-read.bpf", "specs/maps/array-counter.bpf"];
    const paths: string[] = [];
    for (let k = 0; k < 6; k++) {
      for (const e of examples) {
        const rel = e.replace("specs/", `specs/c${k}/`);
        mkdirSync(dirname(join(root, rel)), { recursive: true });
        cpSync(join(repoRoot, e), join(root, rel));
        paths.push(rel);
      }
    }
    const { runParallel } = (await import(pathToFileURL(join(dist, "parallel.js")).href)) as typeof import("../../suite/parallel.js");
    const { runSuite } = (await import(pathToFileURL(join(dist, "session.js")).href)) as typeof import("../../suite/session.js");
    const { realEngine } = (await import(pathToFileURL(join(dist, "engines", "real.js")).href)) as typeof import("../../suite/engines/real.js");
    let progress = 0;
    const par = await runParallel(paths, { root, jobs: 2, onProgress: () => progress++ });
    const seq = runSuite(paths, { project: { root }, engine: realEngine() });
    expect(par).toBeDefined();
    expect(progress).toBe(paths.length);
    expect(par!.map((o) => o.path)).toEqual(paths);
    const plain = (o: object) => JSON.parse(JSON.stringify(o, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Map ? [...v] : v)));
    expect(par!.map(plain)).toEqual(seq.map(plain));
    expect(seq.every((o) => o.behaviourOk)).toBe(true);
  });
});
