/**
 * @fileoverview How fast the golden suite runs, the way people run it:
 *  - the bundled specs, checked in this (warm) process: ms per spec; and again with a new kernel model for every run
 *    instead of one reused between a spec's runs;
 *  - `rvjit check` on the whole bundled suite, as a child process (start-up included): target < 5 s wall;
 *  - `rvjit check <one spec>`, as a child process: target < 1 s wall;
 *  - a 250-spec suite (the bundled specs repeated in a scratch project, goldens written first), as a child process,
 *    standing in for the corpus a later issue writes.
 * Child processes run with CI=1 so that nothing is written.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { realEngine } from "../suite/engines/real.js";
import { Writer } from "../suite/files.js";
import { allSpecs, goldenPathOf } from "../suite/project.js";
import { runSuite } from "../suite/session.js";
import { updateOne } from "../suite/update.js";
import type { Report } from "./report.js";
import { timeBest } from "./report.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(repo, "bin", "rvjit.js");

/** Best wall time in seconds of `rvjit <args>` in `cwd`, over `rounds` runs; and its last exit code. */
function wall(args: string[], cwd: string, rounds = 3): { s: number; code: number | null } {
  let best = Infinity;
  let code: number | null = null;
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: "1", NO_COLOR: "1" }, encoding: "utf8" });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    code = r.status;
  }
  return { s: best, code };
}

export default async function (report: Report): Promise<void> {
  const project = { root: repo };
  const specs = allSpecs(project);
  if (specs.length === 0) {
    report.line("no bundled specs: nothing to measure");
    return;
  }
  const engine = realEngine();
  const [load] = loadavg();
  report.line(`machine: ${availableParallelism()} cores, load average ${load!.toFixed(1)} at the start (wall times grow with it)`);
  const cpu0 = process.cpuUsage();
  const inProcess = timeBest(() => void runSuite(specs, { project, engine }), { rounds: 5, warmup: 1 });
  report.row(`bundled suite in process (${specs.length} specs, warm)`, inProcess * 1e3, "ms");
  report.row("  per spec (all configurations)", (inProcess / specs.length) * 1e3, "ms/spec");
  const cpu = process.cpuUsage(cpu0);
  report.row("  CPU time of those 6 runs, per run", (cpu.user + cpu.system) / 6e3, "ms");
  // The kernel model reuses a kernel between the runs of a spec (runtime/kernel/run.ts): the same suite with a new
  // kernel for every run, side by side.
  const freshEngine = realEngine({ freshKernels: true });
  const fresh = timeBest(() => void runSuite(specs, { project, engine: freshEngine }), { rounds: 5, warmup: 1 });
  report.row("  the same with a new kernel model per run", fresh * 1e3, "ms", `reuse saves ${((1 - inProcess / fresh) * 100).toFixed(0)}%`);

  const whole = wall(["check", "--no-pending"], repo);
  report.row("rvjit check, bundled suite (child process)", whole.s, "s", `target < 5 s; exit ${whole.code}`);
  const one = wall(["check", "--no-pending", specs[0]!], repo, 5);
  report.row(`rvjit check ${specs[0]} (child process)`, one.s, "s", `target < 1 s; exit ${one.code}`);
  const help = wall(["--help"], repo, 5);
  report.row("rvjit --help (start-up alone)", help.s, "s");

  // A 250-spec project: the bundled specs repeated, with goldens written in this process.
  const scratch = mkdtempSync(join(tmpdir(), "rvjit-bench-"));
  try {
    const copies = Math.ceil(250 / specs.length);
    const many: string[] = [];
    for (let k = 0; k < copies && many.length < 250; k++) {
      for (const s of specs) {
        if (many.length >= 250) break;
        const rel = s.replace(/^specs\//, `specs/copy${k}/`);
        mkdirSync(dirname(join(scratch, rel)), { recursive: true });
        cpSync(join(repo, s), join(scratch, rel));
        many.push(rel);
      }
    }
    const big = { root: scratch };
    const w = new Writer(scratch, false);
    let written = 0;
    for (const o of runSuite(many, { project: big, engine })) {
      updateOne(o, w);
      if (existsSync(join(scratch, goldenPathOf(o.path)))) written++;
    }
    const r = wall(["check", "--no-pending"], scratch, 2);
    report.row(`rvjit check, ${many.length} specs (${written} with goldens; child process)`, r.s, "s", `target < 5 s; exit ${r.code}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
