// The published API contract: OpenAPI building blocks for the routes (JSON bodies, the
// problem+json shape, the headers each answer carries, a create-once write, a single read,
// a list) and the one place that adds what every operation shares before /v1/openapi.json
// is served: servers, platform headers and the 413/415/429/503 answers.
import { createRoute, type OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import type { Breaker } from "../../core/breaker.ts";
import { regionInfo } from "../../replication/regions.ts";
import type { AppEnv } from "./env.ts";
import { bodyLimitOf } from "./middleware/body-limit.ts";

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

/** A circuit breaker's state (core/breaker.ts), as /v1/health, degradation and regions show it. */
export const BreakerState = z.enum(["closed", "open", "half-open"]) satisfies z.ZodType<
  Breaker["state"]
>;

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

export function problem(description: string) {
  return { content: { "application/problem+json": { schema: ProblemSchema } }, description };
}

/** A response header of type string, as the OpenAPI document describes it. */
export const header = (description: string) => ({
  description,
  schema: { type: "string" as const },
});

/** Headers of a lifeline write's answer (first or replayed). */
export const WRITE_HEADERS = {
  Location: header("The written record's URL (`/v1/customers/acc_…`, `/v1/payments/pay_…`)"),
  "Idempotent-Replayed": header(
    "`true` when this is the stored answer to an earlier request with the same Idempotency-Key",
  ),
  "Lifeline-HLC": header("The hybrid-logical-clock stamp of the write"),
  "Lifeline-Durability": header(
    "`region` once a second region of the jurisdiction holds the write, else `local`",
  ),
};

/** Headers of a single read from the account's Durable Object. */
export const READ_HEADERS = {
  "Lifeline-Masked": header(
    "`true` when this region is outside the record's jurisdiction and holds only its masked copy (phones, e-mails, names and the tax id masked); the body says `masked: true` too",
  ),
};

/** Headers any answer may carry; added to every documented response. */
const PLATFORM_HEADERS = {
  "Lifeline-Region": header("The region that answered"),
  "Lifeline-Routed-To": header("Set by the router: the region it sent the request to"),
  "Lifeline-Degraded": header(
    "A degradation in force for this answer: `replication` (a write acknowledged before a second region held it), `inference-off`, `reads-unavailable`, `logins-unavailable`, and the modes of the region's degradation policies (`reads-stale-ok`, `projection-deferred`, `approvals-simplified`, `portal-read-only`) on the answers they affect",
  ),
  RateLimit: header("IETF RateLimit: what is left of the caller's quota and when it resets"),
  "RateLimit-Policy": header("IETF RateLimit-Policy: the quotas that apply to the caller"),
};
const RETRY_AFTER = { "Retry-After": header("Seconds to wait before retrying") };
const WRONG_JURISDICTION = {
  "Lifeline-Jurisdiction": header(
    "On a `wrong-jurisdiction` answer: the jurisdiction the account's data lives in",
  ),
};

export const readProblems = {
  400: problem("Invalid path or query parameter; `errors` names it"),
  401: problem("Missing or invalid credentials"),
  404: problem("Not found in this tenant"),
} as const;

export const listProblems = {
  400: problem("Invalid or unknown query parameter, or a cursor this API did not issue"),
  401: problem("Missing or invalid credentials"),
  503: problem("The regional read model is unavailable; lifeline writes are unaffected"),
} as const;

export const writeProblems = {
  400: problem("Invalid body or missing Idempotency-Key; `errors` names the field"),
  401: problem("Missing or invalid credentials"),
  409: problem(
    "Not allowed in the current state, the same Idempotency-Key is in flight (`Retry-After`), or the account lives in another jurisdiction (`wrong-jurisdiction`, `Lifeline-Jurisdiction`)",
  ),
  422: problem("Idempotency-Key reused with another request, or a reference to a missing entity"),
  503: problem(
    "No second region of the jurisdiction confirmed the write in time (retry with the same Idempotency-Key after `Retry-After`), or no healthy region (through the router)",
  ),
} as const;

export const IdempotencyHeaders = z.object({
  "idempotency-key": z.string().min(1).max(257).meta({
    description:
      "IETF Idempotency-Key: the same key replays the first response (`Idempotent-Replayed: true`)",
    example: "4f1c2a9e-7d7b-4a1e-9f3a-0c2b8e6d5a10",
  }),
});

/** No query parameters: an unknown one is refused (400) as an unknown body key is. */
export const NoQuery = z.strictObject({});

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true } as const;
}

export const ListQuery = {
  cursor: z.string().max(512).optional().meta({ description: "`nextCursor` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(100).default(25),
};

export const page = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).meta({ id });

/** A write's answer: its view and the write headers. */
export function written<V extends z.ZodType>(view: V, description: string) {
  return { ...json(view, description), headers: WRITE_HEADERS };
}

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
    request: { headers: IdempotencyHeaders, query: NoQuery, body: jsonBody(body) },
    responses: {
      201: written(view, created),
      200: written(view, already),
      ...writeProblems,
    },
  };
}

/** Security, request and responses of an authoritative single read by id. */
export function readOne<P extends z.ZodObject, V extends z.ZodType>(
  params: P,
  view: V,
  description: string,
) {
  return {
    security: [{ bearer: [] }],
    request: { params, query: NoQuery },
    responses: { 200: { ...json(view, description), headers: READ_HEADERS }, ...readProblems },
  };
}

/**
 * Security, request and responses of a list from the regional read model: `filter` plus
 * cursor and limit in the query (nothing else), one page of `item` back.
 */
export function listPage<F extends z.ZodRawShape, I extends z.ZodType>(
  filter: F,
  item: I,
  pageId: string,
  description: string,
) {
  return {
    security: [{ bearer: [] }],
    request: { query: z.strictObject({ ...filter, ...ListQuery }) },
    responses: { 200: json(page(item, pageId), description), ...listProblems },
  };
}

const BEARER = [{ bearer: [] }];

/**
 * The routes of one tag, all behind the bearer scheme: `tags` and `security` go where every
 * route of the API writes them (after the operationId and after the description), so the
 * document reads the same as with the fields spelled out.
 */
export const bearerRoutes =
  (tag: string) =>
  <R extends Omit<RouteConfig, "tags" | "security">>(config: R) => {
    const { method, path, operationId, summary, description, ...rest } = config;
    return createRoute({
      method,
      path,
      operationId,
      tags: [tag],
      summary,
      ...(description === undefined ? {} : { description }),
      security: BEARER,
      ...rest,
    } as R & { tags: string[]; security: typeof BEARER });
  };

type Doc = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;
type Responses = Record<string, { description: string; headers?: Record<string, unknown> }>;

const INFO = {
  title: "Lifeline regional API",
  version: "1.0.0",
  description:
    "Customers, contracts and payments that keep working through region loss. Errors are RFC 9457 problem+json.",
};

/** The document as served: generated from the routes, then what every operation shares. */
export function openApiDocument(app: OpenAPIHono<AppEnv>, env: Env): Doc {
  const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: INFO });
  const own = regionInfo(env, env.REGION);
  doc.servers = [
    {
      url: "/",
      description:
        "Where this document was fetched from: the router (it places each request in its account's jurisdiction) or a region",
    },
    ...(own
      ? [
          {
            url: own.url,
            description: `This region (${own.region}, jurisdiction ${own.jurisdiction}) directly`,
          },
        ]
      : []),
  ];
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const op of Object.values(ops as Record<string, unknown>)) {
      if (typeof op !== "object" || op === null || !("responses" in op)) continue;
      shared(path, op as { responses: Responses; requestBody?: { required?: boolean } });
    }
  }
  return doc;
}

/** A problem answer in the generated document (zod schemas are already rendered there). */
const problemRef = (description: string) => ({
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  description,
});

/** The answers and headers every operation can give, whoever wrote its route. */
function shared(path: string, op: { responses: Responses; requestBody?: { required?: boolean } }) {
  const r = op.responses;
  const limit = bodyLimitOf(path);
  if (op.requestBody && limit !== null) {
    r[413] ??= problemRef(
      `The body is larger than ${limit} bytes (\`body-too-large\`, \`limitBytes\` says the limit)`,
    );
  }
  if (op.requestBody?.required) {
    r[415] ??= problemRef("The body is not `application/json`");
  }
  r[429] ??= problemRef("Rate limited: retry after `Retry-After` seconds");
  r[503] ??= problemRef(
    "No healthy region of the account's jurisdiction (through the router); retry after `Retry-After` seconds",
  );
  for (const [status, response] of Object.entries(r)) {
    response.headers = {
      ...PLATFORM_HEADERS,
      ...(status === "429" || status === "503" || status === "409" ? RETRY_AFTER : {}),
      ...(status === "409" ? WRONG_JURISDICTION : {}),
      ...response.headers,
    };
  }
}
