// Checks real HTTP exchanges against the published OpenAPI document: the operation a
// request reaches, its body, query and response as documented. The test client records
// every exchange here, so a suite can check what it actually sent and got.
import { type Schema, validate } from "./json-schema.ts";

export type Exchange = {
  method: string;
  /** Path and query, as sent. */
  target: string;
  body: unknown;
  status: number;
  headers: Headers;
  responseBody: unknown;
};

type Operation = {
  operationId?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<
    string,
    { content?: Record<string, { schema: Schema }>; headers?: Record<string, unknown> }
  >;
};
export type OpenApiDoc = { paths: Record<string, Record<string, Operation>> } & Record<
  string,
  unknown
>;

const recorded: Exchange[] = [];

/** Called by the test client for every request it makes. */
export function recordExchange(exchange: Exchange): void {
  recorded.push(exchange);
}

export function recordedExchanges(): readonly Exchange[] {
  return recorded;
}

/** The documented operation for a method and a concrete path, with its path template. */
export function operationFor(doc: OpenApiDoc, method: string, path: string) {
  const pathname = path.split("?")[0]!;
  for (const [template, ops] of Object.entries(doc.paths)) {
    const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    const op = re.test(pathname) ? ops[method.toLowerCase()] : undefined;
    if (op) return { template, op };
  }
  return null;
}

/** What is wrong with an exchange's request by the document ([] = nothing). */
export function requestIssues(doc: OpenApiDoc, ex: Pick<Exchange, "method" | "target" | "body">) {
  const found = operationFor(doc, ex.method, ex.target);
  if (!found) return [`${ex.method} ${ex.target}: no such operation in the document`];
  const { op } = found;
  const issues: string[] = [];
  const query = new URL(ex.target, "http://x").searchParams;
  const documented = new Map(
    (op.parameters ?? []).filter((p) => p.in === "query").map((p) => [p.name, p]),
  );
  for (const [name, value] of query) {
    const param = documented.get(name);
    if (!param) {
      issues.push(`query parameter "${name}" is not documented`);
      continue;
    }
    const typed = /^-?\d+(\.\d+)?$/.test(value) && isNumeric(param.schema) ? Number(value) : value;
    for (const i of validate(doc, param.schema, typed)) issues.push(`query ${name}: ${i.message}`);
  }
  if (ex.body !== undefined) {
    const schema = op.requestBody?.content["application/json"]?.schema;
    if (!schema) issues.push("a JSON body was sent but none is documented");
    else for (const i of validate(doc, schema, ex.body)) issues.push(`body${i.at}: ${i.message}`);
  }
  return issues.map((i) => `${ex.method} ${ex.target}: ${i}`);
}

/** Headers a Lifeline response may carry that clients act on: each must be documented. */
const CONTRACT_HEADERS =
  /^(location|idempotent-replayed|lifeline-[a-z-]+|retry-after|ratelimit|ratelimit-policy)$/;

/** What is wrong with an exchange's response by the document ([] = nothing). */
export function responseIssues(doc: OpenApiDoc, ex: Exchange) {
  const found = operationFor(doc, ex.method, ex.target);
  if (!found) return [`${ex.method} ${ex.target}: no such operation in the document`];
  const where = `${ex.method} ${ex.target} → ${ex.status}`;
  const response = found.op.responses[String(ex.status)];
  if (!response) return [`${where}: status not documented`];
  const issues: string[] = [];
  const type = (ex.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (ex.responseBody !== null) {
    const schema = response.content?.[type]?.schema;
    if (!schema) issues.push(`no ${type} body documented`);
    else
      for (const i of validate(doc, schema, ex.responseBody))
        issues.push(`body${i.at}: ${i.message}`);
  }
  const documented = new Set(Object.keys(response.headers ?? {}).map((h) => h.toLowerCase()));
  for (const [name] of ex.headers) {
    if (CONTRACT_HEADERS.test(name) && !documented.has(name))
      issues.push(`header ${name} is not documented`);
  }
  return issues.map((i) => `${where}: ${i}`);
}

function isNumeric(schema: Schema): boolean {
  return typeof schema === "object" && (schema.type === "integer" || schema.type === "number");
}
