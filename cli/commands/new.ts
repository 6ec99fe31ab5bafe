/**
 * @fileoverview `rvjit new <path>`: scaffold a spec (a description line, a run case, a small program) to edit.
 * `new alu/add64` and `new specs/alu/add64.bpf` both write specs/alu/add64.bpf. Never overwrites.
 */
import type { CAC } from "cac";
import { existsSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { CliError, isCi, type CliIo } from "../io.js";
import { FORCE_OPTION, refuseUnderCi } from "../../suite/io.js";
import { Writer } from "../../suite/files.js";
import { findProject, goldenPathOf, SPEC_DIR, SPEC_EXT } from "../../suite/project.js";

export function register(cli: CAC, io: CliIo): void {
  cli
    .command("new <path>", "Scaffold a spec file to edit (specs/<area>/<name>.bpf)")
    .option(...FORCE_OPTION)
    .example("  rvjit new alu/add64        # writes specs/alu/add64.bpf")
    .action((path: string, opts: Record<string, unknown>) => scaffold(io, path, opts));
}

export function template(name: string): string {
  return [
    `; ${name}: <what this spec tests, in one line>`,
    ";; Run cases: '; run: <inputs> => <expectations>' (docs/spec-format.md). Inputs: r1-r5, ctx=[..], maps.",
    ";; Expectations: r0=, ret=, throw=, ctx[off]:u32=, <map>[key]=. Narrow configs with '; configs:'.",
    "; run: r1=1 r2=2 => r0=3",
    "r0 = r1",
    "r0 += r2",
    "exit",
    "",
  ].join("\n");
}

async function scaffold(io: CliIo, arg: string, opts: Record<string, unknown>): Promise<number> {
  const root = findProject(io.cwd)?.root ?? resolve(io.cwd);
  let rel = relative(root, resolve(io.cwd, arg)).split(sep).join("/");
  if (!rel.startsWith(`${SPEC_DIR}/`)) rel = `${SPEC_DIR}/${isAbsolute(arg) ? rel : arg.split(sep).join("/")}`;
  if (!rel.endsWith(SPEC_EXT)) rel += SPEC_EXT;
  if (rel.includes("../") || !/^[\w./-]+$/.test(rel)) throw new CliError(`'${arg}': a spec path is specs/<area>/<name>${SPEC_EXT} inside the project`);
  if (existsSync(join(root, rel))) throw new CliError(`${rel} exists already`);
  refuseUnderCi(isCi(io.env), opts, "new", "add --force");
  const name = rel.slice(SPEC_DIR.length + 1, -SPEC_EXT.length);
  new Writer(root, false).write(rel, template(name));
  io.out(`wrote ${rel}\n` +
    `next: describe and write the program, then\n` +
    `  rvjit check ${rel}      # behaviour first: it fails until the JIT does the right thing\n` +
    `  rvjit update ${rel}     # then write its golden (${goldenPathOf(rel)}), and review the diff\n`);
  return 0;
}
