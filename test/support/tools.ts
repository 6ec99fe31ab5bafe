/**
 * @fileoverview External tools, files of the machine and shared test data for cross-checks. Under CI (`CI` set and
 * not 0/false) a missing tool, file or ../shared/testdata is an error, so a check can never silently not run there;
 * locally the caller skips with a visible warning.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isCi } from "../../cli/io.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The first of `candidates` that runs (`--version` exits 0), or undefined. */
function firstWorking(candidates: string[]): string | undefined {
  for (const c of candidates) {
    try {
      execFileSync(c, ["--version"], { stdio: "ignore" });
      return c;
    } catch {
      /* try the next one */
    }
  }
  return undefined;
}

export const TOOLS = {
  /** LLVM 19: knows Zacas and BPF cpu v4. */
  llvmMc: () => firstWorking(["llvm-mc-19", "/usr/lib/llvm-19/bin/llvm-mc"]),
  llvmObjdump: () => firstWorking(["llvm-objdump-19", "/usr/lib/llvm-19/bin/llvm-objdump"]),
  gnuObjdump: () => firstWorking(["riscv64-linux-gnu-objdump"]),
  gnuAs: () => firstWorking(["riscv64-linux-gnu-as"]),
  gcc: () => firstWorking(["riscv64-linux-gnu-gcc"]),
  qemu: () => firstWorking(["qemu-riscv64"]),
} as const;

export type ToolName = keyof typeof TOOLS;

/**
 * Resolves a tool for a test file. Returns its command, or undefined after printing a warning (locally).
 * Under CI, throws: the cross-check must run there.
 */
export function requireTool(name: ToolName): string | undefined {
  const cmd = TOOLS[name]();
  if (cmd) return cmd;
  const msg = `external tool '${name}' is not installed (see .ci/run for the Debian packages)`;
  if (isCi(process.env)) throw new Error(`${msg}: required under CI`);
  console.warn(`WARNING: skipping cross-check: ${msg}`);
  return undefined;
}

/**
 * `path` (a file of the machine a cross-check reads, e.g. a system header), or undefined after a warning naming it
 * and `why` it is wanted (locally). Under CI, throws: the cross-check must run there.
 */
export function requireFile(path: string, why: string): string | undefined {
  if (existsSync(path)) return path;
  const msg = `${path} is missing (${why})`;
  if (isCi(process.env)) throw new Error(`${msg}: required under CI`);
  console.warn(`WARNING: skipping cross-check: ${msg}`);
  return undefined;
}

/** ../shared/testdata, or undefined after a warning (locally); under CI its absence is an error. */
export function sharedTestdata(): string | undefined {
  const dir = join(repoRoot, "..", "shared", "testdata");
  if (existsSync(dir)) return dir;
  const msg = `../shared/testdata is not beside the repository`;
  if (isCi(process.env)) throw new Error(`${msg}: required under CI`);
  console.warn(`WARNING: skipping tests on shared test data: ${msg}`);
  return undefined;
}

export { repoRoot };
