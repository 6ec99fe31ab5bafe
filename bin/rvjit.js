#!/usr/bin/env node
// The rvjit command: runs the compiled CLI (built into dist/ by `npm run build`, which `npm ci` runs).
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
