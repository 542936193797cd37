// A compact JSON Schema (2020-12, as OpenAPI 3.1 uses it) validator for the keywords our
// published document uses, so contract tests check real bodies against /v1/openapi.json.
// An unknown keyword throws: a schema this validator cannot read must never pass silently.

export type Schema = boolean | { [keyword: string]: unknown };
export type SchemaIssue = { at: string; message: string };

/** Keywords that describe and never constrain. */
const ANNOTATIONS = new Set([
  "description",
  "title",
  "example",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
  "discriminator",
]);
const KEYWORDS = new Set([
  "$ref",
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "enum",
  "const",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "anyOf",
  "oneOf",
  "allOf",
  "format",
]);
/** Formats asserted (loosely: the shape, not every rule of the RFC). */
const FORMATS = new Map<string, RegExp>([
  ["date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i],
  ["email", /^[^\s@]+@[^\s@]+\.[^\s@]+$/],
]);

export class UnsupportedSchema extends Error {}

/** Every way `value` breaks `schema`; `root` is the document `$ref`s point into. */
export function validate(root: unknown, schema: Schema, value: unknown, at = ""): SchemaIssue[] {
  if (schema === true) return [];
  if (schema === false) return [{ at, message: "no value is allowed here" }];
  if (typeof schema !== "object" || schema === null || Array.isArray(schema))
    throw new UnsupportedSchema(`${at || "/"}: a schema must be an object or a boolean`);
  for (const keyword of Object.keys(schema)) {
    if (!KEYWORDS.has(keyword) && !ANNOTATIONS.has(keyword))
      throw new UnsupportedSchema(`${at || "/"}: unsupported keyword "${keyword}"`);
  }
  const s = schema as Record<string, unknown>;
  const issues: SchemaIssue[] = [];
  const fail = (message: string) => issues.push({ at, message });

  if (s.$ref !== undefined) issues.push(...validate(root, resolve(root, s.$ref), value, at));
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => hasType(value, t))) fail(`must be ${types.join(" or ")}`);
  }
  if (s.enum !== undefined && !(s.enum as unknown[]).some((e) => equal(e, value)))
    fail(`must be one of ${JSON.stringify(s.enum)}`);
  if (s.const !== undefined && !equal(s.const, value)) fail(`must be ${JSON.stringify(s.const)}`);

  if (typeof value === "string") {
    const length = [...value].length;
    if (typeof s.minLength === "number" && length < s.minLength)
      fail(`must have at least ${s.minLength} characters`);
    if (typeof s.maxLength === "number" && length > s.maxLength)
      fail(`must have at most ${s.maxLength} characters`);
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value))
      fail(`must match ${s.pattern}`);
    if (typeof s.format === "string") {
      const format = FORMATS.get(s.format);
      if (!format) throw new UnsupportedSchema(`${at || "/"}: unsupported format "${s.format}"`);
      if (!format.test(value)) fail(`must be a ${s.format}`);
    }
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) fail(`must be ≥ ${s.minimum}`);
    if (typeof s.maximum === "number" && value > s.maximum) fail(`must be ≤ ${s.maximum}`);
    if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum)
      fail(`must be > ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum)
      fail(`must be < ${s.exclusiveMaximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems)
      fail(`must have at least ${s.minItems} items`);
    if (typeof s.maxItems === "number" && value.length > s.maxItems)
      fail(`must have at most ${s.maxItems} items`);
    const prefix = (s.prefixItems as Schema[] | undefined) ?? [];
    value.forEach((item, i) => {
      const itemSchema = i < prefix.length ? prefix[i] : (s.items as Schema | undefined);
      if (itemSchema !== undefined) issues.push(...validate(root, itemSchema, item, `${at}/${i}`));
    });
  }
  if (isObject(value)) {
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    for (const name of (s.required as string[] | undefined) ?? []) {
      if (!Object.hasOwn(value, name)) fail(`must have property "${name}"`);
    }
    for (const [name, item] of Object.entries(value)) {
      const where = `${at}/${escapePointer(name)}`;
      if (Object.hasOwn(properties, name)) {
        issues.push(...validate(root, properties[name]!, item, where));
      } else if (s.additionalProperties !== undefined) {
        if (s.additionalProperties === false)
          issues.push({ at: where, message: "is not a documented property" });
        else issues.push(...validate(root, s.additionalProperties as Schema, item, where));
      }
    }
  }

  for (const sub of (s.allOf as Schema[] | undefined) ?? [])
    issues.push(...validate(root, sub, value, at));
  if (s.anyOf !== undefined) {
    const results = (s.anyOf as Schema[]).map((sub) => validate(root, sub, value, at));
    if (!results.some((r) => r.length === 0)) fail(`matches none of anyOf: ${summary(results)}`);
  }
  if (s.oneOf !== undefined) {
    const results = (s.oneOf as Schema[]).map((sub) => validate(root, sub, value, at));
    const matched = results.filter((r) => r.length === 0).length;
    if (matched !== 1)
      fail(`matches ${matched} of oneOf (exactly one must match): ${summary(results)}`);
  }
  return issues;
}

/** `#/components/schemas/X`-style references within the document. */
export function resolve(root: unknown, ref: unknown): Schema {
  if (typeof ref !== "string" || !ref.startsWith("#/"))
    throw new UnsupportedSchema(`unsupported $ref ${String(ref)}`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isObject(node) || !Object.hasOwn(node, key))
      throw new UnsupportedSchema(`$ref ${ref} does not resolve`);
    node = node[key];
  }
  return node as Schema;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    default:
      throw new UnsupportedSchema(`unsupported type "${type}"`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function escapePointer(name: string): string {
  return name.replace(/~/g, "~0").replace(/\//g, "~1");
}

function summary(results: SchemaIssue[][]): string {
  return results.map((r) => r.map((i) => `${i.at || "/"} ${i.message}`).join(", ")).join(" | ");
}
