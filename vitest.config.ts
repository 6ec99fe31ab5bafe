/**
 * @fileoverview Vitest settings: every `*.test.ts` under test/ (test/<area>/ by convention), timeouts long enough for
 * the whole-corpus tests, and each test file in its own forked process.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
