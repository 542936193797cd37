// Role checks: `requireRole("admin")` in front of a route group answers 403 problem+json
// to any principal without one of the roles (a rep token, an integrator key). Runs after
// `authenticate()`, which sets the principal.
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Role } from "../env.ts";
import { Problem } from "../errors.ts";

export function requireRole(...roles: [Role, ...Role[]]): MiddlewareHandler<AppEnv> {
  const allowed = new Set<string>(roles);
  return async function requireRole(c, next) {
    const principal = c.get("principal");
    if (!principal || !allowed.has(principal.role))
      throw new Problem(
        403,
        "forbidden",
        "Not allowed",
        `This route needs the ${roles.join(" or ")} role.`,
      );
    await next();
  };
}
