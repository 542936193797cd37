// One factory for every route group, so every group turns validation failures into the
// same problem+json 400.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./env.ts";
import { validationProblem } from "./errors.ts";
import { idempotencyKeyRequired } from "./lifeline.ts";

export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      // The Idempotency-Key header gets its own problem type: clients branch on it.
      const keyIssue = result.error.issues.find((i) => i.path[0] === "idempotency-key");
      if (result.target === "header" && keyIssue) {
        throw idempotencyKeyRequired(
          keyIssue.code === "invalid_type" ? "missing" : keyIssue.message,
        );
      }
      throw validationProblem(result.error, result.target);
    },
  });
}

/**
 * zod-openapi types handler results as JSON built by `c.json`; a lifeline write returns
 * the stored (possibly replayed) response byte for byte, so it is passed through raw.
 */
export const raw = (response: Response) => response as never;
