/**
 * @fileoverview `npm run bench`: runs every bench/*.bench.ts module in this process, one after another, and prints
 * their tables. Each module exports `default async function (report: Report)`; it measures side by side in one run
 * and reports figures and ratios, never pass/fail against an absolute time.
 * `npm run bench -- <name-substring>` runs only the matching modules.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Report } from "./report.js";
import { consoleReport } from "./report.js";

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const modules = readdirSync(here)
  .filter((f) => f.endsWith(".bench.js"))
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (modules.length === 0) {
  console.error(`bench: no benchmark matches ${JSON.stringify(filter)}`);
  process.exit(2);
}
for (const file of modules) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: (r: Report) => Promise<void> | void };
  const report = consoleReport(file.replace(/\.bench\.js$/, ""));
  await mod.default(report);
}
