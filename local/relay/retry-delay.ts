// Upstash-Retry-Delay: a tiny arithmetic language (numbers, `retried`, + - * /, parentheses and
// pow sqrt abs exp floor ceil round min max), parsed into a tree and interpreted — never eval'd.

type Expr =
  | { kind: "number"; value: number }
  | { kind: "retried" }
  | { kind: "negate"; operand: Expr }
  | { kind: "binary"; op: "+" | "-" | "*" | "/"; left: Expr; right: Expr }
  | { kind: "call"; fn: FunctionName; args: Expr[] };

const FUNCTIONS = {
  pow: { arity: [2, 2], apply: (a: number[]) => (a[0] as number) ** (a[1] as number) },
  sqrt: { arity: [1, 1], apply: (a: number[]) => Math.sqrt(a[0] as number) },
  abs: { arity: [1, 1], apply: (a: number[]) => Math.abs(a[0] as number) },
  exp: { arity: [1, 1], apply: (a: number[]) => Math.exp(a[0] as number) },
  floor: { arity: [1, 1], apply: (a: number[]) => Math.floor(a[0] as number) },
  ceil: { arity: [1, 1], apply: (a: number[]) => Math.ceil(a[0] as number) },
  round: { arity: [1, 1], apply: (a: number[]) => Math.round(a[0] as number) },
  min: { arity: [1, 16], apply: (a: number[]) => Math.min(...a) },
  max: { arity: [1, 16], apply: (a: number[]) => Math.max(...a) },
} as const;
type FunctionName = keyof typeof FUNCTIONS;

// Bounds keep a hostile header from costing more than a few microseconds or a deep stack.
export const MAX_EXPRESSION_CHARS = 256;
const MAX_DEPTH = 32;

export class RetryDelayError extends Error {}

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)|([A-Za-z_]+)|([-+*/(),]))/y;
type Token = { type: "number" | "name" | "punct"; text: string; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const at = TOKEN.lastIndex;
    if (/^\s*$/.test(source.slice(at))) break;
    const m = TOKEN.exec(source);
    if (!m)
      throw new RetryDelayError(`unexpected character at ${at + 1}: ${source.slice(at).trim()[0]}`);
    const [, number, name, punct] = m;
    if (number !== undefined) tokens.push({ type: "number", text: number, at });
    else if (name !== undefined) tokens.push({ type: "name", text: name, at });
    else tokens.push({ type: "punct", text: punct as string, at });
  }
  return tokens;
}

function parse(source: string): Expr {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (what: string): never => {
    const t = peek();
    throw new RetryDelayError(t ? `${what} at ${t.at + 1}, found "${t.text}"` : `${what} at end`);
  };
  const eat = (text: string) => {
    if (peek()?.text !== text) fail(`expected "${text}"`);
    pos++;
  };

  type BinaryOp = Extract<Expr, { kind: "binary" }>["op"];
  /** One precedence level: `operand`s joined left to right by any of `ops`. */
  const level =
    (ops: readonly BinaryOp[], operand: (depth: number) => Expr) =>
    (depth: number): Expr => {
      let left = operand(depth);
      for (let op = peek()?.text; ops.some((o) => o === op); op = peek()?.text) {
        pos++;
        left = { kind: "binary", op: op as BinaryOp, left, right: operand(depth) };
      }
      return left;
    };
  const multiplicative = level(["*", "/"], unary);
  const additive = level(["+", "-"], multiplicative);
  function unary(depth: number): Expr {
    if (depth > MAX_DEPTH) fail("expression nested too deeply");
    const t = peek();
    if (t?.text === "-" || t?.text === "+") {
      pos++;
      const operand = unary(depth + 1);
      return t.text === "-" ? { kind: "negate", operand } : operand;
    }
    return primary(depth);
  }
  function primary(depth: number): Expr {
    const t = peek();
    if (!t) return fail("expected a number, `retried`, a function or (");
    pos++;
    if (t.type === "number") return { kind: "number", value: Number(t.text) };
    if (t.text === "(") {
      const inner = additive(depth + 1);
      eat(")");
      return inner;
    }
    if (t.type === "name" && t.text === "retried") return { kind: "retried" };
    if (t.type === "name" && Object.hasOwn(FUNCTIONS, t.text)) {
      const fn = t.text as FunctionName;
      eat("(");
      const args = [additive(depth + 1)];
      while (peek()?.text === ",") {
        pos++;
        args.push(additive(depth + 1));
      }
      eat(")");
      const [lo, hi] = FUNCTIONS[fn].arity;
      if (args.length < lo || args.length > hi)
        throw new RetryDelayError(`${fn} takes ${lo === hi ? lo : `${lo}..${hi}`} arguments`);
      return { kind: "call", fn, args };
    }
    pos--;
    return fail(t.type === "name" ? `unknown name "${t.text}"` : "expected an operand");
  }

  if (tokens.length === 0) throw new RetryDelayError("empty expression");
  const expr = additive(0);
  if (pos < tokens.length) fail("unexpected token");
  return expr;
}

function evaluate(e: Expr, retried: number): number {
  switch (e.kind) {
    case "number":
      return e.value;
    case "retried":
      return retried;
    case "negate":
      return -evaluate(e.operand, retried);
    case "binary": {
      const l = evaluate(e.left, retried);
      const r = evaluate(e.right, retried);
      if (e.op === "+") return l + r;
      if (e.op === "-") return l - r;
      if (e.op === "*") return l * r;
      return l / r;
    }
    case "call":
      return FUNCTIONS[e.fn].apply(e.args.map((a) => evaluate(a, retried)));
  }
}

export interface RetryDelay {
  source: string;
  /** Milliseconds; NaN or ±Infinity when the expression has no finite value for `retried`. */
  delayMs(retried: number): number;
}

/** Throws RetryDelayError for anything outside the grammar. */
export function parseRetryDelay(source: string): RetryDelay {
  if (source.length > MAX_EXPRESSION_CHARS)
    throw new RetryDelayError(`expression longer than ${MAX_EXPRESSION_CHARS} characters`);
  const expr = parse(source);
  return { source, delayMs: (retried) => evaluate(expr, retried) };
}
