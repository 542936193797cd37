// The one error type of the API and the one place errors become responses: RFC 9457
// problem+json, naming the offending field where there is one.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import type { DomainError } from "../../core/index.ts";
import { ConfigError } from "../../replication/signing.ts";
import {
  fieldProblem,
  Problem,
  pointerTo,
  problemResponse,
  reasonOf,
  unknownKeyMessage,
} from "../shared/problem.ts";

export { fieldProblem, Problem };

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

/**
 * zod issues → a 400 that names every offending field. An unknown key (strict objects) is
 * named itself, with a pointer to it, not to the object that holds it.
 */
export function validationProblem(error: z.ZodError, target: string): Problem {
  return fieldProblem(
    target,
    error.issues.flatMap((i) => {
      const path = i.path.map(String);
      if (i.code === "unrecognized_keys")
        return i.keys.map((key) => fieldAt([...path, key], target, unknownKeyMessage(target)));
      return [fieldAt(path, target, i.message)];
    }),
  );
}

function fieldAt(path: string[], target: string, message: string) {
  return { field: path.join(".") || target, pointer: pointerTo(path), message };
}

/** 404 for a record the path names. */
export function notFound(
  entity: "Customer" | "Contract" | "Payment" | "File",
  id: string,
): Problem {
  return new Problem(
    404,
    "not-found",
    `${entity} not found`,
    `No ${entity.toLowerCase()} ${id} in this tenant.`,
  );
}

/** How a domain error reads: status, title, detail, what it says at its field, extra members. */
type Reading = { status: number; title: string; detail: string; atField: string; extra?: object };

function readingOf(e: DomainError): Reading {
  switch (e.code) {
    case "not-found": {
      const entity = `${e.entity.charAt(0).toUpperCase()}${e.entity.slice(1)}`;
      // A missing entity named in the body is a bad request body; in the path it is a 404.
      const status = e.field ? 422 : 404;
      const detail = `No ${e.entity} ${e.id} in this tenant.`;
      return { status, title: `${entity} not found`, detail, atField: `${e.entity} not found` };
    }
    case "invalid-state": {
      const title = "Not allowed in the current state";
      return { status: 409, title, detail: e.message, atField: e.message };
    }
    case "document-mismatch": {
      const title = "Document hash is not the contract's current document";
      const detail = `Expected ${e.expected}, got ${e.actual}.`;
      const atField = "does not match the current document";
      return { status: 409, title, detail, atField, extra: { expected: e.expected } };
    }
    case "currency-mismatch": {
      const detail = `The contract is in ${e.expected}; the payment is in ${e.actual}.`;
      const title = "Currency does not match the contract";
      return { status: 422, title, detail, atField: `must be ${e.expected}` };
    }
    case "payment-reference-conflict": {
      const title = "Payment reference already confirmed with another amount";
      const detail = `Reference ${e.reference} was confirmed as ${e.existing}; a reference is one payment.`;
      return { status: 409, title, detail, atField: "already used with another amount" };
    }
    case "identity-mismatch":
      return { status: 422, title: "Identity mismatch", detail: e.message, atField: e.message };
    case "amount-overflow": {
      const title = "Amount too large to total exactly";
      return { status: 422, title, detail: `${e.field}: ${e.message}.`, atField: e.message };
    }
    case "email-taken": {
      const title = "E-mail already used by another portal user";
      const detail = `Another portal user of this customer logs in with ${e.email}; invite that user again instead.`;
      return { status: 409, title, detail, atField: "already used by another portal user" };
    }
    case "voucher-conflict":
    case "signature-image-conflict": {
      const what = e.code === "voucher-conflict" ? "payment" : "signature";
      const title = `This ${what} already has another ${what === "payment" ? "voucher" : "image"}`;
      const detail = `It shows the file ${e.existing}; a ${what} keeps the one it was recorded with.`;
      const atField = "differs from the file already attached";
      return { status: 409, title, detail, atField, extra: { existing: { sha256: e.existing } } };
    }
  }
}

export function domainProblem(e: DomainError): Problem {
  const { status, title, detail, atField, extra } = readingOf(e);
  return new Problem(status, e.code, title, detail, { ...extra, ...fieldOf(e.field, atField) });
}

function fieldOf(field: string | undefined, message: string) {
  return field ? { errors: [{ field, pointer: `#/${field.replace(/\./g, "/")}`, message }] } : {};
}
