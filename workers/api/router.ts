// One factory for every route group, so every group turns validation failures into the
// same problem+json 400.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./env.ts";
import { validationProblem } from "./errors.ts";

export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationProblem(result.error, result.target);
    },
  });
}

/**
 * zod-openapi types handler results as JSON built by `c.json`; a lifeline write returns
 * the stored (possibly replayed) response byte for byte, so it is passed through raw.
 */
export const raw = (response: Response) => response as never;
