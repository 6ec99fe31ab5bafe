/**
 * @fileoverview `; map <name>: <type> key=<bytes> value=<bytes> max=<entries> [<key>]=<value> ...`
 * Types: array (key 4 bytes), hash, prog_array (key and value 4 bytes; values are program names of this spec).
 * Trailing `[k]=v` words give the map's contents before every run.
 */
import { SpecError, type SourcePos } from "./errors.js";
import type { Directive } from "./lines.js";
import type { MapDecl, MapType } from "./model.js";
import { parseMapWrite } from "./runs.js";
import { parseCount, tokenize } from "./values.js";

const TYPES: readonly MapType[] = ["array", "hash", "prog_array"];

export function parseMapDecl(d: Directive, at: (col: number) => SourcePos, earlier: readonly MapDecl[]): MapDecl {
  const name = d.args[0]!;
  if (!/^[A-Za-z_]\w*$/.test(name.text)) throw new SpecError(at(name.col), `map name '${name.text}' is not an identifier`);
  if (earlier.some((m) => m.name === name.text)) throw new SpecError(at(name.col), `map '${name.text}' is declared twice`);
  const tokens = tokenize(d.value, d.valueCol, at);
  const type = tokens[0];
  if (!type || !TYPES.includes(type.text as MapType)) {
    throw new SpecError(at(type?.col ?? d.valueCol), `a map's type is one of ${TYPES.join(", ")}: '; map ${name.text}: array key=4 value=8 max=16'`);
  }
  const attrs = new Map<string, number>();
  const initTokens = [];
  for (const t of tokens.slice(1)) {
    if (t.text.startsWith("[")) {
      initTokens.push(t);
      continue;
    }
    const m = /^(key|value|max)=(.+)$/.exec(t.text);
    if (!m) throw new SpecError(at(t.col), `'${t.text}' is not a map attribute (key=<size> value=<size> max=<entries>, then [<key>]=<value> contents)`);
    if (attrs.has(m[1]!)) throw new SpecError(at(t.col), `${m[1]} is given twice`);
    attrs.set(m[1]!, parseCount(m[2]!, at(t.col + m[1]!.length + 1), m[1]!, m[1] === "max" ? 1 << 20 : 1 << 16));
  }
  const mt = type.text as MapType;
  const fixedKey = mt === "hash" ? undefined : 4;
  const fixedValue = mt === "prog_array" ? 4 : undefined;
  for (const [attr, fixed] of [["key", fixedKey], ["value", fixedValue]] as const) {
    if (fixed !== undefined && attrs.has(attr) && attrs.get(attr) !== fixed) {
      throw new SpecError(at(d.valueCol), `a ${mt} map's ${attr} size is ${fixed}`);
    }
  }
  const keySize = attrs.get("key") ?? fixedKey;
  const valueSize = attrs.get("value") ?? fixedValue;
  const maxEntries = attrs.get("max");
  if (keySize === undefined || valueSize === undefined || maxEntries === undefined) {
    const missing = [keySize === undefined && "key", valueSize === undefined && "value", maxEntries === undefined && "max"].filter(Boolean);
    throw new SpecError(at(d.valueCol), `map '${name.text}' needs ${missing.join(", ")}= (e.g. '; map ${name.text}: ${mt} key=4 value=8 max=16')`);
  }
  if (keySize === 0 || valueSize === 0 || maxEntries === 0) throw new SpecError(at(d.valueCol), "map sizes and max must be at least 1");
  const decl: MapDecl = { name: name.text, type: mt, keySize, valueSize, maxEntries, init: [], pos: at(name.col) };
  for (const t of initTokens) {
    const eq = t.text.indexOf("]=");
    if (eq < 0) throw new SpecError(at(t.col), `'${t.text}' is not '[<key>]=<value>'`);
    const w = parseMapWrite(`${decl.name}${t.text.slice(0, eq + 1)}`, t.col - decl.name.length, t.text.slice(eq + 2), t.col + eq + 2, [decl], at);
    w.pos = at(t.col);
    decl.init.push(w);
  }
  return decl;
}
