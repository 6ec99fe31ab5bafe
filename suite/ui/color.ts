/**
 * @fileoverview Whether to colour terminal output, decided once per command from --color and the environment:
 *   --color=always / never  wins;
 *   auto: FORCE_COLOR set (not "0"/"false") -> on; NO_COLOR set (non-empty) -> off; else on when stdout is a TTY
 *         and TERM is not "dumb".
 * Unlike picocolors' own detection, "CI" in the environment does not turn colour on. Colour is only ever used on
 * the terminal: nothing written to a file passes through here.
 */
import pc from "picocolors";

export type ColorMode = "auto" | "always" | "never";
export type Colors = ReturnType<typeof pc.createColors>;

export function parseColorMode(v: unknown): ColorMode {
  if (v === undefined || v === true || v === "auto") return "auto";
  if (v === false || v === "never") return "never";
  if (v === "always") return "always";
  throw new Error(`--color must be auto, always or never (got '${String(v)}')`);
}

export function colorEnabled(mode: ColorMode, env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (mode !== "auto") return mode === "always";
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR) return false;
  return isTTY && env.TERM !== "dumb";
}

export function makeColors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}
