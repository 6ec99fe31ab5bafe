/**
 * @fileoverview cli/io.ts: asCliError turns the input errors a verb names into CliErrors (printed as `rvjit: ...`,
 * exit code 2) and lets everything else through untouched.
 */
import { describe, expect, it } from "vitest";
import { asCliError, CliError } from "../../cli/io.js";

class InputError extends Error {}
class OtherInputError extends Error {}

describe("asCliError", () => {
  it("returns what the function returns", () => {
    expect(asCliError(() => 42, InputError)).toBe(42);
  });

  it("rethrows an error of a named class as a CliError with the same message, exit code 2", () => {
    for (const E of [InputError, OtherInputError]) {
      let caught: unknown;
      try {
        asCliError(() => {
          throw new E("p.s:3:7: unknown register");
        }, InputError, OtherInputError);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(CliError);
      expect(caught).toMatchObject({ message: "p.s:3:7: unknown register", exitCode: 2 });
    }
  });

  it("lets any other error through as it is (a bug is not the user's input error)", () => {
    const bug = new TypeError("x is undefined");
    expect(() => asCliError(() => { throw bug; }, InputError)).toThrow(bug);
    expect(() => asCliError(() => { throw new OtherInputError("no"); }, InputError)).toThrow(OtherInputError);
  });
});
