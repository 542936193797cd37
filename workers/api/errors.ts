// The one error type of the API and the one place errors become responses: RFC 9457
// problem+json, naming the offending field where there is one.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import type { DomainError } from "../../core/index.ts";
import { ConfigError } from "../../replication/signing.ts";
import { Problem, problemResponse, reasonOf } from "../shared/problem.ts";

export { Problem };

export type FieldError = { field: string; pointer: string; message: string };

/** The API's problem response for this request: the shared shape, `instance` = its path. */
function problemFor(c: Context, p: Problem): Response {
  return problemResponse(p, c.req.path);
}

export function onError(err: Error, c: Context): Response {
  if (err instanceof Problem) return problemFor(c, err);
  if (err instanceof ConfigError) {
    // The region cannot run as configured: say what to fix, refuse everything else.
    console.error("configuration", err.message);
    return problemFor(c, new Problem(503, "misconfigured", "Region misconfigured", err.message));
  }
  if (err instanceof HTTPException && err.status === 415) {
    return problemFor(
      c,
      new Problem(
        415,
        "unsupported-media-type",
        "The body is not JSON",
        "Send the body as JSON with content-type: application/json.",
      ),
    );
  }
  if (err instanceof HTTPException) {
    // A framework's message may quote a parser's or a library's error text: bodies say what
    // went wrong in our words only, and the original goes to the log.
    console.warn("request refused", err.status, err.message);
    const malformed = /JSON|Content-Type/i.test(err.message);
    return problemFor(
      c,
      malformed
        ? new Problem(
            err.status,
            "malformed-body",
            "The body is not valid JSON",
            "The body could not be read as JSON; send one JSON object with content-type: application/json.",
          )
        : new Problem(err.status, "http", reasonOf(err.status)),
    );
  }
  console.error("unhandled", err);
  return problemFor(
    c,
    new Problem(
      500,
      "internal",
      "The server failed to handle the request",
      "The error was logged; retry with the same Idempotency-Key.",
    ),
  );
}

/** What a validation target is called in a title: the part of the request that is wrong. */
const TARGETS = new Map([
  ["json", { title: "The request body has invalid fields", unknown: "is not a known field" }],
  ["query", { title: "Invalid query parameters", unknown: "is not a known query parameter" }],
  ["param", { title: "Invalid path parameter", unknown: "is not a known path parameter" }],
  ["header", { title: "Invalid request header", unknown: "is not a known header" }],
]);

/**
 * zod issues → a 400 that names every offending field. An unknown key (strict objects) is
 * named itself, with a pointer to it, not to the object that holds it.
 */
export function validationProblem(error: z.ZodError, target: string): Problem {
  const words = TARGETS.get(target) ?? { title: `Invalid ${target}`, unknown: "is not known" };
  const errors: FieldError[] = error.issues.flatMap((i) => {
    const path = i.path.map(String);
    if (i.code === "unrecognized_keys")
      return i.keys.map((key) => fieldError([...path, key], target, words.unknown));
    return [fieldError(path, target, i.message)];
  });
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  return new Problem(400, "validation", words.title, detail, { errors });
}

function fieldError(path: string[], target: string, message: string): FieldError {
  return {
    field: path.join(".") || target,
    pointer: `#/${path.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/")}`,
    message,
  };
}

/** 404 for a record the path names. */
export function notFound(entity: "Customer" | "Contract" | "Payment", id: string): Problem {
  return new Problem(
    404,
    "not-found",
    `${entity} not found`,
    `No ${entity.toLowerCase()} ${id} in this tenant.`,
  );
}

export function domainProblem(e: DomainError): Problem {
  switch (e.code) {
    case "not-found": {
      // A missing entity named in the body is a bad request body; in the path it is a 404.
      const status = e.field ? 422 : 404;
      return new Problem(
        status,
        "not-found",
        `${e.entity.charAt(0).toUpperCase()}${e.entity.slice(1)} not found`,
        `No ${e.entity} ${e.id} in this tenant.`,
        e.field
          ? {
              errors: [
                { field: e.field, pointer: `#/${e.field}`, message: `${e.entity} not found` },
              ],
            }
          : {},
      );
    }
    case "invalid-state":
      return new Problem(
        409,
        "invalid-state",
        "Not allowed in the current state",
        e.message,
        fieldOf(e.field, e.message),
      );
    case "document-mismatch":
      return new Problem(
        409,
        "document-mismatch",
        "Document hash is not the contract's current document",
        `Expected ${e.expected}, got ${e.actual}.`,
        { expected: e.expected, ...fieldOf(e.field, "does not match the current document") },
      );
    case "currency-mismatch":
      return new Problem(
        422,
        "currency-mismatch",
        "Currency does not match the contract",
        `The contract is in ${e.expected}; the payment is in ${e.actual}.`,
        fieldOf(e.field, `must be ${e.expected}`),
      );
    case "payment-reference-conflict":
      return new Problem(
        409,
        "payment-reference-conflict",
        "Payment reference already confirmed with another amount",
        `Reference ${e.reference} was confirmed as ${e.existing}; a reference is one payment.`,
        fieldOf(e.field, "already used with another amount"),
      );
    case "identity-mismatch":
      return new Problem(
        422,
        "identity-mismatch",
        "Identity mismatch",
        e.message,
        fieldOf(e.field, e.message),
      );
    case "amount-overflow":
      return new Problem(
        422,
        "amount-overflow",
        "Amount too large to total exactly",
        `${e.field}: ${e.message}.`,
        fieldOf(e.field, e.message),
      );
  }
}

function fieldOf(field: string | undefined, message: string) {
  return field ? { errors: [{ field, pointer: `#/${field.replace(/\./g, "/")}`, message }] } : {};
}
