// Lexical analysis of SQL text, because the `libsql` engine hides what sqld's parser reports:
// how many statements a string holds, its bound parameters, and whether it is INSERT/UPDATE/DELETE.

type TokenKind = "ws" | "semi" | "word" | "param" | "lparen" | "rparen" | "other";
interface Token {
  kind: TokenKind;
  start: number;
  end: number;
}

export type StatementKind = "select" | "insert" | "update" | "delete" | "explain" | "other";

export interface StatementInfo {
  kind: StatementKind;
  /** First keyword, upper-cased ("" if none), e.g. "COMMIT". */
  verb: string;
  /** Highest parameter index, as `sqlite3_bind_parameter_count` would report it. */
  paramCount: number;
  /** `paramNames[i]` is the name of parameter `i + 1` (`:a`, `?3`), or null for a bare `?`. */
  paramNames: (string | null)[];
}

// SQLite's IdChar: ASCII letters, digits, `_`, `$`, and every non-ASCII code unit.
const isIdChar = (c: number) =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 95 ||
  c === 36 ||
  c > 127;
const isIdStart = (c: number) => isIdChar(c) && c !== 36 && !(c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 12 || c === 13;

function* tokenize(sql: string): Generator<Token> {
  let i = 0;
  while (i < sql.length) {
    const start = i;
    const c = sql.charCodeAt(i);
    let kind: TokenKind = "other";
    if (isSpace(c)) {
      while (i < sql.length && isSpace(sql.charCodeAt(i))) i++;
      kind = "ws";
    } else if (sql.startsWith("--", i)) {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? sql.length : nl + 1;
      kind = "ws";
    } else if (sql.startsWith("/*", i)) {
      const close = sql.indexOf("*/", i + 2);
      i = close < 0 ? sql.length : close + 2;
      kind = "ws";
    } else if (c === 39 || c === 34 || c === 96 || c === 91) {
      // '…' and "…" and `…` double their quote to escape it; […] has no escape.
      const quote = c === 91 ? "]" : sql[i];
      i++;
      for (;;) {
        const q = sql.indexOf(quote as string, i);
        if (q < 0) {
          i = sql.length;
          break;
        }
        i = q + 1;
        if (c === 91 || sql[i] !== quote) break;
        i++;
      }
    } else if (c === 59) {
      i++;
      kind = "semi";
    } else if (c === 40 || c === 41) {
      i++;
      kind = c === 40 ? "lparen" : "rparen";
    } else if (c === 63) {
      i++;
      while (i < sql.length && isDigit(sql.charCodeAt(i))) i++;
      kind = "param";
    } else if ((c === 58 || c === 64 || c === 36) && isIdChar(sql.charCodeAt(i + 1))) {
      i++;
      while (i < sql.length && isIdChar(sql.charCodeAt(i))) i++;
      kind = "param";
    } else if (isIdStart(c)) {
      while (i < sql.length && isIdChar(sql.charCodeAt(i))) i++;
      kind = "word";
    } else if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      // Numbers never hold parameters; swallow the exponent sign so `1e-5` stays one token.
      i++;
      while (i < sql.length) {
        const d = sql.charCodeAt(i);
        const prev = sql.charCodeAt(i - 1) | 32;
        if (isIdChar(d) || d === 46 || ((d === 43 || d === 45) && prev === 101)) i++;
        else break;
      }
    } else {
      i++;
    }
    yield { kind, start, end: i };
  }
}

// sqlite3_complete()'s state machine (complete.c), so a `;` inside CREATE TRIGGER … BEGIN … END
// does not end the statement. Columns: SEMI, WS, OTHER, EXPLAIN, CREATE, TEMP, TRIGGER, END.
const TRANSITIONS = [
  [1, 0, 2, 3, 4, 2, 2, 2],
  [1, 1, 2, 3, 4, 2, 2, 2],
  [1, 2, 2, 2, 2, 2, 2, 2],
  [1, 3, 3, 2, 4, 2, 2, 2],
  [1, 4, 2, 2, 2, 4, 5, 2],
  [6, 5, 5, 5, 5, 5, 5, 5],
  [6, 6, 5, 5, 5, 5, 5, 7],
  [1, 7, 5, 5, 5, 5, 5, 5],
] as const;
const KEYWORD_CLASS: Record<string, number> = {
  EXPLAIN: 3,
  CREATE: 4,
  TEMP: 5,
  TEMPORARY: 5,
  TRIGGER: 6,
  END: 7,
};

/** Splits SQL into its non-empty statements (each keeps its terminating `;`). */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let state = 0;
  let start = -1;
  for (const tok of tokenize(sql)) {
    let cls = 2;
    if (tok.kind === "semi") cls = 0;
    else if (tok.kind === "ws") cls = 1;
    else if (tok.kind === "word")
      cls = KEYWORD_CLASS[sql.slice(tok.start, tok.end).toUpperCase()] ?? 2;
    state = TRANSITIONS[state]?.[cls] ?? 2;
    if (cls !== 0 && cls !== 1 && start < 0) start = tok.start;
    if (cls === 0 && state === 1) {
      if (start >= 0) statements.push(sql.slice(start, tok.end));
      start = -1;
    }
  }
  if (start >= 0) statements.push(sql.slice(start));
  return statements;
}

const DML_KEYWORDS: Record<string, StatementKind> = {
  SELECT: "select",
  VALUES: "select",
  INSERT: "insert",
  REPLACE: "insert",
  UPDATE: "update",
  DELETE: "delete",
};

/** Classifies one statement and numbers its parameters the way SQLite's parser does. */
export function analyzeStatement(sql: string): StatementInfo {
  let kind: StatementKind | undefined;
  let verb = "";
  let sawWith = false;
  let depth = 0;
  const names: (string | null)[] = [];
  const byName = new Map<string, number>();
  let count = 0;
  for (const tok of tokenize(sql)) {
    const text = sql.slice(tok.start, tok.end);
    if (tok.kind === "lparen") depth++;
    else if (tok.kind === "rparen") depth--;
    else if (tok.kind === "word" && kind === undefined && depth === 0) {
      const word = text.toUpperCase();
      verb ||= word;
      if (!sawWith && word === "WITH") sawWith = true;
      else if (!sawWith) kind = word === "EXPLAIN" ? "explain" : (DML_KEYWORDS[word] ?? "other");
      // After WITH, the CTE bodies sit in parentheses; the first top-level verb decides.
      else if (DML_KEYWORDS[word]) kind = DML_KEYWORDS[word];
    } else if (tok.kind === "param") {
      if (text === "?") {
        count++;
        continue;
      }
      const known = byName.get(text);
      if (known !== undefined) continue;
      const index = text.startsWith("?") ? Number(text.slice(1)) : count + 1;
      count = Math.max(count, index);
      byName.set(text, index);
      if (index >= 1 && names[index - 1] == null) names[index - 1] = text;
    }
  }
  const paramNames = Array.from({ length: count }, (_, i) => names[i] ?? null);
  return { kind: kind ?? "other", verb, paramCount: count, paramNames };
}

export interface NameToken {
  /** Upper-cased; quoted names ("x", `x`, [x], 'x') unquoted, as SQLite may read any as a name. */
  name: string;
  quoted: boolean;
  /** Whether `(` follows: a function call or a table-valued function. */
  call: boolean;
}

const QUOTES: Record<number, string> = { 34: '"', 96: "`", 39: "'", 91: "]" };

/** Every keyword and name of one statement, in order (comments and whitespace skipped). */
export function namesOf(sql: string): NameToken[] {
  const names: NameToken[] = [];
  let last: NameToken | null = null;
  for (const tok of tokenize(sql)) {
    if (tok.kind === "ws") continue;
    if (tok.kind === "lparen" && last) last.call = true;
    last = null;
    const first = sql.charCodeAt(tok.start);
    if (tok.kind === "word") {
      last = { name: sql.slice(tok.start, tok.end).toUpperCase(), quoted: false, call: false };
    } else if (tok.kind === "other" && QUOTES[first] !== undefined) {
      const close = QUOTES[first] as string;
      const inner = sql.slice(tok.start + 1, tok.end - 1);
      const text = close === "]" ? inner : inner.split(close + close).join(close);
      last = { name: text.toUpperCase(), quoted: true, call: false };
    }
    if (last) names.push(last);
  }
  return names;
}
