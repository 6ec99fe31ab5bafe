/**
 * @fileoverview A worker thread of a parallel suite run (suite/parallel.ts): it builds the real engine once, then
 * runs the specs the main thread hands it one at a time, posting each outcome back (structured clone).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ConfigName } from "./config.js";
import { realEngine } from "./engines/real.js";
import { runSpec } from "./session.js";

export interface WorkerInit {
  root: string;
  configs?: ConfigName[];
}

/** Main -> worker: run spec `index`, or stop (null). Worker -> main: { index, outcome } or { error }. */
export type ToWorker = { index: number; path: string } | null;

const init = workerData as WorkerInit;
const engine = realEngine();
const port = parentPort!;
port.on("message", (m: ToWorker) => {
  if (m === null) {
    port.close();
    return;
  }
  try {
    const outcome = runSpec(m.path, { project: { root: init.root }, engine, ...(init.configs ? { configs: init.configs } : {}) });
    // An Error's own fields do not survive the structured clone: send the spec error's position as plain data.
    const e = outcome.specError;
    port.postMessage({ index: m.index, outcome: e ? { ...outcome, specError: { pos: e.pos, detail: e.detail, message: e.message } } : outcome });
  } catch (e) {
    port.postMessage({ index: m.index, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
port.postMessage({ ready: true });
