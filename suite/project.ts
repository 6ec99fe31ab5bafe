/**
 * @fileoverview Where things are in a project: the root (the nearest directory with a specs/ folder), specs
 * (`specs/**\/*.bpf`), their goldens (`goldens/` mirrors `specs/`: specs/alu/add.bpf -> goldens/alu/add.golden) and
 * pending goldens (`<golden>.new`, git-ignored). And which specs a command line selects.
 * globby is loaded only for arguments that are glob patterns: plain discovery is a directory walk, which keeps a
 * single-spec `rvjit check` fast to start.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

export const SPEC_DIR = "specs";
export const GOLDEN_DIR = "goldens";
export const SPEC_EXT = ".bpf";
export const GOLDEN_EXT = ".golden";
export const PENDING_EXT = ".golden.new";

/** An error in what the user asked for (exit code 2). Commands turn it into a CliError. */
export class SelectionError extends Error {
  override name = "SelectionError";
}

export interface Project {
  root: string;
}

/** The nearest directory at or above `cwd` that has a specs/ folder. */
export function findProject(cwd: string): Project | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, SPEC_DIR)) && statSync(join(dir, SPEC_DIR)).isDirectory()) return { root: dir };
    if (dirname(dir) === dir) return undefined;
  }
}

const toPosix = (p: string) => p.split(sep).join("/");

export function goldenPathOf(specRel: string): string {
  return `${GOLDEN_DIR}/${specRel.slice(SPEC_DIR.length + 1, -SPEC_EXT.length)}${GOLDEN_EXT}`;
}

export function pendingPathOf(specRel: string): string {
  return goldenPathOf(specRel) + ".new";
}

/** The spec a golden or pending path belongs to. */
export function specPathOf(goldenRel: string): string {
  const base = goldenRel.endsWith(".new") ? goldenRel.slice(0, -4) : goldenRel;
  return `${SPEC_DIR}/${base.slice(GOLDEN_DIR.length + 1, -GOLDEN_EXT.length)}${SPEC_EXT}`;
}

/** Files under `root/dir` whose name ends with `ext`, as sorted root-relative POSIX paths. */
export function listFiles(root: string, dir: string, ext: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(ext))
    .map((d) => toPosix(relative(root, join(d.parentPath, d.name))))
    .sort();
}

export function allSpecs(p: Project): string[] {
  return listFiles(p.root, SPEC_DIR, SPEC_EXT);
}

const GLOB_CHARS = /[*?[\]{}!]/;

/**
 * The specs named by `args` (all when empty). Each argument is a spec, golden or pending file, a directory, a glob
 * (relative to `cwd`), or else a piece of a spec's path ("alu/add" matches specs/alu/add64.bpf).
 */
export async function selectSpecs(p: Project, cwd: string, args: readonly string[]): Promise<string[]> {
  if (args.length === 0) return allSpecs(p);
  const chosen = new Set<string>();
  let all: string[] | undefined;
  const specs = () => (all ??= allSpecs(p));
  for (const arg of args) {
    const abs = resolve(cwd, arg);
    const rel = toPosix(relative(p.root, abs));
    let matches: string[];
    if (GLOB_CHARS.test(arg)) {
      const { globby } = await import("globby");
      const files = (await globby(arg, { cwd, absolute: true })).map((f) => toPosix(relative(p.root, f)));
      matches = files.flatMap((r) => (isSpecPath(r) ? [r] : isGoldenPath(r) ? [specPathOf(r)] : []));
    } else if (existsSync(abs) && statSync(abs).isDirectory()) {
      const under = rel === GOLDEN_DIR || rel.startsWith(`${GOLDEN_DIR}/`) ? SPEC_DIR + rel.slice(GOLDEN_DIR.length) : rel;
      matches = specs().filter((s) => rel === "" || s.startsWith(`${under}/`));
    } else if (isGoldenPath(rel) || isSpecPath(rel)) {
      matches = [isSpecPath(rel) ? rel : specPathOf(rel)];
    } else {
      matches = specs().filter((s) => s.includes(arg));
    }
    matches = matches.filter((m) => existsSync(join(p.root, m)));
    if (matches.length === 0) throw new SelectionError(`no spec matches '${arg}' (specs live in ${SPEC_DIR}/**/*${SPEC_EXT})`);
    for (const m of matches) chosen.add(m);
  }
  return [...chosen].sort();
}

export function isSpecPath(rel: string): boolean {
  return rel.startsWith(`${SPEC_DIR}/`) && rel.endsWith(SPEC_EXT);
}

export function isGoldenPath(rel: string): boolean {
  return rel.startsWith(`${GOLDEN_DIR}/`) && (rel.endsWith(GOLDEN_EXT) || rel.endsWith(PENDING_EXT));
}
