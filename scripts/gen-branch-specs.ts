/**
 * @fileoverview Generates specs/branch-range (placeholder until written).
 */
import type { GenSpec } from "./gen-lib.js";

export function branchSpecs(): GenSpec[] {
  return [];
}
