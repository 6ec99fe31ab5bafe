/**
 * @fileoverview `npx tsx scripts/gen-specs.ts`: (re)writes the generated families of the spec corpus. Each family's
 * generator (scripts/gen-*-specs.ts) returns its specs with their expected values computed independently of rvjit
 * (scripts/gen-lib.ts); this script renders and writes them, leaves unchanged files alone, and removes generated
 * files that no generator produces any more. Hand-written specs are never touched. Regenerate the goldens after
 * (`rvjit update <dirs>`).
 */
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { aluSpecs } from "./gen-alu-specs.js";
import { atomicSpecs } from "./gen-atomic-specs.js";
import { branchSpecs } from "./gen-branch-specs.js";
import { callSpecs } from "./gen-calls-specs.js";
import { jmpSpecs } from "./gen-jmp-specs.js";
import { type GenSpec, renderSpec, writeSpecs } from "./gen-lib.js";
import { memSpecs } from "./gen-mem-specs.js";

const FAMILIES: { generator: string; specs: () => GenSpec[] }[] = [
  { generator: "gen-alu-specs.ts", specs: aluSpecs },
  { generator: "gen-jmp-specs.ts", specs: jmpSpecs },
  { generator: "gen-mem-specs.ts", specs: memSpecs },
  { generator: "gen-atomic-specs.ts", specs: atomicSpecs },
  { generator: "gen-calls-specs.ts", specs: callSpecs },
  { generator: "gen-branch-specs.ts", specs: branchSpecs },
];

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "specs");
const rendered = FAMILIES.flatMap((f) => f.specs().map((s) => ({ path: s.path, text: renderSpec(s, f.generator) })));
const dirs = [...new Set(rendered.map((s) => s.path.slice(0, s.path.indexOf("/"))))];
const r = writeSpecs(root, dirs, rendered);
console.log(`${rendered.length} generated specs: ${r.written} written, ${r.unchanged} unchanged, ${r.removed} removed`);
