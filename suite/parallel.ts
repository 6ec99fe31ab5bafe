/**
 * @fileoverview Running a large selection of specs on several cores: worker threads (suite/worker.ts) in this
 * process, each with its own warm engine, take specs from one queue; outcomes come back in selection order.
 * Only the real engine runs in workers (an injected engine stays in the main thread), and only from the built
 * JavaScript (under a TypeScript loader the worker file does not exist: the caller then runs sequentially).
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ConfigName } from "./config.js";
import type { SpecOutcome } from "./session.js";
import { SpecError, type SourcePos } from "./spec/errors.js";
import type { ToWorker, WorkerInit } from "./worker.js";

/** Below this many specs a worker's start-up (loading and warming the engine) costs more than it saves. */
export const MIN_PARALLEL_SPECS = 24;

/**
 * One thread already keeps more than one core busy (V8's compiler and garbage collector run beside it): on two
 * cores, two workers measured slower than one thread (3.4 s against 2.8 s for 436 specs). Workers pay from four.
 */
export function defaultJobs(): number {
  const cores = availableParallelism();
  return cores >= 4 ? Math.min(cores, 4) : 1;
}

type FromWorker = { ready: true } | { index: number; outcome: SpecOutcome } | { index: number; error: string };

/** Runs `paths` on `jobs` workers; undefined when workers are not available here (run sequentially instead). */
export async function runParallel(
  paths: readonly string[],
  opts: { root: string; configs?: readonly ConfigName[]; jobs: number; onProgress?(done: number, total: number, path: string): void },
): Promise<SpecOutcome[] | undefined> {
  const file = new URL("./worker.js", import.meta.url);
  if (!existsSync(fileURLToPath(file))) return undefined;
  const results = new Array<SpecOutcome>(paths.length);
  let next = 0;
  let done = 0;
  const init: WorkerInit = { root: opts.root, ...(opts.configs ? { configs: [...opts.configs] } : {}) };
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(file, { workerData: init });
      const feed = () => {
        const index = next++;
        const msg: ToWorker = index < paths.length ? { index, path: paths[index]! } : null;
        w.postMessage(msg);
      };
      w.on("message", (m: FromWorker) => {
        if ("ready" in m) return feed();
        if ("error" in m) {
          w.terminate();
          return reject(new Error(`worker failed on ${paths[m.index]}: ${m.error}`));
        }
        results[m.index] = revive(m.outcome);
        opts.onProgress?.(++done, paths.length, paths[m.index]!);
        feed();
      });
      w.on("error", reject);
      w.on("exit", () => resolve());
    });
  const jobs = Math.max(1, Math.min(opts.jobs, paths.length));
  await Promise.all(Array.from({ length: jobs }, one));
  return results;
}

/** Structured clone keeps an error's message, not its class: give a spec error back its position. */
function revive(o: SpecOutcome): SpecOutcome {
  const e = o.specError as unknown as { pos?: SourcePos; detail?: string } | undefined;
  if (e?.pos && e.detail !== undefined) o.specError = new SpecError(e.pos, e.detail);
  return o;
}
