/**
 * @fileoverview Counted nouns in messages: `plural(1, "spec")` is "1 spec", `plural(3, "spec")` is "3 specs".
 */

/** `n` and `noun`, with an "s" unless `n` is 1 (every noun the tool counts takes one). */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
