/**
 * @fileoverview Goldens and pending goldens whose spec no longer exists. Only meaningful after a full, unfiltered run
 * (a filtered run cannot tell an orphan from a golden it merely did not select), so callers check that first.
 * The scan walks goldens/ directly, ignoring .gitignore, so an ignored golden cannot hide (insta#277).
 */
import { GOLDEN_DIR, GOLDEN_EXT, listFiles, PENDING_EXT, specPathOf, type Project } from "./project.js";

export interface Orphans {
  goldens: string[];
  pending: string[];
}

export function findOrphans(p: Project, specs: readonly string[]): Orphans {
  const have = new Set(specs);
  const orphan = (f: string) => !have.has(specPathOf(f));
  return {
    goldens: listFiles(p.root, GOLDEN_DIR, GOLDEN_EXT).filter(orphan),
    pending: listFiles(p.root, GOLDEN_DIR, PENDING_EXT).filter(orphan),
  };
}

export function listPending(p: Project): string[] {
  return listFiles(p.root, GOLDEN_DIR, PENDING_EXT);
}
