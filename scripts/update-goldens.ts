/**
 * @fileoverview `npx tsx scripts/update-goldens.ts [specs...] [--config c] [--conflicted] [--force]`: regenerate
 * goldens, for people who run scripts. It is `rvjit update` with the same arguments (the same code, so the same
 * refusals: failing behaviour, spec errors, CI without --force).
 */
import { main } from "../cli/main.js";

process.exitCode = await main(["update", ...process.argv.slice(2)]);
