// /v1/auth/login: a rep exchanges e-mail and password for a signed session token
// (HS256, 12 h), accepted by every region that shares AUTH_TOKEN_SECRET.
import { createRoute, z } from "@hono/zod-openapi";
import { sign } from "hono/jwt";
import { Problem } from "../errors.ts";
import { directory, TOKEN_ISSUER } from "../middleware/auth.ts";
import { json, jsonBody, ProblemSchema } from "../openapi.ts";
import { newRouter } from "../router.ts";

const SESSION_TTL_S = 12 * 60 * 60;

export const auth = newRouter();

const Login = z
  .strictObject({ email: z.email().max(254), password: z.string().min(1).max(1024) })
  .meta({ id: "Login" });
const Session = z
  .object({
    token: z.string(),
    tokenType: z.literal("Bearer"),
    expiresAt: z.string(),
    user: z.object({ id: z.string(), name: z.string(), role: z.string(), tenantId: z.string() }),
  })
  .meta({ id: "Session" });

const route = createRoute({
  method: "post",
  path: "/v1/auth/login",
  operationId: "login",
  tags: ["auth"],
  summary: "Log a rep in",
  request: { body: jsonBody(Login) },
  responses: {
    200: json(Session, "A session token for `Authorization: Bearer`"),
    400: {
      content: { "application/problem+json": { schema: ProblemSchema } },
      description: "Invalid body",
    },
    401: {
      content: { "application/problem+json": { schema: ProblemSchema } },
      description: "Wrong e-mail or password",
    },
  },
});

auth.openapi(route, async (c) => {
  const { email, password } = c.req.valid("json");
  const user = await directory(c.env).verifyUser(email, password);
  if (!user) throw new Problem(401, "unauthorized", "Wrong e-mail or password");
  const exp = Math.floor(Date.now() / 1000) + SESSION_TTL_S;
  const token = await sign(
    { iss: TOKEN_ISSUER, sub: user.id, tid: user.tenantId, role: user.role, exp },
    c.env.AUTH_TOKEN_SECRET,
    "HS256",
  );
  return c.json(
    {
      token,
      tokenType: "Bearer" as const,
      expiresAt: new Date(exp * 1000).toISOString(),
      user: { id: user.id, name: user.name, role: user.role, tenantId: user.tenantId },
    },
    200,
  );
});
