/**
 * @fileoverview One Vitest test per bundled spec (specs/**\/*.bpf), named by its path under specs/, so `vitest -t`
 * and the UI pick single specs. Each test does what `rvjit check <spec>` does; Vitest's update mode maps onto the
 * suite's: `vitest -u` ("all") updates the golden as `rvjit update` would (refusing failing behaviour), a plain local
 * run ("new") proposes a differing golden as `<golden>.new`, and CI ("none", or CI set) never writes.
 */
import { describe, expect, it } from "vitest";
import { isCi } from "../cli/io.js";
import { realEngine } from "../suite/engines/real.js";
import { Writer } from "../suite/files.js";
import { proposePending } from "../suite/pending.js";
import { allSpecs } from "../suite/project.js";
import { runSpec, type SpecOutcome } from "../suite/session.js";
import { makeColors } from "../suite/ui/color.js";
import { renderOutcome, verdict } from "../suite/ui/outcome-view.js";
import { updateOne } from "../suite/update.js";
import { repoRoot } from "./support/tools.js";

const project = { root: repoRoot };
const specs = allSpecs(project);
const engine = realEngine();
const ci = isCi(process.env);

type Mode = "all" | "new" | "none";

function updateMode(): Mode {
  const state = (expect.getState() as { snapshotState?: { snapshotUpdateState?: Mode } }).snapshotState;
  return state?.snapshotUpdateState ?? (ci ? "none" : "new");
}

function report(o: SpecOutcome): string {
  return renderOutcome(o, { colors: makeColors(false), isContextLine: (l) => engine.isContextLine(l), diffs: true, maxLines: 80, timeoutMs: 2000 });
}

describe("specs", () => {
  it("the bundled suite has specs", () => {
    expect(specs.length).toBeGreaterThan(0);
  });

  for (const path of specs) {
    it(path.slice("specs/".length, -".bpf".length), () => {
      const mode = updateMode();
      const o = runSpec(path, { project, engine });
      if (mode === "all") {
        if (ci) throw new Error("vitest -u refused: CI is set, and CI never writes goldens");
        const r = updateOne(o, new Writer(repoRoot, false));
        if (r.refusal) throw new Error(`not updated: ${r.refusal}\n${report(o)}`);
        return;
      }
      if (mode === "new" && !ci) proposePending(o, new Writer(repoRoot, false));
      const v = verdict(o);
      if (v !== "ok" && v !== "xfail") throw new Error(report(o));
    });
  }
});
