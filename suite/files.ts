/**
 * @fileoverview Every file the suite writes goes through a Writer, so two guarantees hold in one place:
 *  - under CI (unless forced) nothing is written: a Writer made read-only refuses every write;
 *  - a write is atomic: the text goes to a temporary file under .rvjit/tmp/ (git-ignored), is flushed, then renamed
 *    over the target, so a crash at any moment leaves either the old file or the new one, never half of one.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

export const TMP_DIR = ".rvjit/tmp";

/** Test hooks: called between the two halves of a temporary file's content, and just before the rename. */
export interface WriteHooks {
  midWrite?(rel: string): void;
  beforeRename?(rel: string): void;
}

export function readText(root: string, rel: string): string | undefined {
  try {
    return readFileSync(join(root, rel), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class Writer {
  private seq = 0;
  /** Root-relative paths written or removed, in order (for the final summary). */
  readonly touched: string[] = [];

  constructor(readonly root: string, readonly readOnly: boolean, private readonly hooks: WriteHooks = {}) {}

  private guard(what: string): void {
    if (this.readOnly) throw new Error(`internal error: attempted to ${what} in read-only mode (CI)`);
  }

  /** Writes `text` to `rel` atomically. */
  write(rel: string, text: string): void {
    this.guard(`write ${rel}`);
    const target = join(this.root, rel);
    mkdirSync(dirname(target), { recursive: true });
    const tmpDir = join(this.root, TMP_DIR);
    mkdirSync(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${process.pid}-${this.seq++}.tmp`);
    const fd = openSync(tmp, "w");
    try {
      const bytes = Buffer.from(text, "utf8");
      const half = bytes.length >> 1;
      writeSync(fd, bytes, 0, half);
      this.hooks.midWrite?.(rel);
      writeSync(fd, bytes, half, bytes.length - half);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.hooks.beforeRename?.(rel);
    try {
      renameSync(tmp, target);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    this.touched.push(rel);
  }

  /** Moves `from` over `to` (both root-relative): an atomic accept of a pending golden. */
  move(from: string, to: string): void {
    this.guard(`move ${from}`);
    mkdirSync(dirname(join(this.root, to)), { recursive: true });
    renameSync(join(this.root, from), join(this.root, to));
    this.touched.push(to);
  }

  remove(rel: string): void {
    this.guard(`remove ${rel}`);
    if (!existsSync(join(this.root, rel))) return;
    rmSync(join(this.root, rel));
    this.touched.push(rel);
  }

  /** Removes temporary files that processes which no longer run left behind (after a crash). */
  sweepTemporaries(): void {
    if (this.readOnly) return;
    const dir = join(this.root, TMP_DIR);
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir)) {
      const pid = Number(/^(\d+)-\d+\.tmp$/.exec(f)?.[1]);
      if (pid && pid !== process.pid && !pidAlive(pid)) rmSync(join(dir, f), { force: true });
    }
  }
}
