// Shared OpenAPI building blocks: JSON bodies, the problem+json error shape, the headers
// every lifeline write documents and the shapes of a create-once write and of a list.
import { z } from "@hono/zod-openapi";

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), pointer: z.string(), message: z.string() }))
      .optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details" });

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

export function problem(description: string) {
  return { content: { "application/problem+json": { schema: ProblemSchema } }, description };
}

export const readProblems = {
  400: problem("Invalid parameter; `errors` names it"),
  401: problem("Missing or invalid credentials"),
  404: problem("Not found in this tenant"),
} as const;

export const listProblems = {
  400: problem("Invalid query or cursor"),
  401: problem("Missing or invalid credentials"),
  503: problem("The regional read model is unavailable; lifeline writes are unaffected"),
} as const;

export const writeProblems = {
  400: problem("Invalid body or missing Idempotency-Key; `errors` names the field"),
  401: problem("Missing or invalid credentials"),
  409: problem("Not allowed in the current state, or the same Idempotency-Key is in flight"),
  422: problem("Idempotency-Key reused with another request, or a reference to a missing entity"),
} as const;

export const IdempotencyHeaders = z.object({
  "idempotency-key": z.string().min(1).max(257).meta({
    description:
      "IETF Idempotency-Key: the same key replays the first response (`Idempotent-Replayed: true`)",
    example: "4f1c2a9e-7d7b-4a1e-9f3a-0c2b8e6d5a10",
  }),
});

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true } as const;
}

export const ListQuery = {
  cursor: z.string().max(512).optional().meta({ description: "`nextCursor` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(100).default(25),
};

export const page = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).meta({ id });

/**
 * Security, request and responses of a lifeline write that creates or records something
 * once: an Idempotency-Key, a JSON body, 201 the first time and 200 when it already had.
 */
export function createOnce<B extends z.ZodType, V extends z.ZodType>(
  body: B,
  view: V,
  created: string,
  already: string,
) {
  return {
    security: [{ bearer: [] }],
    request: { headers: IdempotencyHeaders, body: jsonBody(body) },
    responses: { 201: json(view, created), 200: json(view, already), ...writeProblems },
  };
}

/**
 * Security, request and responses of a list from the regional read model: `filter` plus
 * cursor and limit in the query, one page of `item` back.
 */
export function listPage<F extends z.ZodRawShape, I extends z.ZodType>(
  filter: F,
  item: I,
  pageId: string,
  description: string,
) {
  return {
    security: [{ bearer: [] }],
    request: { query: z.object({ ...filter, ...ListQuery }) },
    responses: { 200: json(page(item, pageId), description), ...listProblems },
  };
}
