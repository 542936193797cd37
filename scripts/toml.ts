// A deliberately small TOML reader for wrangler.toml: tables, arrays of tables, strings,
// numbers, booleans and flat arrays (which may span lines). Anything else is rejected with its line number
// rather than misread, so a richer wrangler.toml fails loudly here instead of silently.

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

export function parseToml(text: string): TomlTable {
  const root: TomlTable = {};
  let current = root;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const lineNo = index + 1;
    let line = stripComment(raw).trim();
    if (!line) continue;
    const fail = (why: string): never => {
      throw new Error(`wrangler.toml:${lineNo}: ${why}: ${raw.trim()}`);
    };
    const arrayHeader = /^\[\[(.+)\]\]$/.exec(line);
    const tableHeader = arrayHeader ? null : /^\[(.+)\]$/.exec(line);
    if (arrayHeader) {
      const path = parseKeyPath(arrayHeader[1]!, fail);
      const parent = walk(root, path.slice(0, -1), fail);
      const last = path.at(-1)!;
      parent[last] ??= [];
      const list = parent[last];
      if (!Array.isArray(list)) return fail(`${last} is not an array of tables`);
      current = {};
      list.push(current);
    } else if (tableHeader) {
      current = walk(root, parseKeyPath(tableHeader[1]!, fail), fail);
    } else {
      const eq = line.indexOf("=");
      if (eq < 0) fail("expected key = value");
      const path = parseKeyPath(line.slice(0, eq), fail);
      const table = walk(current, path.slice(0, -1), fail);
      const key = path.at(-1)!;
      if (key in table) fail(`duplicate key ${key}`);
      // A multi-line array continues until a line closes it; bounded by the file's end.
      while (/=\s*\[/.test(line) && !line.endsWith("]") && index + 1 < lines.length)
        line += ` ${stripComment(lines[++index]!).trim()}`;
      table[key] = parseValue(line.slice(eq + 1).trim(), fail);
    }
  }
  return root;
}

/** Descends into (creating) nested tables; an array of tables means its last element, as in TOML. */
function walk(from: TomlTable, path: string[], fail: (why: string) => never): TomlTable {
  let table = from;
  for (const key of path) {
    table[key] ??= {};
    let next = table[key];
    if (Array.isArray(next)) next = next.at(-1) as TomlValue;
    if (typeof next !== "object" || next === null || Array.isArray(next))
      fail(`${key} is not a table`);
    table = next as TomlTable;
  }
  return table;
}

function parseKeyPath(text: string, fail: (why: string) => never): string[] {
  return text.split(".").map((part) => {
    const key = part.trim();
    const quoted = /^"([^"\\]*)"$/.exec(key);
    if (quoted) return quoted[1]!;
    if (!BARE_KEY.test(key)) fail(`unsupported key ${JSON.stringify(key)}`);
    return key;
  });
}

function parseValue(text: string, fail: (why: string) => never): TomlValue {
  if (text.startsWith('"')) {
    if (text.startsWith('"""')) fail("multi-line strings are not supported");
    try {
      return JSON.parse(text) as string;
    } catch {
      return fail("unsupported string");
    }
  }
  if (text.startsWith("'")) {
    const literal = /^'([^']*)'$/.exec(text);
    return literal ? literal[1]! : fail("unsupported literal string");
  }
  if (text === "true" || text === "false") return text === "true";
  if (/^[+-]?\d[\d_]*(\.\d+)?$/.test(text)) return Number(text.replaceAll("_", ""));
  if (text.startsWith("[") && text.endsWith("]")) {
    const inner = text.slice(1, -1).trim();
    if (!inner) return [];
    return splitTopLevel(inner, fail)
      .map((item) => item.trim())
      .filter((item) => item !== "")
      .map((item) => parseValue(item, fail));
  }
  return fail("unsupported value (inline tables and dates are not supported)");
}

/** Where `text` has characters outside strings ("…" with backslash escapes, or '…'). */
function* unquoted(text: string): Generator<number> {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === "\\" && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else yield i;
  }
}

/** Splits an array body on commas that are not inside a string. */
function splitTopLevel(text: string, fail: (why: string) => never): string[] {
  const parts: string[] = [];
  let start = 0;
  for (const i of unquoted(text)) {
    const ch = text[i];
    if (ch === "[" || ch === "{") fail("nested arrays and inline tables are not supported");
    else if (ch === ",") {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Drops a trailing # comment, leaving a # inside a string alone. */
function stripComment(line: string): string {
  for (const i of unquoted(line)) if (line[i] === "#") return line.slice(0, i);
  return line;
}
